"""The desk's filters (django-filter): clinician, patient, age, date range, kind of row, and a
sort key from a whitelist. Forms validate only; an unknown sort key is reported by the view as
a 400 with the list of keys it accepts."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from accounts.models import Role, User

UNSIGNED, COSIGN, DEADLINES = "unsigned", "cosign", "deadlines"
KIND_CHOICES = (
    (UNSIGNED, "Unsigned notes"),
    (COSIGN, "Awaiting co-signature"),
    (DEADLINES, "Deadlines"),
)
AGE_CHOICES = (("1", "1 day or more"), ("3", "3 days or more"), ("7", "7 days or more"))

# sort key -> the visit ordering (notes) it stands for; "-key" reverses it.
VISIT_SORTS = {
    "date": ("date_of_service", "id"),
    "age": ("-date_of_service", "-id"),
    "patient": ("patient__last_name", "patient__first_name", "date_of_service", "id"),
    "clinician": ("clinician__last_name", "clinician__first_name", "date_of_service", "id"),
    "visit": ("visit_number", "date_of_service", "id"),
}
SORT_KEYS = tuple(VISIT_SORTS) + tuple(f"-{key}" for key in VISIT_SORTS)
SORT_LABELS = {
    "date": "Date of service, oldest first",
    "-date": "Date of service, newest first",
    "age": "Age, youngest first",
    "-age": "Age, oldest first",
    "patient": "Patient, A to Z",
    "-patient": "Patient, Z to A",
    "clinician": "Clinician, A to Z",
    "-clinician": "Clinician, Z to A",
    "visit": "Visit number, lowest first",
    "-visit": "Visit number, highest first",
}
DEFAULT_SORT = "date"  # oldest first
SORT_MESSAGE = "Sort by one of: " + ", ".join(SORT_KEYS) + "."


def _reverse(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(o[1:] if o.startswith("-") else f"-{o}" for o in ordering)


def visit_ordering(key: str) -> tuple[str, ...]:
    if key.startswith("-"):
        return _reverse(VISIT_SORTS[key[1:]])
    return VISIT_SORTS[key]


class DeskFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=KIND_CHOICES, empty_label=None, method="keep", label="Show"
    )
    clinician = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(),
        empty_label="Every clinician",
        label="Clinician",
        method="filter_clinician",
    )
    patient = django_filters.CharFilter(method="filter_patient", label="Patient name or MRN")
    age = django_filters.ChoiceFilter(
        choices=AGE_CHOICES, empty_label="Any age", method="keep", label="Unsigned for"
    )
    date_from = django_filters.DateFilter(
        field_name="date_of_service",
        lookup_expr="gte",
        label="Date of service from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="date_of_service",
        lookup_expr="lte",
        label="Date of service to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, SORT_LABELS[key]) for key in SORT_KEYS],
        empty_label=None,
        method="keep",
        label="Sort by",
        error_messages={"invalid_choice": SORT_MESSAGE},
    )

    def __init__(self, data=None, *args, clinic, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        clinicians = User.objects.filter(clinic=clinic, role=Role.CLINICIAN, is_active=True)
        self.filters["clinician"].queryset = clinicians.order_by("last_name", "first_name")
        if user.is_clinician:  # a clinician's desk holds their own rows only
            del self.filters["clinician"]
        self.form.fields["sort"].error_messages["invalid_choice"] = SORT_MESSAGE

    def keep(self, queryset, name, value):
        """Fields the view applies itself (kind of row, age from the clinic's today, sort)."""
        return queryset

    def filter_clinician(self, queryset, name, value):
        """The rendering clinician; on co-signatures also the supervisor who owes it."""
        if self.form.cleaned_data.get("kind") == COSIGN:
            return queryset.filter(Q(clinician=value) | Q(clinician__supervising_therapist=value))
        return queryset.filter(clinician=value)

    def filter_patient(self, queryset, name, value):
        return queryset.filter(patient_q(value, prefix="patient__"))

    def cleaned(self, name: str, default=None):
        value = self.form.cleaned_data.get(name) if hasattr(self.form, "cleaned_data") else None
        return value or default


def patient_q(text: str, *, prefix: str) -> Q:
    """Every word of the text in the patient's first or last name, or the whole text as MRN."""
    words = text.split()
    query = Q(**{f"{prefix}mrn__iexact": text.strip()})
    by_name = Q()
    for word in words:
        by_name &= Q(**{f"{prefix}last_name__icontains": word}) | Q(
            **{f"{prefix}first_name__icontains": word}
        )
    return query | by_name if words else Q()
