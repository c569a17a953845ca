"""The access trail's rules, kept pure: the canonical bytes an event's HMAC covers, how a
chain is checked and how the first fault is named, and the short form of a user agent.

Each clinic has its own chain. Row n of a clinic carries `seq` = n, the MAC of row n-1
(`prev_mac`, empty for n = 1) and `mac` = HMAC-SHA-256(key `key_id`, canonical content). The
key lives outside the database (accounts/keyring.py), so whoever can write the table still
cannot make a row that verifies.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

CONTENT_VERSION = 2

EDITED = "edited"
DELETED = "deleted"
INSERTED = "inserted"
REORDERED = "reordered"


@dataclass(frozen=True)
class RequestInfo:
    """Where the request being served comes from; blank outside a request."""

    ip: str = ""
    user_agent: str = ""
    request_id: str = ""


NO_REQUEST = RequestInfo()
# Set by accounts.middleware.RequestContextMiddleware for the length of a request.
current_request: contextvars.ContextVar[RequestInfo] = contextvars.ContextVar(
    "palpate_current_request"
)


def request_info() -> RequestInfo:
    """The request being served, or NO_REQUEST in a command or task."""
    return current_request.get(NO_REQUEST)


class Link(Protocol):
    id: int
    seq: int
    prev_mac: str
    mac: str
    key_id: str


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes an event's MAC covers: a versioned JSON array in a fixed field order."""
    return json.dumps(
        [
            CONTENT_VERSION,
            fields["clinic_id"],
            fields["seq"],
            fields["at"].astimezone(dt.UTC).isoformat(),
            fields["user_id"],
            fields["patient_id"],
            fields["action"],
            fields["object_type"],
            fields["object_id"],
            fields["detail"],
            fields["ip"] or "",
            fields["user_agent"],
            fields["request_id"],
            fields["key_id"],
            fields["prev_mac"],
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


@dataclass(frozen=True)
class Fault:
    """The first place a clinic's chain stops being what the application wrote."""

    kind: str  # EDITED, DELETED, INSERTED or REORDERED
    event_id: int
    seq: int
    message: str


def first_fault(
    rows: Iterable[Link],
    *,
    mac_ok: Callable[[Link], bool],
    find_by_mac: Callable[[str], Link | None],
) -> Fault | None:
    """Walk one clinic's rows in `seq` order and name the first fault, or None when intact.

    - edited: the row's MAC does not match its content and the next row links to it;
    - deleted: a run of sequence numbers is missing (the row after the gap verifies but
      links to a MAC that is not the one before the gap);
    - inserted: the row does not verify and the chain links past it;
    - reordered: the row's predecessor (by `prev_mac`) sits at or after it.
    A row whose key id is not configured counts as not verifying.
    Deleting the newest rows leaves a shorter chain that still verifies: compare the head
    the command prints with one kept elsewhere to catch that.
    """
    prev_mac, expected = "", 1
    ahead = _pairs(iter(rows))
    for row, following in ahead:
        valid = mac_ok(row)
        if valid and row.seq == expected and row.prev_mac == prev_mac:
            prev_mac, expected = row.mac, expected + 1
            continue
        return _classify(row, following, prev_mac, expected, valid, find_by_mac)
    return None


def _pairs(rows: Iterator[Link]) -> Iterator[tuple[Link, Link | None]]:
    current = next(rows, None)
    while current is not None:
        following = next(rows, None)
        yield current, following
        current = following


def _classify(row, following, prev_mac, expected, valid, find_by_mac) -> Fault:
    where = f"event #{row.id} (seq {row.seq})"
    if valid and row.seq > expected:
        missing = f"seq {expected}" if row.seq == expected + 1 else f"seq {expected}-{row.seq - 1}"
        return Fault(DELETED, row.id, expected, f"{missing} deleted: the chain resumes at {where}.")
    if row.prev_mac:
        predecessor = find_by_mac(row.prev_mac)
        if predecessor is not None and predecessor.seq >= row.seq:
            return Fault(
                REORDERED,
                row.id,
                row.seq,
                f"{where} reordered: it follows event #{predecessor.id} (seq "
                f"{predecessor.seq}), which now stands after it.",
            )
    if following is not None and following.prev_mac == prev_mac and following.mac != row.mac:
        return Fault(
            INSERTED,
            row.id,
            row.seq,
            f"{where} inserted: it does not verify and the next event links past it.",
        )
    if not valid:
        return Fault(
            EDITED,
            row.id,
            row.seq,
            f"{where} edited: its content no longer matches its MAC (key {row.key_id}).",
        )
    return Fault(
        EDITED,
        row.id,
        row.seq,
        f"{where} edited: it does not link to the event before it.",
    )


_BROWSERS = [
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"OPR/(\d+)"),
    ("Firefox", r"(?:Firefox|FxiOS)/(\d+)"),
    ("Chrome", r"(?:Chrome|CriOS)/(\d+)"),
    ("Safari", r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/"),
    ("curl", r"curl/(\d+)"),
    ("python", r"python-\w+/(\d+)"),
]
_SYSTEMS = [
    ("iOS", r"iPhone|iPad|iPod"),
    ("Android", r"Android"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux|X11"),
]
USER_AGENT_LENGTH = 80


def short_user_agent(value: str) -> str:
    """ "Firefox 133 on Windows" from a full User-Agent header; unknown agents keep their
    first 80 printable characters."""
    text = "".join(ch for ch in (value or "") if ch.isprintable()).strip()
    if not text:
        return ""
    browser = next(
        (f"{name} {m.group(1)}" for name, rx in _BROWSERS if (m := re.search(rx, text))), ""
    )
    system = next((name for name, rx in _SYSTEMS if re.search(rx, text)), "")
    if browser:
        return f"{browser} on {system}" if system else browser
    return text[:USER_AGENT_LENGTH]
