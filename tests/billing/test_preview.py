"""billing.preview.billing_preview: the pure billing preview, without the database, checked
against billing.units and the payer's rules for any charted minutes (DOMAIN.md §3, §5, §6)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from billing.preview import (
    BillingInputs,
    Charted,
    CodeInfo,
    MueCap,
    PayerRules,
    PtpPair,
    billing_preview,
)
from billing.services import DEFAULT_PAYER_PROFILES
from billing.units import allocate_units

DAY = dt.date(2026, 3, 10)
CATALOG = {
    "97140": CodeInfo("97140", "Manual therapy techniques", True, "manual"),
    "97110": CodeInfo("97110", "Therapeutic exercise", True, "exercise"),
    "97530": CodeInfo("97530", "Therapeutic activities", True, "activity"),
    "97010": CodeInfo("97010", "Hot or cold packs", False, "modality"),
}
RATES = {"97140": Decimal("27.72"), "97110": Decimal("29.06"), "97530": Decimal("33.07")}


def payer(payer_type: str) -> PayerRules:
    return PayerRules(payer_type=payer_type, **DEFAULT_PAYER_PROFILES[payer_type])


rows = st.lists(
    st.tuples(st.sampled_from(sorted(CATALOG)), st.integers(0, 70), st.booleans()), max_size=8
)
payers = st.sampled_from(sorted(DEFAULT_PAYER_PROFILES)).map(payer)


def inputs(charted_rows, rules: PayerRules, **extra) -> BillingInputs:
    return BillingInputs(
        day=DAY,
        plan_discipline="PT",
        clinician_discipline="PT",
        untimed_minutes=extra.pop("untimed_minutes", 0),
        payer=rules,
        charted=tuple(
            Charted(code=CATALOG[code], minutes=minutes, by_assistant=assistant)
            for code, minutes, assistant in charted_rows
        ),
        rates=RATES,
        **extra,
    )


@given(rows, payers, st.integers(0, 60))
def test_its_units_and_minutes_are_those_of_billing_units(charted_rows, rules, untimed):
    preview = billing_preview(inputs(charted_rows, rules, untimed_minutes=untimed))
    timed = {}
    for code, minutes, _assistant in charted_rows:
        if CATALOG[code].timed:
            timed[code] = timed.get(code, 0) + minutes
    timed = {code: m for code, m in timed.items() if m}
    expected = allocate_units(timed, method=rules.unit_method) if timed else {}
    assert {line.code: line.units for line in preview.lines if line.timed} == expected
    assert preview.total_timed_minutes == sum(timed.values())
    untimed_rows = sum(m for code, m, _a in charted_rows if not CATALOG[code].timed)
    assert preview.total_treatment_minutes == sum(timed.values()) + untimed_rows + untimed
    # Every untimed code charted bills one unit.
    for code in {code for code, _m, _a in charted_rows if not CATALOG[code].timed}:
        assert {line.code: line.units for line in preview.lines}[code] == 1


@given(rows, payers)
def test_its_fee_total_is_the_sum_of_the_billed_lines(charted_rows, rules):
    preview = billing_preview(inputs(charted_rows, rules))
    billed = preview.billed_lines
    for line in preview.lines:
        if line.units == 0:
            assert line.fee is None and line.modifiers == ()
    if not billed or any(line.fee is None for line in billed):
        assert preview.fee_total is None
    else:
        assert preview.fee_total == sum(line.fee for line in billed)


@given(rows, payers)
def test_it_is_the_same_for_the_same_inputs(charted_rows, rules):
    once = inputs(charted_rows, rules)
    assert billing_preview(once) == billing_preview(once)


def test_a_pair_the_payer_does_not_edit_warns_of_nothing():
    # DOMAIN.md §5: self-pay applies no NCCI edit; Medicare does (97140/97530, modifier 1).
    charted = [("97140", 15, False), ("97530", 15, False)]
    pair = (PtpPair("97140", "97530", 1),)
    edited = billing_preview(inputs(charted, payer("medicare_b"), ptp_pairs=pair))
    assert [w.code for w in edited.warnings] == ["MOD59_UNSUPPORTED"]
    free = billing_preview(inputs(charted, payer("self_pay"), ptp_pairs=pair))
    assert free.warnings == ()


def test_units_above_the_mue_warn():
    # DOMAIN.md §5 MUE: 97140 ×4 against a limit of 3 units a day.
    preview = billing_preview(
        inputs([("97140", 60, False)], payer("medicare_b"), mue={"97140": MueCap(3, "3 Date")})
    )
    assert [w.code for w in preview.warnings] == ["MUE"]
    assert (
        "97140 ×4 is above its medically unlikely edit of 3 unit(s)" in preview.warnings[0].message
    )


def test_the_kx_threshold_passed_adds_kx_and_says_so():
    # DOMAIN.md §5 KX: the year's spending with this visit passes the threshold.
    preview = billing_preview(
        inputs(
            [("97140", 15, False)],
            payer("medicare_b"),
            kx_threshold=Decimal("2480.00"),
            kx_year_to_date=Decimal("2470.00"),
        )
    )
    assert preview.lines[0].modifiers == ("GP", "KX")
    assert [w.code for w in preview.warnings] == ["KX"]
