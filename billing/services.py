"""Billing workflows (DESIGN.md §2.3): the loader of the billing preview and the charge lines.

`visit_billing(visit)` answers, while the note is being written, what the visit will bill
under the patient's payer. The computation is the pure `billing.preview.billing_preview`;
`billing_inputs` here is its thin loader (payer profile, NCCI/MUE edits in force on the date
of service, unit rates, the KX threshold and the year's spending) in a fixed number of
queries. The note page and the sign-off audit share one preview per request;
`charge_lines_create(visit=..., preview=...)` turns that same answer into the charge lines
when the visit is signed, exactly once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.csvsafe import csv_safe  # re-exported: the one formula-safe cell rule
from accounts.models import ASSISTANT_DISCIPLINES, User
from billing import reference
from billing.fees import fee_schedule
from billing.models import (
    ChargeLine,
    Code,
    KxThreshold,
    Modifier59Choice,
    PayerProfile,
    PayerType,
)
from billing.preview import (
    BillingInputs,
    BillingPreview,
    BillingWarning,
    Charted,
    CodeInfo,
    LineEstimate,
    PayerRules,
    billing_preview,
    charted_minute_totals,
    kx_codes,
    kx_considered,
)
from billing.units import METHOD_AMA, METHOD_CMS

__all__ = [
    "DEFAULT_PAYER_PROFILES",
    "BillingPreview",
    "BillingWarning",
    "LineEstimate",
    "billing_inputs",
    "charted_rows",
    "charge_lines_create",
    "csv_safe",
    "payer_profile_for",
    "visit_billing",
]

MAX_DIAGNOSIS_POINTERS = 4  # a claim line points to at most four diagnoses


# --- payer profiles -----------------------------------------------------------------------------

# What a payer type does unless its entry says otherwise: units per code (AMA), modifier 59,
# NCCI edits applied, no therapy or assistant modifiers, no KX threshold.
_PER_CODE: dict = {
    "unit_method": METHOD_AMA,
    "requires_therapy_modifiers": False,
    "applies_assistant_modifiers": False,
    "assistant_payment_rate": Decimal("1.00"),
    "applies_kx": False,
    "modifier_59_choice": Modifier59Choice.M59,
    "covers_chiropractor_97140": True,
    "applies_edits": True,
}
# Medicare's way of billing (DOMAIN.md §3): CMS units over the day's total timed minutes, the
# therapy modifiers, and the X{EPSU} modifiers in place of 59.
_CMS_RULES: dict = {
    **_PER_CODE,
    "unit_method": METHOD_CMS,
    "requires_therapy_modifiers": True,
    "modifier_59_choice": Modifier59Choice.X,
}
# The default profile of each payer type. `billing.demo` stores them (clinics change them in
# the admin); a payer type without a stored default uses these values unsaved.
DEFAULT_PAYER_PROFILES: dict[str, dict] = {
    PayerType.MEDICARE_B: {
        **_CMS_RULES,
        "name": "Medicare Part B",
        "applies_assistant_modifiers": True,
        "assistant_payment_rate": Decimal("0.85"),
        "applies_kx": True,
        "covers_chiropractor_97140": False,
    },
    # Plans cover at least what Original Medicare covers; a plan that covers more is given its
    # own profile.
    PayerType.MEDICARE_ADV: {
        **_CMS_RULES,
        "name": "Medicare Advantage",
        "covers_chiropractor_97140": False,
    },
    PayerType.MEDICAID: {**_CMS_RULES, "name": "Medicaid"},
    PayerType.COMMERCIAL: {
        **_PER_CODE,
        "name": "Commercial (per-code)",
        "requires_therapy_modifiers": True,
    },
    PayerType.WORKERS_COMP: {**_PER_CODE, "name": "Workers' compensation"},
    PayerType.SELF_PAY: {**_PER_CODE, "name": "Self-pay", "applies_edits": False},
}


def default_payer_profile(payer_type: str) -> PayerProfile:
    """The unsaved default profile of a payer type (commercial rules for an unknown type)."""
    values = DEFAULT_PAYER_PROFILES.get(payer_type, DEFAULT_PAYER_PROFILES[PayerType.COMMERCIAL])
    return PayerProfile(payer_type=payer_type, is_default_for_type=True, **values)


def payer_profile_for(patient) -> PayerProfile:
    """The patient's own payer profile, else the stored default of the patient's payer type,
    else the built-in default of that type (one query at most)."""
    if patient.payer_profile_id:
        return patient.payer_profile
    stored = PayerProfile.objects.filter(
        payer_type=patient.payer_type, is_default_for_type=True
    ).first()
    return stored or default_payer_profile(patient.payer_type)


# --- the preview --------------------------------------------------------------------------------


def _is_cached(row, name: str) -> bool:
    return type(row)._meta.get_field(name).is_cached(row)


def _assistant_ids(visit, rows: list) -> set[int]:
    """Ids of the assistants among the clinicians of `rows` (no query when they are loaded)."""
    ids = {row.clinician_id for row in rows}
    if not ids:
        return set()
    if all(_is_cached(row, "clinician") for row in rows):
        return {row.clinician_id for row in rows if row.clinician.is_assistant}
    if ids == {visit.clinician_id} and _is_cached(visit, "clinician"):
        return ids if visit.clinician.is_assistant else set()
    return set(
        User.objects.filter(pk__in=ids, discipline__in=ASSISTANT_DISCIPLINES).values_list(
            "pk", flat=True
        )
    )


def _codes_of(rows: list) -> dict[str, CodeInfo]:
    """The catalog entries of the rows' codes (no query when the rows carry their code)."""
    if all(_is_cached(row, "code") for row in rows):
        codes = {row.code_id: row.code for row in rows}
    else:
        codes = Code.objects.in_bulk({row.code_id for row in rows})
    return {
        code: CodeInfo(code, entry.descriptor, entry.timed, entry.category)
        for code, entry in codes.items()
    }


