"""billing.bulk.visits_billing: a page of visits billed at once gives every visit the preview
`billing.services.visit_billing` gives it alone (units, modifiers, fees, warnings), in a fixed
number of queries whatever the number of visits."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Prefetch

from billing.bulk import visits_billing
from billing.models import NcciEdit, PayerFee, PayerProfile
from billing.services import visit_billing
from notes.models import TimeBlock, UntimedService, Visit
from plancare.models import PayerType
from tests.billing.conftest import block, make_visit, prior_line, s1_visit, s3_visit, service
from tests.conftest import keep_national_tables
from tests.factories import TechniqueFactory, UserFactory

pytestmark = pytest.mark.django_db


def loaded(visits):
    """The visits as the desk reads a page of them."""
    return list(
        Visit.objects.filter(pk__in=[v.pk for v in visits])
        .select_related("patient", "patient__payer_profile", "plan", "clinician")
        .prefetch_related(
            Prefetch("time_blocks", queryset=TimeBlock.objects.select_related("code", "clinician")),
            Prefetch(
                "untimed_services",
                queryset=UntimedService.objects.select_related("code", "clinician"),
            ),
            "techniques",
        )
        .order_by("pk")
    )


def mixed_page(clinic, pt, pta, dc, ot, *, timer=True):
    """Visits that exercise every reference table and rule billing reads."""
    visits = []
    kx = s1_visit(clinic, pt)  # Medicare, over the KX threshold with an earlier visit's lines
    prior_line(kx, fee="2460.00")
    prior_line(kx, fee="2460.00", day=dt.date(2025, 12, 30))  # another year: not counted
    visits.append(kx)
    under = s1_visit(clinic, pt)  # the same year, under the threshold
    prior_line(under, fee="100.00")
    visits.append(under)
    visits.append(s1_visit(clinic, pt, payer=PayerType.COMMERCIAL))
    visits.append(s3_visit(clinic, dc))  # 98940 + 97140: an NCCI pair, 59 for a region
    visits.append(s3_visit(clinic, dc, payer=PayerType.MEDICARE_B, region="lumbar spine"))
    NcciEdit.objects.get_or_create(
        column1="97140",
        column2="97530",
        effective=dt.date(2020, 1, 1),
        defaults={"deletion": dt.date(2026, 7, 1), "modifier_indicator": 1},
    )
    for day in (dt.date(2026, 11, 20), dt.date(2026, 6, 30)):  # the edit in force, then not
        visit = make_visit(clinic, pt, day=day)
        block(visit, "09:00", "09:15")
        block(visit, "09:05", "09:20", code="97530")
        visits.append(visit)
    assisted = make_visit(clinic, pt)  # CQ at 85%
    block(assisted, "09:00", "09:11")
    block(assisted, "09:11", "09:15", clinician=pta)
    visits.append(assisted)
    cota = UserFactory(clinic=clinic, discipline="COTA", credentials="COTA")
    occupational = make_visit(clinic, ot, discipline="OT")
    block(occupational, "09:00", "09:15", clinician=cota)
    visits.append(occupational)
    traction = make_visit(clinic, pt, payer=PayerType.MEDICAID, untimed_minutes=5)
    block(traction, "09:00", "09:15")
    service(traction, "97012", "lumbar spine", minutes=10)
    visits.append(traction)
    mue = make_visit(clinic, pt)  # 97140 for 95 minutes: past its MUE
    block(mue, "08:00", "09:35", technique=TechniqueFactory(visit=mue))
    visits.append(mue)
    own, _ = PayerProfile.objects.get_or_create(
        name="Big Employer Plan", payer_type=PayerType.WORKERS_COMP, unit_method="cms"
    )
    PayerFee.objects.get_or_create(
        payer=own, code_id="97140", year=2026, defaults={"amount": Decimal("41.00")}
    )
    employer = make_visit(clinic, pt, payer=PayerType.WORKERS_COMP)
    employer.patient.payer_profile = own
    employer.patient.save()
    block(employer, "09:00", "09:20")
    visits.append(employer)
    visits.append(make_visit(clinic, pt, payer=PayerType.SELF_PAY))  # nothing charted yet
    if timer:  # one running timer per clinician
        running = make_visit(clinic, pt, payer=PayerType.WORKERS_COMP)
        block(running, "09:00", None)
        visits.append(running)
    return visits


def test_each_visits_preview_is_the_one_billed_alone(
    clinic, pt, pta, dc, ot, sample_edits, payer_profiles
):
    visits = mixed_page(clinic, pt, pta, dc, ot)
    alone = {visit.pk: visit_billing(Visit.objects.get(pk=visit.pk)) for visit in visits}
    together = visits_billing(loaded(visits))
    assert together == alone
    # The page shows what a clinician would see on each note: e.g. KX on the visit past the
    # threshold only, and the payer's own fee for its patient.
    assert together[visits[0].pk].lines[0].modifiers == ("GP", "KX")
    assert together[visits[1].pk].lines[0].modifiers == ("GP",)
    assert together[visits[-3].pk].lines[0].fee == Decimal("41.00")


def test_without_stored_profiles_the_built_in_defaults_bill_the_same(clinic, pt, pta, dc, ot):
    visits = mixed_page(clinic, pt, pta, dc, ot)
    alone = {visit.pk: visit_billing(Visit.objects.get(pk=visit.pk)) for visit in visits}
    assert visits_billing(loaded(visits)) == alone


@pytest.mark.parametrize("copies", [1, 4])
def test_a_page_costs_the_same_queries_whatever_its_size(
    clinic, pt, pta, dc, ot, sample_edits, payer_profiles, copies, django_assert_num_queries
):
    visits = [v for n in range(copies) for v in mixed_page(clinic, pt, pta, dc, ot, timer=n == 0)]
    page = loaded(visits)
    # Stored default profiles, the payer's own fees, KX thresholds, the patients' charge lines
    # of the year: 4; the national tables (NCCI pairs, MUE limits, conversion factors, RVUs)
    # are kept per process, read here first as a worker's earlier request has.
    keep_national_tables()
    with django_assert_num_queries(4):
        previews = visits_billing(page)
    assert len(previews) == len(visits)
