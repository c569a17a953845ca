"""billing.modifiers: each modifier rule firing and not firing (DOMAIN.md §5). No database."""

import datetime as dt
from decimal import Decimal

import pytest

from billing import modifiers as rules


def at(hh_mm: str) -> dt.datetime:
    hour, minute = map(int, hh_mm.split(":"))
    return dt.datetime(2026, 11, 20, hour, minute, tzinfo=dt.UTC)


def span(start: str, stop: str):
    return (at(start), at(stop))


# --- GP / GO --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("discipline", "category", "required", "expected"),
    [
        ("PT", "manual", True, "GP"),  # DOMAIN.md §5: GP on every code of a PT plan
        ("OT", "manual", True, "GO"),  # GO under an OT plan
        ("PT", "evaluation", True, "GP"),
        ("PT", "manual", False, None),  # the payer does not require therapy modifiers
        ("DC", "manual", True, None),  # a chiropractor's 97140 is not under a therapy plan
        ("DC", "cmt", True, None),  # CMT 98940-98942 never takes GP
        ("PT", "cmt", True, None),
    ],
)
def test_it_puts_gp_or_go_by_the_plan_discipline(discipline, category, required, expected):
    assert (
        rules.therapy_modifier(
            plan_discipline=discipline, code_category=category, required=required
        )
        == expected
    )


# --- CQ / CO --------------------------------------------------------------------------------------


def test_it_applies_cq_when_the_assistant_furnished_more_than_ten_percent():
    # DOMAIN.md §5 CQ/CO: more than the 10% de minimis share
    assert (
        rules.assistant_modifier(
            plan_discipline="PT", assistant_minutes=4, minutes=30, applies=True
        )
        == "CQ"
    )
    assert (
        rules.assistant_modifier(
            plan_discipline="OT", assistant_minutes=15, minutes=15, applies=True
        )
        == "CO"
    )


def test_it_applies_no_cq_at_exactly_ten_percent_or_less():
    # DOMAIN.md §5 CQ/CO: 10% is still de minimis
    for share in (0, 2, 3):
        assert (
            rules.assistant_modifier(
                plan_discipline="PT", assistant_minutes=share, minutes=30, applies=True
            )
            is None
        )


def test_it_applies_no_cq_for_a_payer_without_assistant_modifiers_or_a_dc_plan():
    assert (
        rules.assistant_modifier(
            plan_discipline="PT", assistant_minutes=30, minutes=30, applies=False
        )
        is None
    )
    assert (
        rules.assistant_modifier(
            plan_discipline="DC", assistant_minutes=30, minutes=30, applies=True
        )
        is None
    )


def test_an_untimed_service_by_an_assistant_counts_as_furnished_by_the_assistant():
    assert rules.exceeds_de_minimis(assistant_minutes=1, minutes=0)
    assert not rules.exceeds_de_minimis(assistant_minutes=0, minutes=0)


# --- regions and time blocks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "laterality", "expected"),
    [
        ("L4-5", "", "lumbar spine"),  # spinal segment prefix
        ("Lumbar spine", "", "lumbar spine"),
        ("lumbar paraspinals", "left", "lumbar spine"),  # spinal words win over the side
        ("C4-5", "", "cervical spine"),
        ("T12-L1", "", "thoracic spine"),
        ("S1", "", "sacral spine"),
        ("right SI joint", "", "pelvic region"),
        ("Shoulder", "right", "right shoulder"),
        ("  Right   shoulder ", "right", "right shoulder"),
        ("", "", ""),
    ],
)
def test_it_normalises_regions(region, laterality, expected):
    assert rules.normalize_region(region, laterality) == expected


def test_it_reads_several_regions_in_one_text():
    assert rules.region_set(["lumbar and thoracic spine", ("knee", "left")]) == {
        "lumbar spine",
        "thoracic spine",
        "left knee",
    }


def test_regions_are_distinct_only_when_both_are_known_and_none_is_shared():
    lumbar = rules.region_set(["lumbar spine"])
    assert rules.regions_distinct(lumbar, rules.region_set([("shoulder", "right")]))
    assert not rules.regions_distinct(lumbar, rules.region_set(["L4-5"]))
    assert not rules.regions_distinct(lumbar, rules.region_set(["L4-5", "right shoulder"]))
    assert not rules.regions_distinct(lumbar, frozenset())
    # Left and right shoulder are separate structures.
    assert rules.regions_distinct(
        rules.region_set([("shoulder", "right")]), rules.region_set([("shoulder", "left")])
    )


def test_time_blocks_are_separate_when_none_overlaps():
    # DOMAIN.md §5: CMS's 97140/97530 example, different time blocks
    assert rules.blocks_separate([span("09:00", "09:33")], [span("09:33", "09:40")])
    assert not rules.blocks_separate([span("09:00", "09:20")], [span("09:15", "09:30")])
    assert not rules.blocks_separate([], [span("09:15", "09:30")])  # untimed: no blocks


