"""The access trail's pure rules: canonical content, naming the first fault of a chain, the
short user agent (accounts/trail.py). DOMAIN.md §7 (the access log)."""

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, replace

from accounts import trail

KEY = b"test-key-0123456789-0123456789-0123"


@dataclass(frozen=True)
class Row:
    id: int
    seq: int
    detail: str
    prev_mac: str = ""
    mac: str = ""
    key_id: str = "k1"

    def content(self) -> bytes:
        return trail.canonical(
            {
                "clinic_id": 1,
                "seq": self.seq,
                "at": dt.datetime(2026, 11, 2, 9, self.seq, tzinfo=dt.UTC),
                "user_id": 7,
                "patient_id": None,
                "action": "view",
                "object_type": "",
                "object_id": "",
                "detail": self.detail,
                "ip": "",
                "user_agent": "",
                "request_id": "",
                "key_id": self.key_id,
                "prev_mac": self.prev_mac,
            }
        )


def _mac(row: Row) -> str:
    return hmac.new(KEY, row.content(), hashlib.sha256).hexdigest()


def _chain(n: int) -> list[Row]:
    rows, prev = [], ""
    for seq in range(1, n + 1):
        row = Row(id=100 + seq, seq=seq, detail=f"event {seq}", prev_mac=prev)
        row = replace(row, mac=_mac(row))
        rows.append(row)
        prev = row.mac
    return rows


def _fault(rows):
    ordered = sorted(rows, key=lambda r: (r.seq, r.id))
    return trail.first_fault(
        ordered,
        mac_ok=lambda r: hmac.compare_digest(_mac(r), r.mac),
        find_by_mac=lambda mac: next((r for r in ordered if r.mac == mac), None),
    )


def test_it_finds_no_fault_in_an_intact_chain():
    assert _fault(_chain(5)) is None
    assert _fault([]) is None


def test_it_names_an_edited_event():
    rows = _chain(5)
    rows[2] = replace(rows[2], detail="nothing to see")
    fault = _fault(rows)
    assert (fault.kind, fault.event_id, fault.seq) == (trail.EDITED, 103, 3)
    assert "event #103 (seq 3) edited" in fault.message


def test_it_names_an_edited_last_event():
    rows = _chain(3)
    rows[2] = replace(rows[2], detail="changed")
    assert (_fault(rows).kind, _fault(rows).seq) == (trail.EDITED, 3)


def test_it_names_a_deleted_event_and_where_the_chain_resumes():
    rows = _chain(5)
    del rows[1]
    fault = _fault(rows)
    assert (fault.kind, fault.seq, fault.event_id) == (trail.DELETED, 2, 103)
    assert fault.message.startswith("seq 2 deleted")


def test_it_names_a_run_of_deleted_events():
    rows = _chain(6)
    del rows[1:4]
    assert _fault(rows).message.startswith("seq 2-4 deleted")


def test_it_names_an_inserted_event_the_chain_links_past():
    rows = _chain(4)
    # A forged row at seq 2, the genuine rows after it renumbered to make room.
    forged = Row(id=999, seq=2, detail="pt viewed Ellis", prev_mac=rows[0].mac, mac="f" * 64)
    shifted = [rows[0], forged] + [replace(r, seq=r.seq + 1) for r in rows[1:]]
    fault = _fault(shifted)
    assert (fault.kind, fault.event_id, fault.seq) == (trail.INSERTED, 999, 2)


def test_it_names_a_reordered_event():
    rows = _chain(5)
    rows[1], rows[2] = replace(rows[1], seq=3), replace(rows[2], seq=2)
    fault = _fault(rows)
    assert (fault.kind, fault.event_id, fault.seq) == (trail.REORDERED, 103, 2)
    assert "follows event #102 (seq 3)" in fault.message


def test_a_chain_recomputed_with_another_key_fails_at_its_first_event():
    rows, prev = [], ""
    for seq in range(1, 4):
        row = Row(id=seq, seq=seq, detail="x", prev_mac=prev)
        row = replace(
            row, mac=hmac.new(b"a guessed key", row.content(), hashlib.sha256).hexdigest()
        )
        rows.append(row)
        prev = row.mac
    fault = _fault(rows)
    assert (fault.kind, fault.seq) == (trail.EDITED, 1)


def test_the_canonical_content_is_the_same_instant_in_any_time_zone():
    row = _chain(1)[0]
    fields = {
        "clinic_id": 1,
        "seq": 1,
        "user_id": 7,
        "patient_id": None,
        "action": "view",
        "object_type": "",
        "object_id": "",
        "detail": row.detail,
        "ip": "",
        "user_agent": "",
        "request_id": "",
        "key_id": "k1",
        "prev_mac": "",
    }
    utc = dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC)
    chicago = utc.astimezone(dt.timezone(dt.timedelta(hours=-6)))
    assert trail.canonical({**fields, "at": utc}) == trail.canonical({**fields, "at": chicago})
    assert trail.canonical({**fields, "at": utc}) != trail.canonical(
        {**fields, "at": utc, "detail": "other"}
    )


def test_it_shortens_user_agents():
    chrome_linux = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    safari_iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )
    edge = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86"
    )
    firefox = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0"
    assert trail.short_user_agent(chrome_linux) == "Chrome 131 on Linux"
    assert trail.short_user_agent(safari_iphone) == "Safari 17 on iOS"
    assert trail.short_user_agent(edge) == "Edge 131 on Windows"
    assert trail.short_user_agent(firefox) == "Firefox 133 on macOS"
    assert trail.short_user_agent("curl/8.5.0") == "curl 8"
    assert trail.short_user_agent("x" * 300 + "\x00") == "x" * trail.USER_AGENT_LENGTH
    assert trail.short_user_agent("") == ""
