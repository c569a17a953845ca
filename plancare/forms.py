"""Forms validate and convert only (DESIGN.md §2.8); the rules live in plancare.rules and the
messages they return appear next to the field they concern."""

import datetime as dt

from crispy_forms.layout import Field, Row
from django import forms
from django.utils import timezone

from accounts.models import Discipline, Role, User
from billing.models import PayerProfile, PayerType
from plancare import measures, rules
from plancare.formkit import (
    DATE,
    CertifierMixin,
    CleanTextMixin,
    col,
    helper,
    initial_default,
)
from plancare.models import (
    Diagnosis,
    Goal,
    GoalStatus,
    IcdCode,
    Patient,
    PlanDiscipline,
    PlanOfCare,
    Side,
)

# --- Patient --------------------------------------------------------------------------------


class PayerProfileField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PayerProfile) -> str:
        return obj.name


class PatientForm(CleanTextMixin, forms.ModelForm):
    payer_profile = PayerProfileField(
        queryset=PayerProfile.objects.all(),
        required=False,
        label="Payer billing profile",
        help_text="Optional: the payer's own rules. Empty uses the default for the payer type.",
    )

    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "mrn",
            "payer_type",
            "member_id",
            "payer_profile",
            "is_active",
        ]
        widgets = {"date_of_birth": DATE}
        labels = {"mrn": "Medical record number (MRN)", "is_active": "Active patient"}

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic = clinic
        profiles = list(PayerProfile.objects.order_by("payer_type", "name"))
        self._profiles = {p.pk: p for p in profiles}
        labels = dict(PayerType.choices)
        groups: dict[str, list] = {}
        for profile in profiles:
            groups.setdefault(labels.get(profile.payer_type, profile.payer_type), []).append(
                (profile.pk, profile.name)
            )
        self.fields["payer_profile"].choices = [("", "Default for the payer type"), *groups.items()]
        self.fields["member_id"].required = False
        self.fields["member_id"].help_text = "From the insurance card; not needed for self-pay."
        self.helper = helper(
            Row(*col("first_name", "last_name")),
            Row(*col("date_of_birth", "sex", "mrn", size="col-12 col-md-4")),
            Row(*col("payer_type", "member_id", "payer_profile", size="col-12 col-md-4")),
            Field("is_active"),
        )

    def clean_date_of_birth(self) -> dt.date:
        born = self.cleaned_data["date_of_birth"]
        if problem := rules.birth_date_problem(born, timezone.localdate()):
            raise forms.ValidationError(problem)
        return born

    def clean_mrn(self) -> str:
        mrn = rules.clean_text(self.cleaned_data["mrn"])
        if not mrn:
            raise forms.ValidationError("Enter the medical record number.")
        taken = Patient.objects.filter(clinic=self.clinic, mrn__iexact=mrn)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                f"MRN {mrn} already belongs to another patient of this clinic: check the number "
                "or open that patient's chart."
            )
        return mrn

    def clean(self):
        data = super().clean()
        payer_type = data.get("payer_type")
        if payer_type and (problem := rules.member_id_problem(payer_type, data.get("member_id"))):
            self.add_error("member_id", problem)
        profile = data.get("payer_profile")
        if payer_type and profile is not None:
            labels = dict(PayerType.choices)
            problem = rules.payer_profile_problem(
                payer_type,
                profile.payer_type,
                profile_name=profile.name,
                payer_label=labels.get(payer_type, payer_type),
                profile_label=labels.get(profile.payer_type, profile.payer_type),
            )
            if problem:
                self.add_error("payer_profile", problem)
        return data


# --- Plan of care ---------------------------------------------------------------------------

PLAN_CLINICIAN_DISCIPLINES = [Discipline.PT, Discipline.OT, Discipline.DC]


class ClinicianField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.get_discipline_display()})"


def plan_clinicians(clinic):
    return User.objects.filter(
        clinic=clinic,
        role=Role.CLINICIAN,
        discipline__in=PLAN_CLINICIAN_DISCIPLINES,
        is_active=True,
    ).order_by("last_name", "first_name")