def _kx_figures(visit, discipline: str, year: int) -> tuple[Decimal | None, Decimal]:
    """The year's KX threshold and the patient's charge-line estimates of the calendar year
    under plans of the same therapy discipline, this visit's own lines left out: one query.
    Medicare keeps one threshold for PT (with speech) and another of the same amount for OT."""
    spent = (
        ChargeLine.objects.filter(
            patient_id=visit.patient_id,
            date_of_service__year=year,
            visit__plan__discipline=discipline,
        )
        .exclude(visit_id=visit.pk)
        .order_by()
        .values("patient_id")
        .annotate(total=Sum("fee_estimate"))
        .values("total")
    )
    row = (
        KxThreshold.objects.filter(year=year)
        .annotate(
            spent=Coalesce(
                Subquery(spent[:1]),
                Value(Decimal(0)),
                output_field=DecimalField(max_digits=12, decimal_places=2),
            )
        )
        .values_list("amount", "spent")
        .first()
    )
    if row is None:
        return None, Decimal(0)
    return row[0], row[1]


def charted_rows(visit, blocks, services, techniques) -> list[Charted]:
    """The rows that bill, as plain data (no query when the rows carry code and clinician)."""
    blocks = [block for block in blocks if block.stopped_at is not None]  # running: no minutes
    assistants = _assistant_ids(visit, blocks + services)
    catalog = _codes_of(blocks + services)
    technique_by_id = {t.pk: t for t in techniques}
    charted = []
    for block in blocks:
        technique = technique_by_id.get(block.technique_id)
        charted.append(
            Charted(
                code=catalog[block.code_id],
                minutes=block.minutes,
                by_assistant=block.clinician_id in assistants,
                region=(technique.region, technique.laterality) if technique else None,
                interval=(block.started_at, block.stopped_at),
            )
        )
    for service in services:
        charted.append(
            Charted(
                code=catalog[service.code_id],
                minutes=service.minutes,
                by_assistant=service.clinician_id in assistants,
                region=(service.region, ""),
            )
        )
    return charted


def charted_totals(visit, *, blocks, services) -> tuple[int, int]:
    """Total timed and total treatment minutes of the rows given (a signed note's page)."""
    return charted_minute_totals(
        charted_rows(visit, list(blocks), list(services), []), visit.untimed_minutes
    )


def billing_inputs(visit, *, blocks=None, services=None, techniques=None) -> BillingInputs:
    """Everything `billing_preview` needs about the visit. Pass the already-fetched time
    blocks, untimed services and techniques to save their queries; the rest is a fixed number
    of queries (payer profile when the patient has none of their own, the payer's own fees,
    KX threshold with the year's spending). The national tables (NCCI pairs, MUE limits, RVUs)
    come from `billing.reference`, kept per process."""
    if blocks is None:
        blocks = visit.time_blocks.filter(stopped_at__isnull=False).select_related("clinician")
    if services is None:
        services = visit.untimed_services.select_related("clinician")
    if techniques is None:
        techniques = visit.techniques.all()
    techniques = list(techniques)
    charted = charted_rows(visit, list(blocks), list(services), techniques)
    catalog = {row.code.code: row.code for row in charted}
    day = visit.date_of_service
    discipline = visit.plan.discipline
    profile = payer_profile_for(visit.patient)
    payer = PayerRules.of(profile)
    codes = sorted({row.code.code for row in charted if row.minutes > 0 or not row.code.timed})
    ptp, mue = (), {}
    if payer.applies_edits:
        ptp = reference.pairs_in_force(codes, day)
        mue = reference.mue_caps(codes)
    rates = fee_schedule(payer=profile, codes=codes, year=day.year).rates if codes else {}
    threshold, spent = None, Decimal(0)
    if kx_considered(payer, discipline, kx_codes(catalog, codes)):
        threshold, spent = _kx_figures(visit, discipline, day.year)
    return BillingInputs(
        day=day,
        plan_discipline=discipline,
        clinician_discipline=visit.clinician.discipline,
        untimed_minutes=visit.untimed_minutes,
        payer=payer,
        charted=tuple(charted),
        technique_regions=tuple((t.region, t.laterality) for t in techniques),
        ptp_pairs=ptp,
        mue=mue,
        rates=dict(rates),
        kx_threshold=threshold,
        kx_year_to_date=spent,
    )


