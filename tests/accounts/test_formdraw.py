"""Filter forms drawn without the form library's templates (`accounts.formdraw`, issue 18:
the access trail's six-field filter took about 8 ms a request through them): the controls,
their labels, values and error messages are the ones the form library draws, bound or not."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from crispy_forms.utils import render_crispy_form
from django.test import RequestFactory

from accounts import filters
from accounts.formdraw import get_form_html
from accounts.models import AccessEvent
from billing.forms import ChargeRangeForm

pytestmark = pytest.mark.django_db

CONTROLS = ("form", "input", "select", "option", "textarea", "label")


class Markup(HTMLParser):
    """Each control with its attributes (class names as a set), and the text of labels,
    options and error messages, in document order."""

    def __init__(self, html: str):
        super().__init__()
        self.items: list[tuple] = []
        self._text_of = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in CONTROLS:
            classes = frozenset((attrs.pop("class", None) or "").split())
            self.items.append((tag, classes, tuple(sorted(attrs.items()))))
        if tag in ("label", "option") or "invalid-feedback" in (dict(attrs).get("class") or ""):
            self._text_of = tag
            self.items.append([tag, ""])

    def handle_endtag(self, tag):
        if tag == self._text_of or tag == "div":
            self._text_of = None

    def handle_data(self, data):
        if self._text_of and data.strip():
            self.items[-1][1] = " ".join((self.items[-1][1] + " " + data).split())


def same_markup(form) -> None:
    ours = Markup(get_form_html(form)).items
    theirs = Markup(render_crispy_form(form)).items
    assert [tuple(i) for i in ours] == [tuple(i) for i in theirs]


def audit_filter(admin, params):
    request = RequestFactory().get("/audit/trail/", params)
    request.user = admin
    events = AccessEvent.objects.filter(clinic=admin.clinic)
    filterset = filters.AccessEventFilter(request.GET, queryset=events, request=request)
    filterset.is_valid()
    return filterset.form


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "2026-11-01", "end": "2026-11-30", "patient": "Ellis", "action": "view"},
        {"start": "11/01/2026", "sort": "shoe size"},  # errors next to their fields
    ],
)
def test_the_access_trail_filter_is_the_form_librarys_markup(clinic_admin, pt, params):
    same_markup(audit_filter(clinic_admin, {**params, "user": str(pt.pk)} if params else params))


@pytest.mark.parametrize(
    "data", [None, {"start": "2026-11-01", "end": "2026-11-30"}, {"start": "yesterday"}]
)
def test_the_charge_line_filter_is_the_form_librarys_markup(data):
    form = ChargeRangeForm(data, today=dt.date(2026, 12, 3))
    form.is_valid()
    same_markup(form)


def test_only_get_forms_are_drawn_here(clinic_admin):
    # A POST form needs its CSRF token, which the form library adds and this drawing does not.
    form = audit_filter(clinic_admin, {})
    form.helper.form_method = "post"
    with pytest.raises(ValueError):
        get_form_html(form)