class PlanForm(CleanTextMixin, CertifierMixin, forms.ModelForm):
    """The plan of care. A new plan also takes its primary diagnosis (E9: medical necessity
    ties the functional limitations to a diagnosis); more diagnoses are added on the plan."""

    required_texts = {
        "functional_limitations": "Describe what the patient cannot do.",
        "medical_necessity": "State why skilled care is medically necessary.",
    }

    clinician = ClinicianField(queryset=User.objects.none(), label="Treating clinician")
    primary_code = forms.CharField(
        label="Primary diagnosis (ICD-10-CM)",
        max_length=12,
        help_text="e.g. M54.2 or M54.50; more diagnoses can be added on the plan page.",
        widget=forms.TextInput(attrs={"list": "icd10-codes", "autocomplete": "off"}),
    )
    primary_description = forms.CharField(
        label="Diagnosis description",
        max_length=250,
        required=False,
        help_text="Filled in from the catalog when left empty.",
    )

    class Meta:
        model = PlanOfCare
        fields = [
            "discipline",
            "clinician",
            "certifier_name",
            "certifier_npi",
            "start_date",
            "cert_from",
            "cert_through",
            "certified_on",
            "frequency_per_week",
            "duration_weeks",
            "body_regions",
            "functional_limitations",
            "medical_necessity",
        ]
        widgets = {
            "start_date": DATE,
            "cert_from": DATE,
            "cert_through": DATE,
            "certified_on": DATE,
            "functional_limitations": forms.Textarea(attrs={"rows": 3}),
            "medical_necessity": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"start_date": "Start of care"}
        help_texts = {
            "certifier_name": 'The referring/certifying physician or NPP, e.g. "Dr. Ana Reyes".',
            "cert_through": "At most 90 days after “certified from”, counting both days.",
            "body_regions": 'e.g. "Cervical spine", "Lumbar spine; right shoulder".',
            "functional_limitations": "What the patient cannot do because of the diagnoses, "
            'e.g. "cannot turn the head to check mirrors while driving (M54.2)".',
            "medical_necessity": "Why the skills of a licensed clinician are needed.",
        }

    def __init__(self, *args, clinic, user=None, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.fields["clinician"].queryset = plan_clinicians(clinic)
        self.fields["certifier_npi"].help_text = "10 digits."
        if not creating:
            del self.fields["primary_code"]
            del self.fields["primary_description"]
        elif not self.is_bound:
            today = timezone.localdate()
            initial_default(self, "start_date", today)
            initial_default(self, "cert_from", today)
            initial_default(self, "cert_through", rules.last_certifiable_day(today))
            initial_default(self, "frequency_per_week", 2)
            initial_default(self, "duration_weeks", 8)
            if user is not None and user.discipline in PlanDiscipline.values:
                initial_default(self, "discipline", user.discipline)
                initial_default(self, "clinician", user.pk)
        diagnosis = [Row(*col("primary_code", "primary_description"))] if creating else []
        self.helper = helper(
            Row(*col("discipline", "clinician")),
            Row(*col("certifier_name", "certifier_npi")),
            Row(
                *col(
                    "start_date",
                    "cert_from",
                    "cert_through",
                    "certified_on",
                    size="col-12 col-sm-6 col-lg-3",
                )
            ),
            Row(
                *col("frequency_per_week", "duration_weeks", "body_regions", size="col-12 col-md-4")
            ),
            *diagnosis,
            Field("functional_limitations"),
            Field("medical_necessity"),
        )

    def clean_frequency_per_week(self) -> int:
        value = self.cleaned_data["frequency_per_week"]
        if problem := rules.frequency_problem(value):
            raise forms.ValidationError(problem)
        return value

    def clean_duration_weeks(self) -> int:
        value = self.cleaned_data["duration_weeks"]
        if problem := rules.duration_problem(value):
            raise forms.ValidationError(problem)
        return value

    def clean_primary_code(self) -> str:
        try:
            return rules.normalize_icd10(self.cleaned_data["primary_code"])
        except rules.IcdCodeError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        cert_from, cert_through = data.get("cert_from"), data.get("cert_through")
        if cert_from and cert_through:
            if problem := rules.certification_period_problem(cert_from, cert_through):
                self.add_error("cert_through", problem)
            elif data.get("start_date") and (
                problem := rules.start_date_problem(data["start_date"], cert_from, cert_through)
            ):
                self.add_error("start_date", problem)
        clinician, discipline = data.get("clinician"), data.get("discipline")
        if clinician and discipline:
            problem = rules.plan_clinician_problem(
                discipline,
                clinician.discipline,
                dict(PlanDiscipline.choices).get(discipline, "").lower(),
            )
            if problem:
                self.add_error("clinician", problem)
        if self.creating and data.get("primary_code") and not data.get("primary_description"):
            catalog = IcdCode.objects.filter(code=data["primary_code"]).first()
            if catalog is None:
                self.add_error(
                    "primary_description",
                    f"{data['primary_code']} is not in the catalog: enter its description.",
                )
            else:
                data["primary_description"] = catalog.description
        if self.creating:
            data["primary_description"] = rules.clean_text(data.get("primary_description", ""))
        return data


class PlanStatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (rules.ACTIVATE, "Activate"),
            (rules.HOLD, "Put on hold"),
            (rules.DISCHARGE, "Discharge"),
        ]
    )
    day = forms.DateField(label="Date", required=False, widget=DATE)


