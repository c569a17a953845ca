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

from django.db.models import Subquery

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


@dataclass(frozen=True)
class FeeSchedule:
    """The unit rates of some codes for one payer and year."""

    year: int
    conversion_factor: Decimal | None
    rates: dict[str, Decimal]  # code -> rate of one unit; codes without a rate are absent
    payer_codes: frozenset[str]  # codes whose rate is the payer's own fee

    def rate(self, code: str) -> Decimal | None:
        return self.rates.get(code)


def fee_schedule(*, payer: PayerProfile, codes: Iterable[str], year: int) -> FeeSchedule:
    """The rates of `codes` for the payer in `year`: 2 queries at most (the RVUs with the
    year's conversion factor, the payer's own fees), whatever the number of codes."""
    codes = sorted(set(codes))
    if not codes:
        return FeeSchedule(year, None, {}, frozenset())
    factor_of_year = FeeYear.objects.filter(year=year).values("conversion_factor")[:1]
    rvus = CodeRvu.objects.filter(year=year, code_id__in=codes).annotate(
        factor=Subquery(factor_of_year)
    )
    factor = None
    rates: dict[str, Decimal] = {}
    for rvu in rvus:
        factor = rvu.factor
        if factor is not None:
            rates[rvu.code_id] = rvu_rate(total_rvu=rvu.total, conversion_factor=factor)
    own: dict[str, Decimal] = {}
    if payer.pk is not None:
        own = dict(
            PayerFee.objects.filter(payer=payer, year=year, code_id__in=codes).values_list(
                "code_id", "amount"
            )
        )
    rates.update(own)
    return FeeSchedule(year, factor, rates, frozenset(own))
