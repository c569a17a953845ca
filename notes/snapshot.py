"""The note read once per request: one snapshot of a visit and its rows feeds the page, the
billing preview, the audit facts and the canonical content (DESIGN.md §2.2).

`NoteSnapshot(visit, user)` reads the rows of a visit loaded by `notes.access` (with the
relations and annotations the rules need) in one query per kind of row, whatever their
number. Everything derived from them is computed at most once per snapshot: the billing
preview (`billing.services.visit_billing` on the loaded rows), the audit facts and items
(`notes.facts`, `notes.audit`); `notes.signing` builds the canonical content from the same
rows. What only a form needs (the code catalog, the plan's active goals, a running timer
elsewhere) is read only when a form asks for it.
"""

from __future__ import annotations

from functools import cached_property

from billing import reference
from billing.models import ChargeLine, Code
from billing.preview import BillingPreview
from billing.services import visit_billing
from notes import audit, audit_facts
from notes.facts import facts_for_loaded_visit, prefetch_rows
from notes.models import Finding, GoalLink, Measure, Technique, TimeBlock, UntimedService, Visit
from notes.services import running_block_of
from plancare.models import ACTIVE_GOAL_STATUSES

# The snapshot's lists of rows and the visit's relation each comes from.
ROWS = {
    Finding: ("findings", "findings"),
    Technique: ("techniques", "techniques"),
    TimeBlock: ("blocks", "time_blocks"),
    UntimedService: ("services", "untimed_services"),
    Measure: ("measures", "measures"),
    GoalLink: ("goal_links", "goal_links"),
}
_DERIVED = ("billing", "facts", "audit_items", "checklist_rows", "my_running")


def _ordering_key(row):
    """The model's default ordering (ascending fields), for rows kept in memory."""
    return tuple(getattr(row, name) for name in type(row)._meta.ordering)


class NoteSnapshot:
    """A visit's note as read in this request. A write of this request applies its row to
    the snapshot too (`added`, `changed`, `removed`), so the answer is drawn without reading
    the note again."""

    def __init__(self, visit: Visit, user=None):
        self.visit = visit
        self.user = user
        cache = getattr(visit, "_prefetched_objects_cache", {})
        if "findings" not in cache:
            prefetch_rows([visit])  # none for the carried items unless some are waiting
        for attr, relation in ROWS.values():
            setattr(self, attr, list(getattr(visit, relation).all()))
        self._link()

    def _link(self) -> None:
        """Point the rows at each other (technique → finding, block → technique) and hand
        the lists back to the visit, where the audit facts and the canonical content read."""
        findings_by_id = {f.pk: f for f in self.findings}
        for t in self.techniques:
            if t.finding_id in findings_by_id:
                t.finding = findings_by_id[t.finding_id]
        techniques_by_id = {t.pk: t for t in self.techniques}
        for b in self.blocks:
            b.technique = techniques_by_id.get(b.technique_id)
        cache = self.visit._prefetched_objects_cache
        for attr, relation in ROWS.values():
            cache[relation]._result_cache = getattr(self, attr)
        for name in _DERIVED:
            self.__dict__.pop(name, None)

    def _rows_of(self, row) -> list:
        return getattr(self, ROWS[type(row)][0])

    def added(self, row) -> None:
        rows = self._rows_of(row)
        rows.append(row)
        rows.sort(key=_ordering_key)
        self._link()

    def changed(self, row) -> None:
        self._rows_of(row).sort(key=_ordering_key)
        self._link()

    def removed(self, row, pk: int) -> None:
        """`row` (with id `pk`: a deleted row has none) is gone from the note."""
        rows = self._rows_of(row)
        rows[:] = [r for r in rows if r.pk != pk and r is not row]
        if isinstance(row, Technique):  # its blocks keep their time, without the technique
            for block in self.blocks:
                if block.technique_id == pk:
                    block.technique_id = None
        self._link()

    # --- derived once -----------------------------------------------------------------------

    @property
    def stopped_blocks(self) -> list[TimeBlock]:
        return [b for b in self.blocks if not b.is_running]

    @cached_property
    def billing(self) -> BillingPreview:
        """The live billing preview: computed once per snapshot, from the rows read."""
        return visit_billing(
            self.visit,
            blocks=self.stopped_blocks,
            services=self.services,
            techniques=self.techniques,
        )

    @cached_property
    def facts(self) -> audit_facts.NoteFacts:
        return facts_for_loaded_visit(self.visit, billing=self.billing)

    @cached_property
    def audit_items(self) -> list[audit.Missing]:
        return audit.evaluate(self.facts)

    @property
    def blocking_items(self) -> list[audit.Missing]:
        return audit.blocking(self.audit_items)

    @cached_property
    def checklist_rows(self) -> list[audit.ChecklistRow]:
        return audit.checklist(self.audit_items)

    @cached_property
    def charge_lines(self) -> list[ChargeLine]:
        """The stored charge lines of a signed visit (one query)."""
        return list(ChargeLine.objects.filter(visit=self.visit).order_by("code_id"))

    # --- what the forms need, read only when asked ------------------------------------------

    @cached_property
    def active_goals(self) -> list:
        return list(self.visit.plan.goals.filter(status__in=ACTIVE_GOAL_STATUSES))

    @property
    def codes(self) -> tuple[Code, ...]:
        return reference.catalog()

    @property
    def timed_codes(self) -> list[Code]:
        return [c for c in self.codes if c.timed]

    @property
    def untimed_codes(self) -> list[Code]:
        return [c for c in self.codes if not c.timed]

    @cached_property
    def my_running(self) -> TimeBlock | None:
        user_id = getattr(self.user, "pk", None)
        running = [b for b in self.blocks if b.is_running and b.clinician_id == user_id]
        return running[0] if running else None

    @cached_property
    def my_running_elsewhere(self) -> TimeBlock | None:
        """The user's timer running on another visit (one query), which blocks starting one."""
        if self.my_running is not None or not self.visit.is_draft or self.user is None:
            return None
        return running_block_of(self.user)

    def find(self, rows: str, pk: int):
        """The row of this note with that id (`rows`: "findings", "measures", ...), or None."""
        return next((row for row in getattr(self, rows) if row.pk == pk), None)

    # --- page helpers -------------------------------------------------------------------------

    def default_goal(self):
        """The first active goal this visit has not measured yet."""
        measured = {m.goal_id for m in self.measures}
        return next((g for g in self.active_goals if g.pk not in measured), None)

    def last_manual_reason(self) -> str:
        reasons = [b.manual_reason for b in self.blocks if b.manual and b.manual_reason]
        return reasons[-1] if reasons else ""

    @property
    def untreated_findings(self) -> list[Finding]:
        treated = {t.finding_id for t in self.techniques}
        return [f for f in self.findings if f.pk not in treated]

    def default_finding(self) -> Finding | None:
        untreated = self.untreated_findings
        if untreated:
            return untreated[0]
        return self.findings[-1] if self.findings else None

    @property
    def unlinked_goals(self) -> list:
        linked = {link.goal_id for link in self.goal_links}
        return [g for g in self.active_goals if g.pk not in linked]
