"""billing.services.visit_billing: the live billing of a visit (SCENARIOS.md S1-S3,
DOMAIN.md §3, §5, §6)."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.models import NcciEdit, PayerProfile
from billing.services import payer_profile_for, visit_billing
from notes.models import Visit
from plancare.models import PayerType
from tests.billing.conftest import block, make_visit, prior_line, s1_visit, s3_visit, service
from tests.conftest import keep_national_tables
from tests.factories import TechniqueFactory, UserFactory


def codes(preview):
    return {line.code: line for line in preview.lines}


def warning_codes(preview):
    return [w.code for w in preview.warnings]


# --- S1 -------------------------------------------------------------------------------------------


def test_s1_bills_97140_once_with_gp_at_27_72(clinic, pt):
    # SCENARIOS.md S1: 97140 total 15 minutes -> 1 unit, GP, $27.72 at the 2026 national rate
    preview = visit_billing(s1_visit(clinic, pt))
    assert preview.method == "cms"
    assert preview.method_label == "CMS 8-minute rule (total time)"
    assert preview.payer_name == "Medicare Part B"
    assert preview.total_timed_minutes == 15
    assert preview.total_treatment_minutes == 15
    (line,) = preview.lines
    assert (line.code, line.units, line.minutes, line.modifiers, line.timed) == (
        "97140",
        1,
        15,
        ("GP",),
        True,
    )
    assert line.fee == Decimal("27.72")
    assert preview.fee_total == Decimal("27.72")
    assert preview.warnings == ()
    assert preview.cms_units is None
    assert [(row.code, row.units) for row in preview.explanation] == [("97140", 1)]


def test_s1_is_one_unit_under_the_per_code_rule_too(clinic, pt):
    # SCENARIOS.md S1: "CMS and per-code alike"
    visit = s1_visit(clinic, pt, payer=PayerType.COMMERCIAL)
    preview = visit_billing(visit)
    assert preview.method == "ama"
    assert [(li.code, li.units, li.modifiers) for li in preview.lines] == [("97140", 1, ("GP",))]
    assert preview.cms_units == {"97140": 1}
    assert not preview.cms_differs  # the note shows no comparison when the rules agree
    assert "ZERO_UNITS" not in warning_codes(preview)


def test_running_timers_count_no_minutes(clinic, pt):
    visit = s1_visit(clinic, pt)
    block(visit, "09:20", None)  # still running
    assert visit_billing(visit).total_timed_minutes == 15


# --- S2 -------------------------------------------------------------------------------------------


def s2_visit(clinic, pt, payer=PayerType.COMMERCIAL):
    visit = make_visit(clinic, pt, payer=payer)
    block(visit, "09:00", "09:33", code="97110")
    mob = TechniqueFactory(visit=visit, region="L4-5", grade="IV", direction="PA")
    block(visit, "09:33", "09:40", technique=mob)
    return visit


def test_s2_per_code_payer_bills_97110_twice_and_97140_not_and_says_what_cms_would(
    clinic, pt, sample_edits
):
    # SCENARIOS.md S2; DOMAIN.md §3 per-code rule and CMS example 3
    preview = visit_billing(s2_visit(clinic, pt))
    assert {c: li.units for c, li in codes(preview).items()} == {"97110": 2, "97140": 0}
    assert preview.cms_units == {"97110": 2, "97140": 1}
    assert preview.cms_differs
    assert preview.total_timed_minutes == 40
    zero = [w for w in preview.warnings if w.code == "ZERO_UNITS"]
    assert len(zero) == 1
    assert zero[0].where == "#time"
    assert "97140: 7 min bills no unit" in zero[0].message
    assert "under the CMS rule the same minutes would give 97110 ×2 + 97140 ×1" in (
        zero[0].message.replace("Under", "under")
    )
    assert "Pub. 100-04 ch. 5 §20.2" in zero[0].message
    # 97140 bills nothing, so its NCCI pairs do not apply and it takes no modifier.
    assert codes(preview)["97140"].modifiers == ()
    assert preview.fee_total is None  # 97110 has no 2026 RVUs in the catalog


def test_s2_minutes_under_cms_give_97110_twice_and_97140_once(clinic, pt):
    # DOMAIN.md §3 Ex 3: 97110 33 + 97140 7 = 40 -> 97110 ×2, 97140 ×1
    preview = visit_billing(s2_visit(clinic, pt, payer=PayerType.MEDICARE_B))
    assert {c: li.units for c, li in codes(preview).items()} == {"97110": 2, "97140": 1}
    assert "ZERO_UNITS" not in warning_codes(preview)


def test_it_warns_when_the_cms_pool_leaves_a_code_without_a_unit(clinic, pt):
    # DOMAIN.md §3: 97112 7 + 97110 7 + 97140 7 = 21 -> 1 unit for one code
    visit = make_visit(clinic, pt)
    block(visit, "09:00", "09:07", code="97112")
    block(visit, "09:07", "09:14", code="97110")
    block(visit, "09:14", "09:21")
    preview = visit_billing(visit)
    assert sum(li.units for li in preview.lines) == 1
    assert warning_codes(preview).count("ZERO_UNITS") == 2


def test_under_eight_total_minutes_bill_no_97140(clinic, pt):
    # DOMAIN.md §2 E4: < 8 total timed minutes bills no 97140
    visit = make_visit(clinic, pt)
    block(visit, "09:00", "09:07")
    preview = visit_billing(visit)
    assert codes(preview)["97140"].units == 0
    (warning,) = preview.warnings
    assert warning.code == "ZERO_UNITS" and "under 8" in warning.message


# --- S3 and NCCI ----------------------------------------------------------------------------------


def test_s3_applies_59_to_97140_for_a_separate_region_for_the_commercial_payer(
    clinic, dc, sample_edits
):
    # SCENARIOS.md S3: NCCI pairs 98940 (column one) with 97140 (column two); the note
    # documents a separate region, so 97140 takes 59 (the commercial payer's setting)
    preview = visit_billing(s3_visit(clinic, dc))
    lines = codes(preview)
    assert lines["97140"].modifiers == ("59",)  # no GP: a chiropractic plan
    assert lines["98940"].modifiers == ()
    assert (lines["97140"].units, lines["98940"].units) == (1, 1)
    assert preview.warnings == ()


def test_s3_applies_xs_when_the_payer_prefers_the_x_modifiers(clinic, dc, sample_edits):
    profile = PayerProfile.objects.create(
        name="Acme Health (X modifiers)",
        payer_type=PayerType.COMMERCIAL,
        unit_method="ama",
        modifier_59_choice="X",
    )
    visit = s3_visit(clinic, dc)
    visit.patient.payer_profile = profile
    visit.patient.save(update_fields=["payer_profile"])
    preview = visit_billing(Visit.objects.get(pk=visit.pk))
    assert preview.payer_name == "Acme Health (X modifiers)"
    assert codes(preview)["97140"].modifiers == ("XS",)


def test_s3_refuses_59_when_97140_treats_the_lumbar_spine_too(clinic, dc, sample_edits):
    # SCENARIOS.md S3: 97140 on the lumbar spine -> a warning and no modifier (DOMAIN.md E13)
    visit = s3_visit(clinic, dc, region="L4-5", laterality="")
    preview = visit_billing(visit)
    assert codes(preview)["97140"].modifiers == ()
    (warning,) = preview.warnings
    assert warning.code == "MOD59_UNSUPPORTED"
    assert warning.where == "#techniques"
    assert "NCCI pairs 98940 (column one) with 97140 (column two)" in warning.message
    assert "no modifier applied: document a different region" in warning.message


def test_s3_for_a_medicare_patient_warns_that_medicare_does_not_cover_a_chiropractors_97140(
    clinic, dc, sample_edits
):
    # SCENARIOS.md S3; DOMAIN.md §5 "Chiropractors and Medicare"
    preview = visit_billing(s3_visit(clinic, dc, payer=PayerType.MEDICARE_B))
    assert "CHIRO_MEDICARE" in warning_codes(preview)
    chiro = next(w for w in preview.warnings if w.code == "CHIRO_MEDICARE")
    assert "Medicare does not cover a chiropractor's 97140" in chiro.message
    assert codes(preview)["97140"].modifiers == ("XS",)  # Medicare's X setting


def test_a_pts_97140_for_medicare_is_not_flagged_as_a_chiropractors(clinic, pt, sample_edits):
    assert "CHIRO_MEDICARE" not in warning_codes(visit_billing(s1_visit(clinic, pt)))


def test_97530_in_its_own_time_block_takes_xu_and_in_the_same_block_a_warning(
    clinic, pt, sample_edits
):
    # DOMAIN.md §5: CMS's 59 guidance for 97140 and 97530 (97530 is column two)
    separate = make_visit(clinic, pt)
    block(separate, "09:00", "09:15")
    block(separate, "09:15", "09:30", code="97530")
    lines = codes(visit_billing(separate))
    assert lines["97530"].modifiers == ("GP", "XU")
    assert lines["97140"].modifiers == ("GP",)

    same = make_visit(clinic, pt)
    block(same, "09:00", "09:15")
    block(same, "09:05", "09:20", code="97530")
    preview = visit_billing(same)
    assert codes(preview)["97530"].modifiers == ("GP",)
    (warning,) = preview.warnings
    assert warning.code == "MOD59_UNSUPPORTED"
    assert "a different region or a separate time block for 97530" in warning.message


def test_an_indicator_zero_pair_warns_that_column_two_is_not_paid(clinic, pt):
    NcciEdit.objects.create(
        column1="97140", column2="97124", effective=dt.date(2020, 1, 1), modifier_indicator=0
    )
    visit = make_visit(clinic, pt)
    block(visit, "09:00", "09:15")
    block(visit, "09:20", "09:35", code="97124")
    preview = visit_billing(visit)
    (warning,) = preview.warnings
    assert warning.code == "NCCI"
    assert "97124 is not paid with 97140" in warning.message
    assert codes(preview)["97124"].modifiers == ("GP",)  # no modifier can break the pair


def test_an_edit_deleted_before_the_date_of_service_does_not_apply(clinic, pt):
    # DOMAIN.md §5: edits apply by date of service
    NcciEdit.objects.create(
        column1="97140",
        column2="97530",
        effective=dt.date(2020, 1, 1),
        deletion=dt.date(2026, 7, 1),
        modifier_indicator=1,
    )
    late = make_visit(clinic, pt, day=dt.date(2026, 11, 20))
    early = make_visit(clinic, pt, day=dt.date(2026, 6, 30))
    for visit in (late, early):
        block(visit, "09:00", "09:15")
        block(visit, "09:05", "09:20", code="97530")
    assert visit_billing(late).warnings == ()
    assert warning_codes(visit_billing(early)) == ["MOD59_UNSUPPORTED"]


def test_a_self_pay_patient_gets_no_payer_edits(clinic, dc, sample_edits):
    preview = visit_billing(s3_visit(clinic, dc, payer=PayerType.SELF_PAY, region="lumbar spine"))
    assert preview.warnings == ()
    assert codes(preview)["97140"].modifiers == ()


# --- MUE ------------------------------------------------------------------------------------------


def test_it_warns_before_sign_off_when_units_pass_the_mue(clinic, pt, sample_edits):
    # DOMAIN.md §5 MUE: 97140 sample limit 6 per day; 105 minutes make 7 units
    visit = make_visit(clinic, pt)
    block(visit, "09:00", "10:45")
    preview = visit_billing(visit)
    assert codes(preview)["97140"].units == 7
    (warning,) = preview.warnings
    assert warning.code == "MUE"
    assert "97140 ×7 is above its medically unlikely edit of 6 unit(s) per day" in warning.message


def test_units_at_the_mue_are_not_flagged(clinic, pt, sample_edits):
    visit = make_visit(clinic, pt)
    block(visit, "09:00", "10:30")  # 90 min -> 6 units
    assert visit_billing(visit).warnings == ()


# --- CQ / CO --------------------------------------------------------------------------------------


def test_cq_when_the_assistant_furnished_more_than_ten_percent_paid_at_85_percent(clinic, pt, pta):
    # DOMAIN.md §5 CQ/CO: more than 10% of the minutes; Medicare pays 85%
    visit = make_visit(clinic, pt)
    block(visit, "09:00", "09:11")
    block(visit, "09:11", "09:15", clinician=pta)  # 4 of 15 minutes
    (line,) = visit_billing(visit).lines
    assert line.modifiers == ("GP", "CQ")
    assert line.fee == Decimal("23.56")  # 27.72 × 0.85


def test_no_cq_when_the_assistant_share_is_ten_percent_or_less(clinic, pt, pta):
    visit = make_visit(clinic, pt)
    block(visit, "09:00", "09:27")
    block(visit, "09:27", "09:30", clinician=pta)  # 3 of 30 minutes: de minimis
    (line,) = visit_billing(visit).lines
    assert line.modifiers == ("GP",)
    assert line.fee == Decimal("55.44")


def test_co_for_an_ota_under_an_ot_plan(clinic, ot):
    cota = UserFactory(clinic=clinic, discipline="COTA", credentials="COTA")
    visit = make_visit(clinic, ot, discipline="OT")
    block(visit, "09:00", "09:15", clinician=cota)
    assert visit_billing(visit).lines[0].modifiers == ("GO", "CO")


def test_no_cq_for_a_payer_that_does_not_apply_assistant_modifiers(clinic, pt, pta):
    visit = make_visit(clinic, pt, payer=PayerType.COMMERCIAL)
    block(visit, "09:00", "09:15", clinician=pta)
    assert visit_billing(visit).lines[0].modifiers == ("GP",)


# --- KX -------------------------------------------------------------------------------------------


def test_kx_when_the_years_therapy_spending_passes_the_threshold(clinic, pt):
    # DOMAIN.md §5 KX: 2026 threshold $2,480.00 (configuration data)
    visit = s1_visit(clinic, pt)
    prior_line(visit, fee="2460.00")
    preview = visit_billing(visit)
    assert preview.lines[0].modifiers == ("GP", "KX")
    (warning,) = preview.warnings
    assert warning.code == "KX"
    assert "$2,487.72" in warning.message and "$2,480.00" in warning.message
    assert "medical necessity" in warning.message


def test_no_kx_under_the_threshold(clinic, pt):
    visit = s1_visit(clinic, pt)
    prior_line(visit, fee="2400.00")
    preview = visit_billing(visit)
    assert preview.lines[0].modifiers == ("GP",)
    assert preview.warnings == ()


def test_kx_counts_only_the_same_year_and_the_same_therapy(clinic, pt):
    visit = s1_visit(clinic, pt)
    prior_line(visit, fee="2460.00", day=dt.date(2025, 12, 30))  # last year
    prior_line(visit, fee="2460.00", discipline="OT")  # OT has its own threshold
    assert visit_billing(visit).lines[0].modifiers == ("GP",)


def test_no_kx_for_a_payer_without_the_threshold(clinic, pt):
    visit = s1_visit(clinic, pt, payer=PayerType.COMMERCIAL)
    prior_line(visit, fee="5000.00")
    assert visit_billing(visit).lines[0].modifiers == ("GP",)


# --- untimed services, payer profiles -------------------------------------------------------------


def test_untimed_services_bill_one_unit_and_add_to_treatment_minutes(clinic, pt):
    # DOMAIN.md §3: untimed codes do not add timed minutes; Pub. 100-02 §220.3 total minutes
    visit = make_visit(clinic, pt)
    Visit.objects.filter(pk=visit.pk).update(untimed_minutes=5)
    visit.refresh_from_db()
    block(visit, "09:00", "09:15")
    service(visit, "97012", "lumbar spine", minutes=10)
    preview = visit_billing(visit)
    traction = codes(preview)["97012"]
    assert (traction.units, traction.timed, traction.modifiers) == (1, False, ("GP",))
    assert preview.total_timed_minutes == 15
    assert preview.total_treatment_minutes == 30


def test_payer_profile_defaults_by_payer_type_and_patient_override(clinic, pt, payer_profiles):
    visit = make_visit(clinic, pt, payer=PayerType.WORKERS_COMP)
    assert payer_profile_for(visit.patient).name == "Workers' compensation"
    custom = PayerProfile.objects.create(
        name="Big Employer Plan", payer_type=PayerType.WORKERS_COMP, unit_method="cms"
    )
    visit.patient.payer_profile = custom
    assert payer_profile_for(visit.patient) == custom


def test_a_payer_type_without_a_stored_profile_uses_the_built_in_default(clinic, pt):
    assert not PayerProfile.objects.exists()
    visit = make_visit(clinic, pt, payer=PayerType.MEDICAID)
    profile = payer_profile_for(visit.patient)
    assert (profile.pk, profile.name, profile.unit_method) == (None, "Medicaid", "cms")


# --- cost -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_blocks", [0, 12])
def test_it_costs_a_fixed_number_of_queries(
    clinic, pt, sample_edits, django_assert_num_queries, extra_blocks
):
    visit = make_visit(clinic, pt)
    for n in range(extra_blocks):
        block(visit, f"10:{n:02d}", f"10:{n + 1:02d}", code="97110" if n % 2 else "97140")
    block(visit, "09:00", "09:15")
    block(visit, "09:15", "09:30", code="97530")
    visit = Visit.objects.select_related("patient", "plan", "clinician").get(pk=visit.pk)
    blocks = list(visit.time_blocks.select_related("clinician"))
    techniques = list(visit.techniques.all())
    keep_national_tables()  # NCCI, MUE, RVUs: kept per process
    with django_assert_num_queries(3):
        # payer profile, codes, KX threshold with the year's charge-line total
        visit_billing(visit, blocks=blocks, services=[], techniques=techniques)
    blocks = list(visit.time_blocks.select_related("clinician", "code"))
    with django_assert_num_queries(2):  # the same without the codes: the blocks carry them
        visit_billing(visit, blocks=blocks, services=[], techniques=techniques)
