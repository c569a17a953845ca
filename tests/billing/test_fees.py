"""billing.fees: estimates from RVUs and the year's conversion factor (DOMAIN.md §6)."""

from decimal import Decimal

from billing.fees import fee_schedule, line_fee, rvu_rate
from billing.models import CodeRvu, FeeYear, PayerFee
from billing.services import default_payer_profile


def test_it_prices_97140_in_2026_at_27_72():
    # DOMAIN.md §6: work 0.43 + PE 0.39 + MP 0.01 = 0.83 × $33.40 = $27.72 (SCENARIOS S1)
    assert rvu_rate(total_rvu=Decimal("0.83"), conversion_factor=Decimal("33.40")) == Decimal(
        "27.72"
    )
    assert line_fee(rate=Decimal("27.72"), units=2) == Decimal("55.44")


def test_an_assistants_line_is_paid_at_the_assistant_rate():
    # DOMAIN.md §5 CQ/CO: paid at 85%
    fee = line_fee(rate=Decimal("27.72"), units=1, assistant=True, assistant_rate=Decimal("0.85"))
    assert fee == Decimal("23.56")


def test_a_code_without_a_rate_has_no_estimate():
    assert line_fee(rate=None, units=1) is None


def test_the_2026_schedule_is_loaded_with_the_catalog(db):
    # DOMAIN.md §6: RVUs and conversion factors are yearly data
    rvu = CodeRvu.objects.get(code_id="97140", year=2026)
    assert (rvu.work, rvu.practice_expense, rvu.malpractice) == (
        Decimal("0.43"),
        Decimal("0.39"),
        Decimal("0.01"),
    )
    assert FeeYear.objects.get(year=2026).conversion_factor == Decimal("33.40")
    medicare = default_payer_profile("medicare_b")
    schedule = fee_schedule(payer=medicare, codes=["97140", "97110"], year=2026)
    assert schedule.rate("97140") == Decimal("27.72")
    assert schedule.rate("97110") is None  # no 2026 RVUs in the catalog: no guess


def test_a_year_without_a_conversion_factor_has_no_estimate(db):
    medicare = default_payer_profile("medicare_b")
    assert fee_schedule(payer=medicare, codes=["97140"], year=2031).rate("97140") is None


def test_a_payers_own_fee_overrides_the_rvu_estimate(db, payer_profiles):
    commercial = payer_profiles["commercial"]
    PayerFee.objects.create(payer=commercial, code_id="97140", year=2026, amount=Decimal("41.00"))
    PayerFee.objects.create(payer=commercial, code_id="97110", year=2025, amount=Decimal("30.00"))
    schedule = fee_schedule(payer=commercial, codes=["97140", "97110"], year=2026)
    assert schedule.rate("97140") == Decimal("41.00")
    assert schedule.rate("97110") is None  # the 2025 fee is not the 2026 fee
    assert schedule.payer_codes == {"97140"}


def test_it_reads_the_schedule_in_three_queries_whatever_the_codes_then_one(
    db, payer_profiles, django_assert_num_queries
):
    codes = ["97140", "97110", "97112", "97530", "98940"]
    # The conversion factor, the RVUs, the payer's own fees; then the national rates are kept.
    with django_assert_num_queries(3):
        first = fee_schedule(payer=payer_profiles["medicare_b"], codes=codes, year=2026)
    with django_assert_num_queries(1):
        again = fee_schedule(payer=payer_profiles["medicare_b"], codes=codes, year=2026)
    assert again == first
