"""The billing preview of many visits at once (the desk's page of drafts).

`visits_billing(visits)` answers, for each visit, exactly what `billing.services.visit_billing`
answers for it alone, but reads the reference tables once for all the visits: the payers'
stored default profiles, the NCCI pairs and MUE limits of every code charted, the RVUs with
the conversion factors, the payers' own fees, the KX thresholds and the year's spending of
the visits' patients. 4 queries at most whatever the number of visits (the payers' default
profiles, their own fees, the KX thresholds and spending; fewer when nothing needs one), plus
the national tables when this process has not kept them (`billing.reference`: 4 more on a
worker's first page in five minutes), instead of about 5 per visit.

The figures still come from the one computation, `billing.preview.billing_preview`, on the
same `BillingInputs` the per-visit loader builds (the same rows charted, the same payer rules,
the same rates): this module only gathers the reference rows differently, and
tests/billing/test_bulk.py checks that every visit's preview is the one `visit_billing` gives.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import F, Sum
from django.db.models.functions import ExtractYear

from billing import reference
from billing.fees import national_rates
from billing.models import ChargeLine, KxThreshold, PayerFee, PayerProfile
from billing.preview import (
    BillingInputs,
    BillingPreview,
    PayerRules,
    billing_preview,
    kx_codes,
    kx_considered,
)
from billing.services import charted_rows, default_payer_profile

__all__ = ["visits_billing"]


def _profiles(visits) -> dict[int, PayerProfile]:
    """`billing.services.payer_profile_for` of each visit's patient: one query for the stored
    defaults of the payer types of patients without a profile of their own."""
    without = {v.patient.payer_type for v in visits if not v.patient.payer_profile_id}
    stored: dict[str, PayerProfile] = {}
    if without:
        for profile in PayerProfile.objects.filter(
            payer_type__in=without, is_default_for_type=True
        ).order_by("pk"):  # `.first()` of the per-visit lookup: the lowest id
            stored.setdefault(profile.payer_type, profile)
    result = {}
    for visit in visits:
        patient = visit.patient
        if patient.payer_profile_id:
            result[visit.pk] = patient.payer_profile
        else:
            result[visit.pk] = stored.get(patient.payer_type) or default_payer_profile(
                patient.payer_type
            )
    return result


def _rates(
    wanted: dict[tuple, set[str]], profiles: dict[tuple, PayerProfile]
) -> dict[tuple, dict[str, Decimal]]:
    """`billing.fees.fee_schedule(...).rates` of each (profile key, year) with its codes:
    the national rates (`billing.fees.national_rates`), then the payers' own fees (1 query)."""
    codes = {code for needed in wanted.values() for code in needed}
    years = {key[1] for key in wanted}
    if not codes:
        return {key: {} for key in wanted}
    national = national_rates(codes, years)
    payer_ids = {profile.pk for profile in profiles.values() if profile.pk is not None}
    own: dict[tuple[int, int, str], Decimal] = {}
    if payer_ids:
        for payer_id, year, code, amount in PayerFee.objects.filter(
            payer_id__in=payer_ids, year__in=years, code_id__in=codes
        ).values_list("payer_id", "year", "code_id", "amount"):
            own[(payer_id, year, code)] = amount
    result = {}
    for key, needed in wanted.items():
        profile, year = profiles[key[0]], key[1]
        rates = {c: national[(year, c)] for c in sorted(needed) if (year, c) in national}
        if profile.pk is not None:
            rates.update(
                {c: own[(profile.pk, year, c)] for c in needed if (profile.pk, year, c) in own}
            )
        result[key] = rates
    return result


