"""The data after the load test, checked: no lost autosave, no duplicate or overlapping time
block, no half-written visit, the access trail intact.

`acks` comes from the load generator: per simulated clinician (thread), the last autosave the
server acknowledged (its sequence number) and how many block adds it acknowledged. A request
still in flight when the load stopped may have been written without its answer being read, so
one more than acknowledged is also consistent.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Q

from accounts.models import AccessEvent
from billing.models import ChargeLine
from notes.models import TimeBlock, Visit
from notes.signing import verify_visit

AUTOSAVE_TEXT = "Load autosave {tid}-{n}"
BLOCK_REASON = "load block {tid}"
_AUTOSAVE_RE = re.compile(r"^Load autosave (\d+)-(\d+)$")


@dataclass
class ThreadAcks:
    tid: int
    today_draft: int
    clinician_id: int
    autosave: int = 0  # sequence number of the last acknowledged autosave (0: none)
    blocks: int = 0  # block adds acknowledged


@dataclass
class CheckResult:
    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_autosaves(acks: list[ThreadAcks], result: CheckResult) -> None:
    texts = dict(
        Visit.objects.filter(pk__in=[a.today_draft for a in acks]).values_list(
            "pk", "in_treatment_decisions"
        )
    )
    for a in acks:
        if not a.autosave:
            continue
        result.checked["autosaves"] = result.checked.get("autosaves", 0) + 1
        match = _AUTOSAVE_RE.match(texts.get(a.today_draft, ""))
        stored = (int(match[1]), int(match[2])) if match else None
        if stored is None or stored[0] != a.tid or stored[1] not in (a.autosave, a.autosave + 1):
            result.problems.append(
                f"visit {a.today_draft}: lost autosave (acknowledged {a.tid}-{a.autosave}, "
                f"stored {texts.get(a.today_draft, '')!r})"
            )


def check_blocks(acks: list[ThreadAcks], result: CheckResult) -> None:
    days = dict(
        Visit.objects.filter(pk__in=[a.today_draft for a in acks]).values_list(
            "pk", "date_of_service"
        )
    )
    for a in acks:
        blocks = list(
            TimeBlock.objects.filter(
                clinician_id=a.clinician_id, visit__date_of_service=days.get(a.today_draft)
            ).order_by("started_at", "id")
        )
        manual = [b for b in blocks if b.visit_id == a.today_draft and b.manual]
        result.checked["blocks"] = result.checked.get("blocks", 0) + len(blocks)
        if len(manual) not in (a.blocks, a.blocks + 1):
            result.problems.append(
                f"visit {a.today_draft}: {len(manual)} typed-in blocks for {a.blocks} "
                "acknowledged adds"
            )
        seen = set()
        for earlier, later in zip(blocks, blocks[1:], strict=False):
            if earlier.stopped_at is None or later.started_at < earlier.stopped_at:
                result.problems.append(
                    f"clinician {a.clinician_id}: blocks {earlier.pk} and {later.pk} overlap"
                )
        for b in blocks:
            key = (b.code_id, b.started_at, b.stopped_at)
            if key in seen:
                result.problems.append(f"clinician {a.clinician_id}: duplicate block {b.pk}")
            seen.add(key)


def check_visits(since: dt.datetime, result: CheckResult) -> None:
    """Every visit signed since `since` is whole: content matching its rows and digest, and its
    charge lines; no draft anywhere has charge lines."""
    signed = Visit.objects.signed().filter(signed_at__gte=since)
    for visit in signed.select_related("clinic"):
        result.checked["signed visits"] = result.checked.get("signed visits", 0) + 1
        if not verify_visit(visit):
            result.problems.append(f"visit {visit.pk}: signed content does not match its rows")
    no_lines = (
        signed.annotate(n=Count("charge_lines"))
        .filter(n=0, time_blocks__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    for pk in no_lines:
        result.problems.append(f"visit {pk}: signed with time blocks but no charge lines")
    draft_lines = ChargeLine.objects.filter(~Q(visit__status="signed")).count()
    if draft_lines:
        result.problems.append(f"{draft_lines} charge lines belong to unsigned visits")


def check_trail(result: CheckResult) -> None:
    verify = getattr(AccessEvent, "verify_chain", None)
    if verify is None:
        return
    broken = verify()
    result.checked["access events in the verified chain"] = AccessEvent.objects.count()
    if broken is not None:
        result.problems.append(f"access trail broken at event {broken}")


def check_after_load(acks: list[ThreadAcks], since: dt.datetime) -> CheckResult:
    result = CheckResult()
    check_autosaves(acks, result)
    check_blocks(acks, result)
    check_visits(since, result)
    check_trail(result)
    return result