class RecertifyForm(CleanTextMixin, CertifierMixin, forms.Form):
    cert_from = forms.DateField(label="Certified from", widget=DATE)
    cert_through = forms.DateField(
        label="Certified through",
        widget=DATE,
        help_text="At most 90 days after “certified from”, counting both days.",
    )
    certified_on = forms.DateField(
        label="Date the certifier signed",
        required=False,
        widget=DATE,
        help_text="Leave empty until the signed recertification is back.",
    )
    certifier_name = forms.CharField(label="Certifying physician / NPP", max_length=200)
    certifier_npi = forms.CharField(label="Certifier NPI", max_length=12, required=False)

    def __init__(self, *args, plan: PlanOfCare, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        start, through = rules.recertification_period(plan.cert_through)
        initial_default(self, "cert_from", start)
        initial_default(self, "cert_through", through)
        initial_default(self, "certifier_name", plan.certifier_name)
        initial_default(self, "certifier_npi", plan.certifier_npi)
        self.helper = helper(
            Row(*col("cert_from", "cert_through", "certified_on", size="col-12 col-md-4")),
            Row(*col("certifier_name", "certifier_npi")),
        )

    def clean(self):
        data = super().clean()
        cert_from, cert_through = data.get("cert_from"), data.get("cert_through")
        if cert_from and (
            problem := rules.recertification_problem(self.plan.cert_through, cert_from)
        ):
            self.add_error("cert_from", problem)
        elif (
            cert_from
            and cert_through
            and (problem := rules.certification_period_problem(cert_from, cert_through))
        ):
            self.add_error("cert_through", problem)
        return data


# --- Diagnoses ------------------------------------------------------------------------------


class DiagnosisForm(CleanTextMixin, forms.ModelForm):
    code = forms.CharField(
        label="ICD-10-CM code",
        max_length=12,
        help_text="e.g. M54.50; the dot is added for you.",
        widget=forms.TextInput(attrs={"list": "icd10-codes", "autocomplete": "off"}),
    )

    class Meta:
        model = Diagnosis
        fields = ["code", "description", "onset_date", "is_primary"]
        widgets = {"onset_date": DATE}
        help_texts = {"description": "Filled in from the catalog when left empty."}

    def __init__(self, *args, plan: PlanOfCare, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["description"].required = False
        self.helper = helper(
            Row(
                *col("code", size="col-12 col-md-3"),
                *col("description", size="col-12 col-md-5"),
                *col("onset_date", size="col-12 col-md-2"),
                *col("is_primary", size="col-12 col-md-2 pt-md-4"),
            )
        )

    def clean_code(self) -> str:
        try:
            code = rules.normalize_icd10(self.cleaned_data["code"])
        except rules.IcdCodeError as exc:
            raise forms.ValidationError(str(exc)) from exc
        taken = Diagnosis.objects.filter(plan=self.plan, code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"{code} is already on this plan: edit that diagnosis.")
        return code

    def clean_onset_date(self) -> dt.date | None:
        onset = self.cleaned_data["onset_date"]
        if problem := rules.onset_date_problem(onset, timezone.localdate()):
            raise forms.ValidationError(problem)
        return onset

    def clean(self):
        data = super().clean()
        data["description"] = rules.clean_text(data.get("description", ""))
        code = data.get("code")
        if code and not data["description"]:
            catalog = IcdCode.objects.filter(code=code).first()
            if catalog is None:
                self.add_error(
                    "description", f"{code} is not in the catalog: enter its description."
                )
            else:
                data["description"] = catalog.description
        if (
            self.instance.pk
            and self.initial.get("is_primary")
            and not data.get("is_primary")
            and not self.plan.diagnoses.exclude(pk=self.instance.pk)
            .filter(is_primary=True)
            .exists()
        ):
            self.add_error(
                "is_primary",
                "A plan needs a primary diagnosis: mark another diagnosis primary instead.",
            )
        return data


# --- Goals ----------------------------------------------------------------------------------


class GoalForm(CleanTextMixin, forms.ModelForm):
    required_texts = {
        "description": 'Describe the functional goal, e.g. "Reach overhead shelf".',
        "measure_name": "Name the measure or test.",
    }

    class Meta:
        model = Goal
        fields = [
            "description",
            "term",
            "measure_kind",
            "measure_name",
            "joint",
            "motion",
            "side",
            "unit",
            "baseline",
            "target",
            "direction",
            "target_date",
            "status",
            "status_date",
            "status_reason",
        ]
        widgets = {
            "target_date": DATE,
            "status_date": DATE,
            "direction": forms.RadioSelect,
        }
        labels = {
            "measure_kind": "Measure",
            "measure_name": "Measure name / context",
            "status_date": "Status date",
            "status_reason": "Reason",
        }
        help_texts = {
            "measure_name": 'e.g. "Active cervical rotation", "Pain with rotation", "NDI".',
            "joint": "Range of motion: the joint, e.g. cervical spine.",
            "motion": "Range of motion: e.g. rotation, flexion.",
            "unit": "Filled in for ROM (°), pain (/10) and girth (cm); for a test: %, points, s.",
            "target_date": "Inside the plan's period.",
            "status_reason": 'Needed for "not met" and "discontinued".',
        }

    def __init__(self, *args, plan: PlanOfCare, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["unit"].required = False
        self.fields["direction"].choices = self.fields["direction"].choices[1:]  # no blank
        # "Not applicable" first, so a new goal never gets a side by accident.
        self.fields["side"].choices = [("", "Not applicable")] + [
            (value, label) for value, label in Side.choices if value
        ]
        if self.instance.pk and not self.is_bound:
            for name in ("baseline", "target"):
                self.initial[name] = rules.format_number(getattr(self.instance, name))
        if not self.instance.pk:
            for name in ("status", "status_date", "status_reason"):
                del self.fields[name]
            if not self.is_bound:
                initial_default(self, "target_date", plan.cert_through)
        status = (
            [Row(*col("status", "status_date", "status_reason", size="col-12 col-md-4"))]
            if self.instance.pk
            else []
        )
        self.helper = helper(
            Row(
                *col("description", size="col-12 col-md-8"),
                *col("term", size="col-12 col-md-4"),
            ),
            Row(
                *col("measure_kind", size="col-12 col-md-4"),
                *col("measure_name", size="col-12 col-md-8"),
            ),
            Row(*col("joint", "motion", "side", "unit", size="col-12 col-sm-6 col-md-3")),
            Row(
                *col("baseline", "target", size="col-6 col-md-3"),
                *col("direction", size="col-12 col-md-3"),
                *col("target_date", size="col-12 col-md-3"),
            ),
            *status,
        )

    def clean(self):
        data = super().clean()
        for name in ("joint", "motion", "unit", "status_reason"):
            if name in data:
                data[name] = rules.clean_text(data[name] or "")
        kind = data.get("measure_kind")
        if kind:
            if not data.get("unit") and kind in rules.DEFAULT_UNITS:
                data["unit"] = rules.DEFAULT_UNITS[kind]
            if problem := rules.goal_unit_problem(kind, data.get("unit", "")):
                self.add_error("unit", problem)
            for name, message in rules.goal_rom_problem(
                kind, data.get("joint", ""), data.get("motion", "")
            ).items():
                self.add_error(name, message)
            for name in ("baseline", "target"):
                if data.get(name) is not None and (
                    problem := rules.goal_value_problem(kind, data[name])
                ):
                    self.add_error(name, problem)
        baseline, target, direction = (
            data.get("baseline"),
            data.get("target"),
            data.get("direction"),
        )
        if kind and direction and (problem := measures.direction_problem(kind, direction)):
            self.add_error("direction", problem)
        if (
            baseline is not None
            and target is not None
            and direction
            and "target" not in self.errors
            and "baseline" not in self.errors
            and (problem := rules.goal_target_problem(baseline, target, direction))
        ):
            self.add_error("target", problem)
        plan_from = min(self.plan.start_date, self.plan.cert_from)
        if data.get("target_date") and (
            problem := rules.goal_date_problem(
                data["target_date"], plan_from, self.plan.cert_through
            )
        ):
            self.add_error("target_date", problem)
        if "status" in self.fields and data.get("status"):
            for name, message in rules.goal_status_problems(
                data["status"],
                data.get("status_date"),
                data.get("status_reason", ""),
                today=timezone.localdate(),
                plan_from=plan_from,
            ).items():
                self.add_error(name, message)
            if data["status"] == GoalStatus.NOT_STARTED and "status_date" in data:
                data["status_date"] = None
        return data
