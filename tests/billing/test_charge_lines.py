"""billing.services.charge_lines_create: the charge lines of a signed visit, made exactly once
(SCENARIOS.md S1 "after signing one charge line 97140 ×1 GP, $27.72")."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from billing.models import ChargeLine
from billing.services import charge_lines_create
from plancare.models import PayerType
from tests.billing.conftest import DOS, block, make_visit, s1_visit, s3_visit


def test_s1_signed_makes_one_charge_line_97140_x1_gp_27_72(clinic, pt):
    visit = s1_visit(clinic, pt)
    (line,) = charge_lines_create(visit=visit)
    line = ChargeLine.objects.get(pk=line.pk)
    assert str(line) == "97140 ×1 GP"
    assert (line.units, line.minutes, line.modifiers) == (1, 15, "GP")
    assert line.fee_estimate == Decimal("27.72")
    assert line.rendering_clinician == pt and line.rendering_npi == pt.npi
    assert (line.diagnosis_pointers, line.diagnosis_codes) == ("1,2", "M54.2,Z98.1")
    assert line.date_of_service == DOS
    assert (line.clinic, line.patient, line.payer_name) == (
        clinic,
        visit.patient,
        "Medicare Part B",
    )


def test_charge_lines_are_created_exactly_once_per_visit(clinic, pt):
    visit = s1_visit(clinic, pt)
    first = charge_lines_create(visit=visit)
    block(visit, "09:20", "09:40", code="97110")  # a later change does not add lines
    again = charge_lines_create(visit=visit)
    assert [line.pk for line in again] == [line.pk for line in first]
    assert ChargeLine.objects.filter(visit=visit).count() == 1


def test_the_database_refuses_a_second_line_of_the_same_code(clinic, pt):
    visit = s1_visit(clinic, pt)
    (line,) = charge_lines_create(visit=visit)
    line.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_zero_unit_codes_make_no_charge_line(clinic, pt):
    # SCENARIOS.md S2: 97140 ×0 under the per-code rule bills nothing
    visit = make_visit(clinic, pt, payer=PayerType.COMMERCIAL)
    block(visit, "09:00", "09:33", code="97110")
    block(visit, "09:33", "09:40")
    lines = charge_lines_create(visit=visit)
    assert [(li.code_id, li.units, li.fee_estimate) for li in lines] == [("97110", 2, None)]


def test_a_visit_with_nothing_billable_makes_no_line(clinic, pt):
    visit = make_visit(clinic, pt)
    block(visit, "09:00", "09:05")
    assert charge_lines_create(visit=visit) == []
    assert not ChargeLine.objects.exists()


def test_s3_charge_lines_carry_the_computed_modifiers(clinic, dc, sample_edits):
    lines = {li.code_id: li for li in charge_lines_create(visit=s3_visit(clinic, dc))}
    assert lines["97140"].modifiers == "59"
    assert lines["98940"].modifiers == ""
    assert lines["97140"].diagnosis_pointers == "1"


def test_an_assistants_visit_bills_under_the_supervising_therapists_npi(clinic, pt, pta):
    visit = make_visit(clinic, pta)
    block(visit, "09:00", "09:15")
    (line,) = charge_lines_create(visit=visit)
    assert line.rendering_clinician == pt
    assert line.rendering_npi == pt.npi
    assert line.modifiers == "GP,CQ"
    assert line.fee_estimate == Decimal("23.56")


def test_diagnosis_pointers_stop_at_four_primary_first(clinic, pt):
    from tests.factories import DiagnosisFactory

    visit = make_visit(clinic, pt)
    for n, code in enumerate(["M25.511", "M54.2", "M62.81", "M79.1", "R26.89"], start=1):
        DiagnosisFactory(
            plan=visit.plan, code=code, description=code, is_primary=code == "M54.2", position=n
        )
    block(visit, "09:00", "09:15")
    (line,) = charge_lines_create(visit=visit)
    assert line.diagnosis_pointers == "1,2,3,4"
    assert line.diagnosis_codes == "M54.2,M25.511,M62.81,M79.1"


def test_the_kx_total_leaves_out_the_visits_own_lines(clinic, pt):
    # DOMAIN.md §5 KX: year-to-date of the patient's other signed visits + this visit
    from tests.billing.conftest import prior_line

    visit = s1_visit(clinic, pt)
    prior_line(visit, fee="2452.28", day=dt.date(2026, 3, 2))  # + 27.72 = 2480.00: not past
    (line,) = charge_lines_create(visit=visit)
    assert line.modifiers == "GP"
