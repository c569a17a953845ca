"""Pure rules of the records exports (no Django): the ADR deadline (issue 15 §3).

A Medicare Additional Documentation Request must be answered within 45 days of its receipt;
on day 46 the claim is denied.
"""

from __future__ import annotations

import datetime as dt

ADR_RESPONSE_DAYS = 45
EXPORT_LIFETIME = dt.timedelta(hours=24)  # a download link lives this long


def adr_due_date(received_on: dt.date) -> dt.date:
    """The last day to answer an ADR: received + 45 days."""
    return received_on + dt.timedelta(days=ADR_RESPONSE_DAYS)


def adr_days_left(received_on: dt.date, today: dt.date) -> int:
    """Days left until the due date (0 on the due day, negative once it has passed)."""
    return (adr_due_date(received_on) - today).days


def days_left_label(days: int) -> str:
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "due today"
    return f"{days} day{'s' if days != 1 else ''} left"