def _kx(visits, wanted: set[int]) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """The KX threshold of each year, and for each visit in `wanted` its patient's charge-line
    estimates of the year under plans of the visit's discipline, its own lines left out (as
    `billing.services._kx_figures`): 2 queries."""
    if not wanted:
        return {}, {}
    chosen = [v for v in visits if v.pk in wanted]
    years = {v.date_of_service.year for v in chosen}
    thresholds = dict(KxThreshold.objects.filter(year__in=years).values_list("year", "amount"))
    patients = {v.patient_id for v in chosen}
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    own: dict[tuple, Decimal] = defaultdict(Decimal)
    lines = (
        ChargeLine.objects.filter(
            patient_id__in=patients,
            date_of_service__gte=dt.date(min(years), 1, 1),
            date_of_service__lte=dt.date(max(years), 12, 31),
        )
        .annotate(year=ExtractYear("date_of_service"), discipline=F("visit__plan__discipline"))
        .order_by()
        .values("patient_id", "year", "discipline", "visit_id")
        .annotate(total=Sum("fee_estimate"))
        .values_list("patient_id", "year", "discipline", "visit_id", "total")
    )
    for patient_id, year, discipline, visit_id, total in lines:
        if total is None:
            continue
        totals[(patient_id, year, discipline)] += total
        own[(patient_id, year, discipline, visit_id)] += total
    spent = {}
    for visit in chosen:
        key = (visit.patient_id, visit.date_of_service.year, visit.plan.discipline)
        spent[visit.pk] = totals[key] - own[(*key, visit.pk)]
    return thresholds, spent


def visits_billing(
    visits: Iterable, *, blocks=None, services=None, techniques=None
) -> dict[int, BillingPreview]:
    """Each visit's `BillingPreview`, by id. The visits carry patient (with payer profile), plan
    and clinician; `blocks`, `services` and `techniques` map a visit id to its rows (default:
    the visit's prefetched `time_blocks`, `untimed_services` and `techniques`, with code and
    clinician loaded)."""
    visits = list(visits)
    if not visits:
        return {}
    profiles = _profiles(visits)
    charted, regions, codes_of = {}, {}, {}
    for visit in visits:
        rows = blocks[visit.pk] if blocks is not None else visit.time_blocks.all()
        extra = services[visit.pk] if services is not None else visit.untimed_services.all()
        done = techniques[visit.pk] if techniques is not None else visit.techniques.all()
        done = list(done)
        charted[visit.pk] = charted_rows(visit, list(rows), list(extra), done)
        regions[visit.pk] = tuple((t.region, t.laterality) for t in done)
        codes_of[visit.pk] = sorted(
            {row.code.code for row in charted[visit.pk] if row.minutes > 0 or not row.code.timed}
        )
    payers = {pk: PayerRules.of(profile) for pk, profile in profiles.items()}

    def profile_key(profile):
        return profile.pk if profile.pk is not None else ("default", profile.payer_type)

    wanted: dict[tuple, set[str]] = defaultdict(set)
    by_key: dict = {}
    for visit in visits:
        if codes_of[visit.pk]:
            profile = profiles[visit.pk]
            by_key[profile_key(profile)] = profile
            wanted[(profile_key(profile), visit.date_of_service.year)].update(codes_of[visit.pk])
    rates = _rates(dict(wanted), by_key)

    kx_wanted = {
        v.pk
        for v in visits
        if kx_considered(
            payers[v.pk],
            v.plan.discipline,
            kx_codes({row.code.code: row.code for row in charted[v.pk]}, codes_of[v.pk]),
        )
    }
    thresholds, spent = _kx(visits, kx_wanted)

    result = {}
    for visit in visits:
        day, codes, payer = visit.date_of_service, codes_of[visit.pk], payers[visit.pk]
        ptp, mue = (), {}
        if payer.applies_edits:
            ptp = reference.pairs_in_force(codes, day)
            mue = reference.mue_caps(codes)
        profile = profiles[visit.pk]
        visit_rates = rates[(profile_key(profile), day.year)] if codes else {}
        threshold, year_to_date = None, Decimal(0)
        if visit.pk in kx_wanted and day.year in thresholds:
            threshold, year_to_date = thresholds[day.year], spent[visit.pk]
        inputs = BillingInputs(
            day=day,
            plan_discipline=visit.plan.discipline,
            clinician_discipline=visit.clinician.discipline,
            untimed_minutes=visit.untimed_minutes,
            payer=payer,
            charted=tuple(charted[visit.pk]),
            technique_regions=regions[visit.pk],
            ptp_pairs=ptp,
            mue=mue,
            rates=dict(visit_rates),
            kx_threshold=threshold,
            kx_year_to_date=year_to_date,
        )
        result[visit.pk] = billing_preview(inputs)
    return result
