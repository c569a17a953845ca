"""Units of 15-minute timed codes: the CMS 8-minute rule and the per-code rule (DOMAIN.md §3).

Pure Python, no Django: the caller passes the total direct minutes of each timed code of one
date of service and gets the units back.

CMS total-time rule (Medicare Claims Processing Manual, Pub. 100-04, ch. 5 §20.2)
    The minutes of all timed codes are added; the total decides the units (< 8 minutes: none;
    8-22: 1; 23-37: 2; ... one more on every further 15 minutes, i.e. ``(total + 7) // 15``).
    Each code first gets its full 15-minute units (``minutes // 15``); the units still to give
    go one each to the codes with the most minutes left over (``minutes % 15``).

    Tie-break (several codes with the same left-over minutes, not all of them can get a unit):
    more left-over minutes first, then more total minutes of the code, then the code in
    ascending order (``"97110"`` before ``"97112"``). The result therefore never depends on
    the order of the mapping.

    Why no code ever gets two units from the pool: with F full units and R left-over minutes
    in all, each left-over below 15, the total is 15F + R and for a total of 8 or more
    ``(15F + R + 7) // 15 = F + (R + 7) // 15``; so ``(R + 7) // 15`` units remain to be
    given. With k codes that have left-over minutes, R <= 14k, and 14k + 7 < 15(k + 1), so at
    most k units remain: one per code with left-over minutes is always enough. Under 8 total
    minutes no code reaches 15, so there are no full units and no units at all.

Per-code rule ("rule of eights", CPT/AMA; many commercial payers)
    Each code is counted alone: 0 units under 8 minutes, else ``1 + (minutes - 8) // 15``
    (a unit at 8 minutes, one more at 23, 38, ...). Minutes are never pooled across codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "METHODS",
    "METHOD_AMA",
    "METHOD_CMS",
    "METHOD_LABELS",
    "CodeUnits",
    "allocate_units",
    "explain_units",
    "minute_totals",
    "total_units",
]

METHOD_CMS = "cms"
METHOD_AMA = "ama"
METHODS = (METHOD_CMS, METHOD_AMA)
METHOD_LABELS = {
    METHOD_CMS: "CMS 8-minute rule (total time)",
    METHOD_AMA: "Per-code rule of eights (AMA/CPT)",
}

UNIT_MINUTES = 15
MINIMUM_MINUTES = 8  # the fewest minutes that make a unit (half of 15, rounded up)


def _check_minutes(value: object, what: str) -> int:
    # bool is an int subclass; True minutes is a programming error, not 1 minute.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what} must be a whole number of minutes, got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    return value


def _check_method(method: object) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown unit method {method!r}; expected one of {', '.join(METHODS)}")
    return method  # type: ignore[return-value]


def _validated(minutes: Mapping[str, int]) -> dict[str, int]:
    """The minutes, checked, ordered by code."""
    checked: dict[str, int] = {}
    for code, value in minutes.items():
        if not isinstance(code, str) or not code.strip():
            raise ValueError(f"code must be a non-blank string, got {code!r}")
        if code != code.strip():
            raise ValueError(f"code {code!r} has leading or trailing whitespace")
        checked[code] = _check_minutes(value, f"minutes of {code}")
    return dict(sorted(checked.items()))


def minute_totals(timed: Iterable[int], untimed: Iterable[int]) -> tuple[int, int]:
    """(total timed minutes, total treatment minutes), the two totals Medicare asks the note
    for (DOMAIN.md §3): the timed codes' minutes, then those with every untimed minute (the
    untimed services' and the visit's other untimed time). The one sum of the note, its
    billing preview and every export file."""
    timed_total = sum(timed)
    return timed_total, timed_total + sum(untimed)


def total_units(total_minutes: int) -> int:
    """Units the CMS table gives for the total timed minutes of a date of service."""
    total_minutes = _check_minutes(total_minutes, "total minutes")
    if total_minutes < MINIMUM_MINUTES:
        return 0
    return (total_minutes + UNIT_MINUTES - MINIMUM_MINUTES) // UNIT_MINUTES


def _per_code_units(minutes: int) -> int:
    if minutes < MINIMUM_MINUTES:
        return 0
    return 1 + (minutes - MINIMUM_MINUTES) // UNIT_MINUTES


def _pool_ranking(minutes: Mapping[str, int]) -> list[str]:
    """Codes with left-over minutes, in the order they receive the pooled units."""
    return sorted(
        (code for code, m in minutes.items() if m % UNIT_MINUTES),
        key=lambda code: (-(minutes[code] % UNIT_MINUTES), -minutes[code], code),
    )


def _cms(minutes: dict[str, int]) -> tuple[dict[str, int], list[str], int]:
    """Units per code, the pool ranking, and the number of pooled units."""
    units = {code: m // UNIT_MINUTES for code, m in minutes.items()}
    ranking = _pool_ranking(minutes)
    pooled = total_units(sum(minutes.values())) - sum(units.values())
    assert 0 <= pooled <= len(ranking), (minutes, pooled)  # proved in the module docstring
    for code in ranking[:pooled]:
        units[code] += 1
    return units, ranking, pooled


def allocate_units(minutes: Mapping[str, int], *, method: str = METHOD_CMS) -> dict[str, int]:
    """Units of each timed code of one date of service (every key returned, in code order).

    ``minutes`` maps each timed CPT code to its total direct minutes that day. ``method`` is
    ``"cms"`` (total-time rule, the default) or ``"ama"`` (per-code rule); see the module
    docstring for both rules and the CMS tie-break: more left-over minutes first, then more
    total minutes, then code ascending.

    Raises ValueError for negative or non-integer minutes (bools included), a blank code or an
    unknown method.
    """
    method = _check_method(method)
    checked = _validated(minutes)
    if method == METHOD_AMA:
        return {code: _per_code_units(m) for code, m in checked.items()}
    return _cms(checked)[0]


@dataclass(frozen=True, slots=True)
class CodeUnits:
    """How one code's units came about."""

    code: str
    minutes: int
    units: int
    full_units: int  # complete 15-minute blocks in the code's own minutes
    remainder_minutes: int  # minutes % 15
    note: str

    @property
    def full_unit_minutes(self) -> int:
        return self.full_units * UNIT_MINUTES


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _cms_note(
    code: str,
    minutes: Mapping[str, int],
    units: Mapping[str, int],
    ranking: list[str],
    pooled: int,
    total: int,
) -> str:
    m = minutes[code]
    full, left = divmod(m, UNIT_MINUTES)
    if m == 0:
        return "0 minutes: no unit"
    if total < MINIMUM_MINUTES:
        return f"total timed minutes ({total}) are under 8: no timed unit"
    parts = [_plural(full, "full 15-minute unit")] if full else []
    if not left:
        return parts[0]
    if units[code] > full:
        rivals = ranking[pooled:]  # codes with left-over minutes that got no pooled unit
        if len(ranking) == 1:
            why = "the only code with minutes left over"
        elif not rivals:
            why = "enough pooled units for every code with minutes left over"
        elif left > minutes[rivals[0]] % UNIT_MINUTES:
            why = "most remaining minutes"
        elif m > minutes[rivals[0]]:
            why = "tie on remaining minutes, more total minutes"
        else:
            why = "tie on remaining and total minutes, code order"
        parts.append(f"1 unit from the pooled remainder ({left} min, {why})")
    elif pooled == 0:
        parts.append(f"{left} minutes left over; the pooled remainder makes no further unit")
    else:
        winners = ranking[:pooled]
        last = winners[-1]  # the weakest code that still got a pooled unit
        if minutes[last] % UNIT_MINUTES > left:
            why = "more remaining minutes"
        elif minutes[last] > m:
            why = "tie on remaining minutes, more total minutes"
        else:
            why = "tie on remaining and total minutes, code order"
        went = "unit went" if pooled == 1 else "units went"
        parts.append(f"{left} minutes left over; the pooled {went} to {', '.join(winners)} ({why})")
    return "; ".join(parts)


def _ama_note(m: int, units: int) -> str:
    if m < MINIMUM_MINUTES:
        return f"{m} min alone is under 8 minutes: no unit under the per-code rule"
    return f"{m} min counted alone: {_plural(units, 'unit')} under the per-code rule"


def explain_units(minutes: Mapping[str, int], *, method: str = METHOD_CMS) -> list[CodeUnits]:
    """One CodeUnits per code, ordered by code, each with a sentence on how its units came."""
    method = _check_method(method)
    checked = _validated(minutes)
    if method == METHOD_AMA:
        return [
            CodeUnits(code, m, u, m // UNIT_MINUTES, m % UNIT_MINUTES, _ama_note(m, u))
            for code, m in checked.items()
            for u in (_per_code_units(m),)
        ]
    units, ranking, pooled = _cms(checked)
    total = sum(checked.values())
    return [
        CodeUnits(
            code,
            m,
            units[code],
            m // UNIT_MINUTES,
            m % UNIT_MINUTES,
            _cms_note(code, checked, units, ranking, pooled, total),
        )
        for code, m in checked.items()
    ]
