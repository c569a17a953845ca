"""Fee estimates (DOMAIN.md §6): units × the year's rate of the code.

The rate of a code is the payer's own fee for the year when one is configured (`PayerFee`),
else the national non-facility payment: total RVU × the year's conversion factor, rounded to
the cent (97140 in 2026: 0.83 × $33.40 = $27.72). Lines an assistant furnished (CQ/CO) are
paid at the payer's assistant rate (Medicare: 85%). RVUs and conversion factors are yearly
data; a code without RVUs for the year, or a year without a conversion factor, has no
estimate (None, shown as "—"): the app never guesses a fee.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from billing import reference
from billing.models import CodeRvu, FeeYear, PayerFee, PayerProfile

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def rvu_rate(*, total_rvu: Decimal, conversion_factor: Decimal) -> Decimal:
    """The national payment of one unit: total RVU × conversion factor, to the cent."""
    return to_cents(total_rvu * conversion_factor)


def line_fee(
    *,
    rate: Decimal | None,
    units: int,
    assistant: bool = False,
    assistant_rate: Decimal = Decimal(1),
) -> Decimal | None:
    """The estimate of a charge line: units × the unit rate, × the assistant rate for a CQ/CO
    line (DOMAIN.md §5 CQ/CO, §6). None when the code has no rate."""
    if rate is None:
        return None
    amount = rate * units
    if assistant:
        amount = amount * assistant_rate
    return to_cents(amount)


def national_rates(codes: Iterable[str], years: Iterable[int]) -> dict[tuple[int, str], Decimal]:
    """The national non-facility rate of one unit of each code in each year, by (year, code):
    total RVU × the year's conversion factor. A code without RVUs for the year, or a year
    without a conversion factor, is absent. National data, kept per process and year
    (`billing.reference`): 2 queries for a year not read yet."""
    codes = set(codes)
    rates = {}
    for year in sorted(set(years)):
        of_year = reference.kept(("rates", year), partial(_read_rates, year))
        rates.update({(year, code): rate for code, rate in of_year.items() if code in codes})
    return rates


def _read_rates(year: int) -> dict[str, Decimal]:
    factor = FeeYear.objects.filter(year=year).values_list("conversion_factor", flat=True).first()
    if factor is None:
        return {}
    return {
        rvu.code_id: rvu_rate(total_rvu=rvu.total, conversion_factor=factor)
        for rvu in CodeRvu.objects.filter(year=year)
    }


@dataclass(frozen=True)
class FeeSchedule:
    """The unit rates of some codes for one payer and year."""

    year: int
    rates: dict[str, Decimal]  # code -> rate of one unit; codes without a rate are absent
    payer_codes: frozenset[str]  # codes whose rate is the payer's own fee

    def rate(self, code: str) -> Decimal | None:
        return self.rates.get(code)


def fee_schedule(*, payer: PayerProfile, codes: Iterable[str], year: int) -> FeeSchedule:
    """The rates of `codes` for the payer in `year`: the national rates (`national_rates`),
    replaced by the payer's own fee where one is configured (1 query when the payer is
    stored)."""
    codes = sorted(set(codes))
    if not codes:
        return FeeSchedule(year, {}, frozenset())
    rates = {code: rate for (_, code), rate in national_rates(codes, [year]).items()}
    own: dict[str, Decimal] = {}
    if payer.pk is not None:
        own = dict(
            PayerFee.objects.filter(payer=payer, year=year, code_id__in=codes).values_list(
                "code_id", "amount"
            )
        )
    rates.update(own)
    return FeeSchedule(year, rates, frozenset(own))
