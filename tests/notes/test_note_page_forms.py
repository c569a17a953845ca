"""The note's forms as the clinician meets them: drawn without the form library's templates
(issue 18), every input still has its label, errors are tied to their field, free text stays
text, a password is never sent back, and the shorthand legend lists every abbreviation."""

from html.parser import HTMLParser

import pytest

from notes.shorthand_vocab import ABBREVIATIONS
from tests.notes.conftest import add_s1_findings, complete_s1, url

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


class Page(HTMLParser):
    """The controls of a page, its labels' targets, and the shorthand legend's pairs."""

    def __init__(self, html: str):
        super().__init__()
        self.controls: list[dict] = []
        self.labelled: set[str] = set()
        self.legend: list[list[str]] = []
        self._in_legend = False
        self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden", "submit", "button",
        ):  # fmt: skip
            self.controls.append({"tag": tag, **attrs})
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        if tag == "dl" and "shorthand-legend" in (attrs.get("class") or ""):
            self._in_legend = True
        if self._in_legend and tag in ("dt", "dd"):
            self._cell = tag
            if tag == "dt":
                self.legend.append([])
            self.legend[-1].append("")

    def handle_endtag(self, tag):
        if tag == "dl":
            self._in_legend = False
        if tag in ("dt", "dd"):
            self._cell = None

    def handle_data(self, data):
        if self._cell:
            self.legend[-1][-1] += data


def page(response) -> Page:
    return Page(response.content.decode())


def test_every_input_of_the_draft_note_has_its_label(
    pt_client, visit, django_assert_max_num_queries
):
    # Findings but no technique: the technique and measure forms are drawn open, with the timer,
    # the narrative parts and the signature; the typed-in time form is opened by its link.
    add_s1_findings(visit)
    # 20 today: the note's reads, the forms' choices among them (tests/notes/test_queries.py).
    with django_assert_max_num_queries(20):
        response = pt_client.get(url("visit_note", visit) + "?open=manual")
    controls = page(response).controls
    ids = {c.get("id") for c in controls}
    for expected in (
        "id_technique_kind",  # the technique form
        "id_measure_pre_value",  # the measure form
        "id_timer_code",  # the timer
        "id_manual_reason",  # the typed-in time, opened by its link
        "id_decisions_in_treatment_decisions",  # a narrative part
        "id_sign_password",  # the signature
    ):
        assert expected in ids
    unlabelled = [
        c
        for c in controls
        if c.get("id") not in page(response).labelled and not c.get("aria-label")
    ]
    assert unlabelled == []


def test_a_refused_narrative_value_is_said_next_to_its_field(pt_client, visit):
    response = pt_client.post(
        url("visit_narrative", visit, "untimed"),
        {"version": visit.version, "untimed_minutes": "-3"},
        headers=HX,
    )
    html = response.content.decode()
    assert response.status_code == 422
    field = html.split('id="id_untimed_untimed_minutes"')[0].rsplit("<input", 1)[1]
    assert 'value="-3"' in field  # what was typed stays in the box
    assert 'aria-invalid="true"' in field
    assert (
        'aria-describedby="id_untimed_untimed_minutes_helptext id_untimed_untimed_minutes_error"'
        in field
    )
    error = html.split('<div id="id_untimed_untimed_minutes_error" class="invalid-feedback">')[1]
    assert "greater than or equal to 0" in error.split("</div>")[0]
    assert '<label for="id_untimed_untimed_minutes" class="form-label">' in html


def test_a_wrong_signature_password_is_never_sent_back(pt_client, visit):
    complete_s1(visit)
    response = pt_client.post(
        url("visit_sign", visit), {"password": "not-my-password-4711"}, headers=HX
    )
    html = response.content.decode()
    assert response.status_code >= 400
    assert "not-my-password-4711" not in html
    assert '<label for="id_sign_password" class="form-label">' in html
    assert 'autocomplete="current-password"' in html


def test_free_text_in_an_edit_form_and_its_choices_is_text_not_markup(pt_client, visit):
    # DOMAIN.md §8: stored XSS, here in the forms the note draws itself.
    joint, _ = add_s1_findings(visit)
    joint.description = "<script>alert('x')</script>"
    joint.save()
    html = pt_client.get(url("finding_edit", visit, joint.pk), headers=HX).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</textarea>" in html

    goal = visit.plan.goals.first()
    goal.description = "Reach <b>the shelf</b> & back"
    goal.save()
    html = pt_client.get(url("note_form", visit, "measure"), headers=HX).content.decode()
    assert "<b>the shelf</b>" not in html
    assert "Reach &lt;b&gt;the shelf&lt;/b&gt; &amp; back</option>" in html


def test_the_shorthand_legend_lists_every_abbreviation_with_its_meaning(pt_client, visit):
    legend = page(pt_client.get(url("visit_note", visit))).legend
    assert [tuple(pair) for pair in legend] == list(ABBREVIATIONS)
