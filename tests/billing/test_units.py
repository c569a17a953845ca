"""billing.units: the CMS 8-minute rule and the per-code rule (DOMAIN.md §3). No database."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.preview import BillingInputs, Charted, CodeInfo, PayerRules, billing_preview
from billing.units import (
    METHOD_AMA,
    METHOD_CMS,
    METHODS,
    CodeUnits,
    allocate_units,
    explain_units,
    minute_totals,
    total_units,
)

CODES = ["97110", "97112", "97140", "97530", "97535"]
minutes_maps = st.dictionaries(st.sampled_from(CODES), st.integers(0, 200), max_size=len(CODES))
methods = st.sampled_from(METHODS)
DAY = dt.date(2026, 3, 10)


# --- the CMS examples -------------------------------------------------------------------------


def test_cms_example_1():
    # DOMAIN.md §3 Ex 1: 97112 24 + 97110 23 = 47 min -> 97112 x2, 97110 x1
    assert allocate_units({"97112": 24, "97110": 23}) == {"97112": 2, "97110": 1}


def test_cms_example_2_never_three_of_one_and_deterministic():
    # DOMAIN.md §3 Ex 2: 97112 20 + 97110 20 = 40 min -> 3 units, 2 of either, never 3 of one
    units = allocate_units({"97112": 20, "97110": 20})
    assert sum(units.values()) == 3
    assert sorted(units.values()) == [1, 2]
    # the documented tie-break: same remaining and total minutes -> code ascending
    assert units == {"97110": 2, "97112": 1}
    assert allocate_units({"97110": 20, "97112": 20}) == units


def test_cms_example_3():
    # DOMAIN.md §3 Ex 3: 97110 33 + 97140 7 = 40 -> 97110 x2, 97140 x1 (remaining 3 vs 7)
    assert allocate_units({"97110": 33, "97140": 7}, method=METHOD_CMS) == {
        "97110": 2,
        "97140": 1,
    }


def test_cms_several_codes_of_seven_minutes_give_one_unit():
    # DOMAIN.md §3 "Several codes of <= 7 minutes each": 7 + 7 + 7 = 21 -> 1 unit to one code
    units = allocate_units({"97112": 7, "97110": 7, "97140": 7})
    assert sum(units.values()) == 1
    assert units == {"97110": 1, "97112": 0, "97140": 0}  # tie -> code ascending


def test_cms_short_codes_unit_goes_to_the_code_with_most_minutes():
    # DOMAIN.md §3 "billed for the code with the most minutes"
    assert allocate_units({"97112": 6, "97110": 5, "97140": 7}) == {
        "97110": 0,
        "97112": 0,
        "97140": 1,
    }


def test_cms_tie_on_remainder_prefers_more_total_minutes():
    # DOMAIN.md §3 allocation; tie-break documented in billing.units
    assert allocate_units({"97110": 35, "97140": 5}) == {"97110": 3, "97140": 0}


# --- the table --------------------------------------------------------------------------------

BOUNDARIES = [
    (7, 0),
    (8, 1),
    (22, 1),
    (23, 2),
    (37, 2),
    (38, 3),
    (52, 3),
    (53, 4),
    (67, 4),
    (68, 5),
    (82, 5),
    (83, 6),
    (97, 6),
    (98, 7),
    (112, 7),
    (113, 8),
    (127, 8),
]


@pytest.mark.parametrize(("total", "expected"), BOUNDARIES)
def test_cms_table_boundaries(total, expected):
    # DOMAIN.md §3 CMS table (8-22 -> 1 ... 113-127 -> 8)
    assert total_units(total) == expected
    assert allocate_units({"97140": total}) == {"97140": expected}


def test_cms_table_continues_every_fifteen_minutes():
    # DOMAIN.md §3 "and on every 15 minutes further one more"
    assert total_units(128) == 9
    assert total_units(142) == 9
    assert total_units(143) == 10
    assert total_units(0) == 0


def test_seed_article_disagreement_22_minutes_is_one_unit():
    # DOMAIN.md §3 "A disagreement in the seed material": 22 min -> 1 unit (not 2); app follows CMS
    assert allocate_units({"97140": 22}) == {"97140": 1}


@pytest.mark.parametrize(("minutes", "expected"), [(45, 3), (50, 3), (53, 4)])
def test_seed_article_values_that_agree_with_cms(minutes, expected):
    # DOMAIN.md §3 "The same article's 45 -> 3, 50 -> 3, 53 -> 4 agree with CMS"
    assert allocate_units({"97140": minutes}) == {"97140": expected}


# --- the per-code rule -------------------------------------------------------------------------


def test_per_code_short_codes_give_nothing():
    # DOMAIN.md §3 per-code: 97112 7 + 97110 7 + 97140 7 -> 0 units
    assert allocate_units({"97112": 7, "97110": 7, "97140": 7}, method=METHOD_AMA) == {
        "97110": 0,
        "97112": 0,
        "97140": 0,
    }


def test_per_code_example_3_minutes():
    # DOMAIN.md §3 per-code: 97110 33 + 97140 7 -> 97110 x2 only (SCENARIOS S2)
    assert allocate_units({"97110": 33, "97140": 7}, method=METHOD_AMA) == {
        "97110": 2,
        "97140": 0,
    }


@pytest.mark.parametrize(
    ("minutes", "expected"), [(0, 0), (7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3)]
)
def test_per_code_thresholds(minutes, expected):
    # DOMAIN.md §3 per-code: a unit at 8 minutes, one more at 23, 38, ...
    assert allocate_units({"97140": minutes}, method=METHOD_AMA) == {"97140": expected}


@pytest.mark.parametrize("method", METHODS)
def test_scenario_s1_fifteen_minutes_is_one_unit_under_both(method):
    # SCENARIOS.md S1 (DOMAIN.md §3): 97140 8 + 7 min = 15 min -> 1 unit, CMS and per-code alike
    assert allocate_units({"97140": 8 + 7}, method=method) == {"97140": 1}


def test_empty_visit_has_no_units():
    # DOMAIN.md §3: no timed minutes, no timed units
    assert allocate_units({}) == {}
    assert allocate_units({}, method=METHOD_AMA) == {}


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ({"97140": -1}, "must not be negative"),
        ({"97140": 7.5}, "whole number"),
        ({"97140": "8"}, "whole number"),
        ({"97140": True}, "whole number"),
        ({"97140": None}, "whole number"),
        ({"": 8}, "non-blank"),
        ({"   ": 8}, "non-blank"),
        ({None: 8}, "non-blank"),
        ({" 97140": 8}, "whitespace"),
    ],
)
@pytest.mark.parametrize("method", METHODS)
def test_invalid_input_raises_value_error(minutes, message, method):
    # DOMAIN.md §3: minutes are counted, whole and never negative; every code is named
    with pytest.raises(ValueError, match=message):
        allocate_units(minutes, method=method)
    with pytest.raises(ValueError, match=message):
        explain_units(minutes, method=method)


@pytest.mark.parametrize("method", ["CMS", "medicare", "", None])
def test_unknown_method_raises(method):
    # DOMAIN.md §3: the two methods are "cms" and "ama"
    with pytest.raises(ValueError, match="unknown unit method"):
        allocate_units({"97140": 15}, method=method)
    with pytest.raises(ValueError, match="unknown unit method"):
        explain_units({"97140": 15}, method=method)


@pytest.mark.parametrize("value", [-1, 7.0, False])
def test_total_units_rejects_bad_totals(value):
    # DOMAIN.md §3 table: total minutes are a non-negative whole number
    with pytest.raises(ValueError):
        total_units(value)


# --- explanations -------------------------------------------------------------------------------


def test_explain_cms_example_3():
    # DOMAIN.md §3 Ex 3: 97110 x2 from full units, 97140 x1 from the pooled remainder
    lines = explain_units({"97140": 7, "97110": 33})
    assert [line.code for line in lines] == ["97110", "97140"]
    ex, mt = lines
    assert (ex.units, ex.full_units, ex.full_unit_minutes, ex.remainder_minutes) == (2, 2, 30, 3)
    assert ex.note.startswith("2 full 15-minute units; 3 minutes left over")
    assert "97140" in ex.note
    assert mt == CodeUnits(
        "97140", 7, 1, 0, 7, "1 unit from the pooled remainder (7 min, most remaining minutes)"
    )


def test_explain_per_code_short_code():
    # DOMAIN.md §3 per-code: 7 minutes alone make no unit
    lines = explain_units({"97110": 33, "97140": 7}, method=METHOD_AMA)
    assert lines[1].units == 0
    assert lines[1].note == "7 min alone is under 8 minutes: no unit under the per-code rule"
    assert lines[0].note == "33 min counted alone: 2 units under the per-code rule"


def test_explain_under_eight_total_minutes():
    # DOMAIN.md §3 "Fewer than 8 total minutes: no timed unit"
    (line,) = explain_units({"97140": 7})
    assert line.units == 0
    assert "under 8" in line.note


def test_explanations_are_frozen():
    # DOMAIN.md §3: an explanation is a fixed record of the computation
    (line,) = explain_units({"97140": 15})
    with pytest.raises(AttributeError):
        line.units = 2


def test_summary_totals_and_labels():
    # DOMAIN.md §3 "The note shows total timed minutes" (Ex 1): what the note's units panel
    # shows, from the billing preview built on these rules.
    def preview(method):
        charted = tuple(
            Charted(code=CodeInfo(code, code, True, "exercise"), minutes=m)
            for code, m in (("97112", 24), ("97110", 23))
        )
        rules = PayerRules(name="Payer", payer_type="commercial", unit_method=method)
        return billing_preview(BillingInputs(DAY, "PT", "PT", 0, rules, charted, rates={}))

    cms = preview(METHOD_CMS)
    assert (cms.total_timed_minutes, cms.total_units) == (47, 3)
    assert cms.method == "cms"
    assert cms.method_label == "CMS 8-minute rule (total time)"
    ama = preview(METHOD_AMA)
    assert (ama.total_timed_minutes, ama.total_units) == (47, 4)
    assert ama.method_label == "Per-code rule of eights (AMA/CPT)"


# --- properties -------------------------------------------------------------------------------


@given(minutes_maps)
def test_cms_total_is_the_table_of_the_summed_minutes(minutes):
    # DOMAIN.md §3: "the total decides the units"
    units = allocate_units(minutes)
    assert set(units) == set(minutes)
    assert sum(units.values()) == total_units(sum(minutes.values()))


@given(minutes_maps)
def test_cms_pool_never_needs_more_than_one_unit_per_code_with_remainder(minutes):
    # DOMAIN.md §3 allocation: remaining units <= codes with remaining minutes
    full = sum(m // 15 for m in minutes.values())
    with_remainder = sum(1 for m in minutes.values() if m % 15)
    remaining = total_units(sum(minutes.values())) - full
    assert 0 <= remaining <= with_remainder


@given(minutes_maps)
def test_cms_code_units_are_bounded_by_its_minutes(minutes):
    # DOMAIN.md §3: full units first, at most one more from the pool, none without minutes
    units = allocate_units(minutes)
    for code, m in minutes.items():
        assert m // 15 <= units[code] <= m // 15 + (1 if m % 15 else 0)
        if m == 0:
            assert units[code] == 0


@given(minutes_maps)
def test_cms_fifteen_and_thirty_minutes_guarantee_units(minutes):
    # DOMAIN.md §3 "A code done >= 15 minutes gets at least one unit, >= 30 at least two"
    units = allocate_units(minutes)
    for code, m in minutes.items():
        if m >= 15:
            assert units[code] >= 1
        if m >= 30:
            assert units[code] >= 2


@given(minutes_maps)
def test_cms_pooled_units_go_to_the_most_remaining_minutes(minutes):
    # DOMAIN.md §3 "the remaining units go, one each, to the codes with the most remaining minutes"
    units = allocate_units(minutes)
    got = [m % 15 for c, m in minutes.items() if units[c] > m // 15]
    missed = [m % 15 for c, m in minutes.items() if units[c] == m // 15 and m % 15]
    if got and missed:
        assert min(got) >= max(missed)


@given(minutes_maps)
def test_ama_never_pools(minutes):
    # DOMAIN.md §3 per-code: "minutes are not pooled across codes"
    units = allocate_units(minutes, method=METHOD_AMA)
    for code, m in minutes.items():
        assert units[code] == allocate_units({code: m}, method=METHOD_AMA)[code]
        assert units[code] == (0 if m < 8 else 1 + (m - 8) // 15)


@given(minutes_maps, st.sampled_from(CODES), methods)
def test_one_more_minute_never_lowers_the_total(minutes, code, method):
    # DOMAIN.md §3: both tables grow with time
    before = sum(allocate_units(minutes, method=method).values())
    more = dict(minutes)
    more[code] = more.get(code, 0) + 1
    assert sum(allocate_units(more, method=method).values()) >= before


@given(minutes_maps, methods, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_insertion_order(minutes, method, rnd):
    # DOMAIN.md §3 Ex 2 "2 of either": the app's choice must still be reproducible
    items = list(minutes.items())
    rnd.shuffle(items)
    assert allocate_units(dict(items), method=method) == allocate_units(minutes, method=method)
    assert explain_units(dict(items), method=method) == explain_units(minutes, method=method)


@given(minutes_maps, methods)
def test_explanation_matches_allocation(minutes, method):
    # DOMAIN.md §3: the explanation shows the same units that are billed
    lines = explain_units(minutes, method=method)
    assert [line.code for line in lines] == sorted(minutes)
    assert {line.code: line.units for line in lines} == allocate_units(minutes, method=method)
    for line in lines:
        assert line.full_unit_minutes + line.remainder_minutes == line.minutes
        assert line.note
    assert sum(line.minutes for line in lines) == sum(minutes.values())


def test_the_treatment_total_adds_every_untimed_minute_to_the_timed_ones():
    # DOMAIN.md §3: the note shows total timed minutes and total treatment minutes (Medicare
    # asks for both); the untimed services' and the visit's other minutes count in the second.
    assert minute_totals([8, 15], [10, 5]) == (23, 38)
    assert minute_totals([], [5]) == (0, 5)
    assert minute_totals((m for m in [7]), iter(())) == (7, 7)