# --- NCCI PTP: 59 / XS / XU -----------------------------------------------------------------------

LUMBAR = rules.region_set(["lumbar spine"])
SHOULDER = rules.region_set([("shoulder", "right")])


def test_it_applies_xs_for_a_distinct_region_and_59_when_the_payer_wants_59():
    # SCENARIOS.md S3: 98940 lumbar + 97140 right shoulder
    for choice, expected in (("X", "XS"), ("59", "59")):
        decision = rules.ptp_decision(
            indicator=1,
            column1_regions=LUMBAR,
            column2_regions=SHOULDER,
            column1_blocks=[],
            column2_blocks=[span("10:00", "10:12")],
            choice=choice,
        )
        assert decision.modifier == expected
        assert decision.basis == "region"


def test_it_applies_xu_for_separate_time_blocks_without_a_distinct_region():
    # DOMAIN.md §5: 59 is correct when the two were done in different time blocks
    decision = rules.ptp_decision(
        indicator=1,
        column1_regions=frozenset(),
        column2_regions=frozenset(),
        column1_blocks=[span("09:00", "09:15")],
        column2_blocks=[span("09:15", "09:30")],
        choice="X",
    )
    assert (decision.modifier, decision.basis) == ("XU", "time")


def test_it_refuses_59_when_the_note_does_not_document_distinctness():
    # DOMAIN.md §2 E13: same region, and the untimed CMT has no time block to separate
    decision = rules.ptp_decision(
        indicator=1,
        column1_regions=LUMBAR,
        column2_regions=rules.region_set(["L4-5"]),
        column1_blocks=[],
        column2_blocks=[span("10:00", "10:12")],
        choice="59",
    )
    assert decision.modifier is None
    assert decision.payable and not decision.documented
    # Overlapping blocks of two timed codes do not document it either.
    decision = rules.ptp_decision(
        indicator=1,
        column1_regions=frozenset(),
        column2_regions=frozenset(),
        column1_blocks=[span("09:00", "09:20")],
        column2_blocks=[span("09:10", "09:30")],
        choice="X",
    )
    assert decision.modifier is None


def test_indicator_zero_allows_no_modifier_and_nine_is_no_edit():
    zero = rules.ptp_decision(
        indicator=0,
        column1_regions=LUMBAR,
        column2_regions=SHOULDER,
        column1_blocks=[],
        column2_blocks=[],
        choice="X",
    )
    assert zero.modifier is None and not zero.payable
    nine = rules.ptp_decision(
        indicator=9,
        column1_regions=LUMBAR,
        column2_regions=LUMBAR,
        column1_blocks=[],
        column2_blocks=[],
        choice="X",
    )
    assert nine.modifier is None and nine.payable


# --- KX, chiropractors, MUE, order ----------------------------------------------------------------


def test_kx_fires_only_past_the_years_threshold():
    # DOMAIN.md §5 KX: the threshold is configuration with its year
    threshold = Decimal("2480.00")
    over = {"year_to_date": Decimal("2470.00"), "this_visit": Decimal("27.72")}
    under = {"year_to_date": Decimal("2400.00"), "this_visit": Decimal("27.72")}
    exactly = {"year_to_date": Decimal("2452.28"), "this_visit": Decimal("27.72")}
    assert rules.kx_applies(applies=True, threshold=threshold, **over)
    assert not rules.kx_applies(applies=True, threshold=threshold, **under)
    assert not rules.kx_applies(applies=True, threshold=threshold, **exactly)  # "passes"
    assert not rules.kx_applies(applies=False, threshold=threshold, **over)
    assert not rules.kx_applies(applies=True, threshold=None, **over)  # no year configured


def test_a_chiropractors_97140_is_flagged_only_for_a_payer_that_does_not_cover_it():
    # DOMAIN.md §5: Medicare covers only spinal manipulation by chiropractors
    flagged = {"code": "97140", "plan_discipline": "DC", "clinician_discipline": "DC"}
    assert rules.chiropractor_97140_not_covered(payer_covers=False, **flagged)
    assert not rules.chiropractor_97140_not_covered(payer_covers=True, **flagged)
    assert not rules.chiropractor_97140_not_covered(
        code="97140", plan_discipline="PT", clinician_discipline="PT", payer_covers=False
    )
    assert not rules.chiropractor_97140_not_covered(
        code="98940", plan_discipline="DC", clinician_discipline="DC", payer_covers=False
    )


def test_mue_fires_above_the_limit_only():
    assert rules.mue_exceeded(units=7, max_units=6)
    assert not rules.mue_exceeded(units=6, max_units=6)
    assert not rules.mue_exceeded(units=9, max_units=None)


def test_modifiers_come_once_each_in_claim_order():
    assert rules.ordered(["KX", "XS", None, "CQ", "GP", "GP"]) == ("GP", "CQ", "XS", "KX")