def visit_billing(visit, *, blocks=None, services=None, techniques=None) -> BillingPreview:
    """What the visit bills under the patient's payer, with the warnings to act on before
    signing: `billing_preview(billing_inputs(...))`."""
    return billing_preview(
        billing_inputs(visit, blocks=blocks, services=services, techniques=techniques)
    )


# --- charge lines -------------------------------------------------------------------------------


def rendering_clinician_for(visit) -> User:
    """The clinician whose NPI bills the visit: the visit's clinician, or for an assistant the
    supervising therapist (assistants do not bill under their own NPI)."""
    clinician = visit.clinician
    if clinician.is_assistant and clinician.supervising_therapist_id:
        return clinician.supervising_therapist
    return clinician


def charge_lines_create(*, visit, preview: BillingPreview | None = None) -> list[ChargeLine]:
    """The visit's charge lines, made from its billing preview the first time and returned as
    they are afterwards: exactly once per visit (the unique (visit, code) constraint backs it).

    The signing code calls it inside its transaction, holding the lock of the draft it signs,
    with the preview its audit used: a draft has no charge line yet, so it writes them
    without looking (no savepoint of its own there either). Without a preview it looks first
    and computes `visit_billing(visit)`."""
    with transaction.atomic(savepoint=False):
        if preview is None:
            existing = list(ChargeLine.objects.filter(visit=visit))
            if existing:
                return existing
            preview = visit_billing(visit)
        billed = preview.billed_lines
        if not billed:
            return []
        diagnoses = list(visit.plan.diagnoses.all()[:MAX_DIAGNOSIS_POINTERS])
        pointers = ",".join(str(n) for n in range(1, len(diagnoses) + 1))
        diagnosis_codes = ",".join(d.code for d in diagnoses)
        rendering = rendering_clinician_for(visit)
        lines = [
            ChargeLine(
                visit=visit,
                clinic_id=visit.clinic_id,
                patient_id=visit.patient_id,
                payer_name=preview.payer_name,
                code_id=line.code,
                units=line.units,
                modifiers=",".join(line.modifiers),
                minutes=line.minutes,
                rendering_clinician=rendering,
                rendering_npi=rendering.npi,
                diagnosis_pointers=pointers,
                diagnosis_codes=diagnosis_codes,
                fee_estimate=line.fee,
                date_of_service=visit.date_of_service,
            )
            for line in billed
        ]
        return ChargeLine.objects.bulk_create(lines)


# --- the biller's CSV -----------------------------------------------------------------------------

CSV_HEADER = [
    "Date of service",
    "Patient",
    "MRN",
    "Payer",
    "Code",
    "Modifiers",
    "Units",
    "Minutes",
    "Rendering clinician",
    "NPI",
    "Diagnosis pointers",
    "Diagnosis codes",
    "Fee estimate",
]


def charge_line_rows(lines: Iterable[ChargeLine]) -> Iterator[list[str]]:
    """One CSV row per charge line (select_related: patient, rendering_clinician)."""
    for line in lines:
        yield [
            csv_safe(cell)
            for cell in (
                line.date_of_service.isoformat(),
                line.patient.full_name,
                line.patient.mrn,
                line.payer_name,
                line.code_id,
                line.modifiers,
                line.units,
                line.minutes,
                line.rendering_clinician.get_full_name() or line.rendering_clinician.username,
                line.rendering_npi,
                line.diagnosis_pointers,
                line.diagnosis_codes,
                "" if line.fee_estimate is None else f"{line.fee_estimate:.2f}",
            )
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def charge_lines_csv(lines: Iterable[ChargeLine]) -> Iterator[str]:
    """The CSV text, line by line, for a streaming response."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for row in charge_line_rows(lines):
        yield writer.writerow(row)
