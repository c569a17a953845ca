"""The audit report's filters (django-filter): date range in the clinic's time zone, user,
patient, action, and a whitelisted sort. Validates and converts only."""

import datetime as dt

import django_filters
from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Q

from accounts.formkit import filter_helper, iso_date_options
from accounts.models import AccessAction, AccessEvent, User

# The only orderings the report accepts: parameter value -> (label, order_by fields). The
# event id breaks ties so pages never overlap.
SORTS = {
    "-at": ("Newest first", ("-at", "-id")),
    "at": ("Oldest first", ("at", "id")),
    "user": ("User (A-Z)", ("user__username", "-at", "-id")),
    "patient": ("Patient (A-Z)", ("patient__last_name", "patient__first_name", "-at", "-id")),
    "action": ("Action (A-Z)", ("action", "-at", "-id")),
}
DEFAULT_SORT = "-at"
SORT_ERROR = "Sort by one of: " + ", ".join(f"{key} ({label})" for key, (label, _) in SORTS.items())


def _clinic_users(request):
    if request is None:
        return User.objects.none()
    return User.objects.filter(clinic_id=request.user.clinic_id).order_by(
        "last_name", "first_name", "username"
    )


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class _UserFilter(django_filters.ModelChoiceFilter):
    field_class = _UserChoice


class _ReportForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "Enter a date on or after the From date.")
        return cleaned


class AccessEventFilter(django_filters.FilterSet):
    """Bound to `request.GET`; pass `request` so the user list and the day boundaries are the
    user's clinic's."""

    start = django_filters.DateFilter(method="filter_start", **iso_date_options("From"))
    end = django_filters.DateFilter(method="filter_end", **iso_date_options("To"))
    user = _UserFilter(
        label="User",
        queryset=_clinic_users,
        empty_label="Everyone",
        error_messages={"invalid_choice": "Choose a user of this clinic from the list."},
    )
    patient = django_filters.CharFilter(
        label="Patient (MRN or last name)", method="filter_patient", max_length=100
    )
    action = django_filters.ChoiceFilter(
        label="Action",
        choices=AccessAction.choices,
        empty_label="Any action",
        error_messages={"invalid_choice": "Choose an action from the list."},
    )
    sort = django_filters.ChoiceFilter(
        label="Sort",
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        empty_label=None,
        method="filter_sort",
        error_messages={"invalid_choice": SORT_ERROR},
    )

    class Meta:
        model = AccessEvent
        form = _ReportForm
        fields = ["start", "end", "user", "patient", "action", "sort"]

    def __init__(self, data=None, *args, request=None, **kwargs):
        super().__init__(data, *args, request=request, **kwargs)
        self.form.helper = _helper()

    @property
    def _tz(self):
        return self.request.user.clinic.tz

    def _day_start(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time.min, tzinfo=self._tz)

    def filter_start(self, queryset, name, value):
        return queryset.filter(at__gte=self._day_start(value))

    def filter_end(self, queryset, name, value):
        return queryset.filter(at__lt=self._day_start(value + dt.timedelta(days=1)))

    def filter_patient(self, queryset, name, value):
        value = value.replace("\x00", "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(patient__mrn__iexact=value) | Q(patient__last_name__istartswith=value)
        )

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value or DEFAULT_SORT][1])

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT][1])
        return queryset

    def clean_summary(self) -> str:
        """The filters in force, for the access event that records the reading."""
        data = self.form.cleaned_data
        parts = [
            f"{name}={getattr(data[name], 'username', data[name])}"
            for name in ("start", "end", "user", "patient", "action")
            if data.get(name)
        ]
        parts.append(f"sort={data.get('sort') or DEFAULT_SORT}")
        return " ".join(parts)


def _helper() -> FormHelper:
    return filter_helper(
        "audit_report",
        ("start", "col-6 col-md-3"),
        ("end", "col-6 col-md-3"),
        ("user", "col-12 col-md-3"),
        ("patient", "col-12 col-md-3"),
        ("action", "col-6 col-md-3"),
        ("sort", "col-6 col-md-3"),
    )
