"""The sign-off rules of a 97140 note: one small function per audit element of DOMAIN.md §2.

The rule list is data shared by the live checklist on the note, the sign-off refusal and the
admin dashboard's "missing" column. Each rule takes `NoteFacts` (plain, frozen data) and
returns zero or more `Missing` items: what is missing in the clinician's words, where to fix
it, and whether it blocks sign-off (False: a warning shown but not blocking).

This module is pure: it imports nothing from Django or the models. The rules that compare the
note with the patient's earlier visits (E17-E19) live in `notes.audit_history`, the facts the
rules read in `notes.audit_facts`; this module lists every element and rule. `notes.facts` is
the one place that reads the database for these rules, in a fixed number of queries whatever
the size of the notes or the plans' histories, for one visit or a page of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from billing.units import MINIMUM_MINUTES
from notes import audit_history, rules
from notes.audit_facts import (
    ACTIVE_GOAL_STATUSES,
    ACTIVE_PLAN_STATUS,
    AIDE,
    ClinicianFacts,
    NoteFacts,
    TechniqueFacts,
)
from notes.audit_history import Flag
from notes.audit_history import filled as _filled
from notes.audit_history import fmt_day as _fmt
from notes.audit_history import join_list as _list
from plancare.rules import recertification_due

# --- Results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing the note still lacks (or a warning about it)."""

    code: str  # "E1".."E16"; "BILL" for other billing warnings
    message: str  # what to do, in the clinician's words
    where: str  # an anchor on the note page ("#techniques") or a URL to fix it
    blocking: bool  # False: a warning, shown but not blocking sign-off
    label: str  # short checklist label, e.g. "Pre-treatment finding"


# (code, label, where) of every element, for the checklist: satisfied ones show a ✓. Elements
# fixed elsewhere than on the note name the anchor of the note's plan panel; the Missing items
# themselves carry the real URL.
ELEMENTS: tuple[tuple[str, str, str], ...] = (
    ("E1", "Pre-treatment finding", "#findings"),
    ("E2", "Specific technique", "#techniques"),
    ("E3", "Specific region and side", "#techniques"),
    ("E4", "Timed duration", "#time"),
    ("E5", "Qualified clinician", "#clinician"),
    ("E6", "In-treatment decisions", "#decisions"),
    ("E7", "Measurable response", "#measures"),
    ("E8", "Goal linkage", "#goals"),
    ("E9", "Medical necessity", "#plan"),
    ("E10", "Reasoning sentence", "#reasoning"),
    ("E11", "Skilled-care justification", "#skilled-care"),
    ("E12", "Manipulation consent", "#techniques"),
    ("E13", "Modifier support", "#time"),
    ("E14", "Massage-like wording", "#techniques"),
    ("E15", "Plan certification", "#plan"),
    ("E16", "Progress report due", "#plan"),
    ("E17", "Progress over visits", "#skilled-care"),
    ("E18", "Note differs from the last visit", "#findings"),
    ("E19", "Carried-forward items confirmed", "#carry"),
)
_LABEL = {code: label for code, label, _where in ELEMENTS}
_WHERE = {code: where for code, _label, where in ELEMENTS}
BILLING_LABEL = "Billing"


def _missing(code: str, message: str, *, blocking: bool = True, where: str = "") -> Missing:
    return Missing(
        code=code,
        message=message,
        where=where or _WHERE[code],
        blocking=blocking,
        label=_LABEL.get(code, BILLING_LABEL),
    )


MODIFIER_WARNING_CODES = ("NCCI", "MOD59_UNSUPPORTED")  # E13
MIN_DECISION_CHARS = 10  # E6: a few words, not a placeholder
PROGRESS_REPORT_HEADS_UP = 8  # E16: from this treatment day on, warn ahead of the due day


def _technique_name(position: int, technique: TechniqueFacts) -> str:
    """ "Technique 1 (joint mobilization, C4-5)": the technique as the clinician sees it."""
    where = technique.region.strip() or technique.tissue.strip()
    what = (
        rules.technique_label(technique.kind) if technique.kind in rules.TECHNIQUE_REQUIRED else ""
    )
    shown = ", ".join(part for part in (what, where) if part)
    return f"Technique {position} ({shown})" if shown else f"Technique {position}"


# --- The rules, one per element of DOMAIN.md §2 ---------------------------------------------


def e1_finding(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E1: ≥ 1 pre-treatment finding with category, region, specific structure and
    description; the structure names a place ("C4-5", "upper trapezius")."""
    if not facts.findings:
        yield _missing(
            "E1", "Record at least one pre-treatment finding (category and specific structure)."
        )
        return
    for position, finding in enumerate(facts.findings, start=1):
        lacking = [
            name
            for name, value in (
                ("category", finding.category),
                ("body region", finding.region),
                ("specific structure", finding.structure),
                ("description", finding.description),
            )
            if not _filled(value)
        ]
        if lacking:
            yield _missing("E1", f"Finding {position}: enter the {_list(lacking)}.")
        elif problem := rules.region_problem(finding.structure):
            yield _missing("E1", f"Finding {position}: {problem}")


# E2 leaves these fields to the element that owns them, so one gap is reported once.
_REPORTED_ELSEWHERE = frozenset({"region", "laterality", "consent_documented", "screening"})


def e2_technique(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E2: ≥ 1 technique; each has a type and that type's required fields
    (rules.technique_problems) and names the finding it addresses. Region and side are E3's,
    consent and screening E12's."""
    if not facts.techniques:
        yield _missing(
            "E2",
            "Record at least one technique with its type and details "
            "(e.g. grade III PA mobilization at C4-5).",
        )
        return
    finding_ids = {f.id for f in facts.findings}
    for position, technique in enumerate(facts.techniques, start=1):
        name = _technique_name(position, technique)
        problems = [
            message
            for fld, message in rules.technique_problems(technique.kind, technique.fields())
            if fld not in _REPORTED_ELSEWHERE
        ]
        if technique.finding_id not in finding_ids:
            problems.append("Choose the finding this technique addresses.")
        if problems:
            yield _missing("E2", f"{name}: {' '.join(problems)}")


def e3_region(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E3: each technique names a specific region/structure (vague words
    refused, rules.region_problem), with the side where the body has two
    (rules.side_problem)."""
    for position, technique in enumerate(facts.techniques, start=1):
        name = _technique_name(position, technique)
        problems = []
        if problem := rules.region_problem(technique.region):
            problems.append(problem)
        if _filled(technique.tissue) and rules.region_problem(technique.tissue):
            problems.append(
                'Name the tissue or muscle, e.g. "upper trapezius", "plantar fascia" — '
                f'"{technique.tissue.strip()}" is too vague for an auditor.'
            )
        place = f"{technique.tissue} {technique.region}"
        if problem := rules.side_problem(place, technique.laterality):
            problems.append(problem)
        if problems:
            yield _missing("E3", f"{name}: {' '.join(problems)}")


def e4_time(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E4 and §3: ≥ 1 stopped 97140 time block with start and stop, no timer
    still running, and ≥ 8 total timed minutes (fewer bill no 97140). The units themselves
    come from billing."""
    for block in facts.time_blocks:
        if block.running:
            yield _missing("E4", f"Stop the running {block.code} timer started at {block.started}.")
    if not any(b.code == "97140" and not b.running for b in facts.time_blocks):
        yield _missing(
            "E4",
            "Record the 97140 time: start and stop the timer, or enter the actual start and "
            "stop times.",
        )
        return
    total = facts.total_timed_minutes
    if total < MINIMUM_MINUTES:  # DOMAIN.md §3, from billing.units
        yield _missing(
            "E4",
            f"Total timed minutes are {total}; fewer than {MINIMUM_MINUTES} bill no 97140 "
            "unit. Record the actual start and stop times of each block.",
        )


def _clinician_problem(clinician: ClinicianFacts) -> str | None:
    if clinician.discipline == AIDE:
        return (
            "Aides and technicians cannot furnish 97140; the treating clinician must perform "
            "and document it."
        )
    if not clinician.licensed:
        return (
            f"{clinician.name} has no license on file: 97140 is furnished by a licensed PT, "
            "PTA, OT, COTA or DC. Record the license number on the clinician's profile, or "
            "chart the visit under the treating clinician."
        )
    return None


def e5_clinician(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E5: the rendering clinician and every block's performing clinician is
    licensed (never an aide or technician); an assistant's note names the supervising
    therapist who co-signs it (§5: the clinic records the supervising therapist)."""
    seen: set[int] = set()
    for clinician in (facts.clinician, *(b.clinician for b in facts.time_blocks)):
        if clinician.id in seen:
            continue
        seen.add(clinician.id)
        if problem := _clinician_problem(clinician):
            yield _missing("E5", problem)
    rendering = facts.clinician
    if rendering.assistant:
        if rendering.supervisor:
            yield _missing(
                "E5",
                f"This note will be marked for co-signature by {rendering.supervisor}.",
                blocking=False,
            )
        else:
            yield _missing(
                "E5",
                f"{rendering.name} is an assistant with no supervising therapist on file: "
                "record the supervising therapist before signing.",
            )


def e6_decisions(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E6: a non-empty record of assessment and adjustments made during the
    technique (at least a few words)."""
    if len("".join(facts.in_treatment_decisions.split())) < MIN_DECISION_CHARS:
        yield _missing(
            "E6",
            "Record the in-treatment clinical decisions: what you assessed and changed during "
            "the technique (tissue response, joint play, grade changes, modifications).",
        )


def e7_response(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E7: ≥ 1 measure with its value before and after treatment."""
    if not any(m.pre_value is not None and m.post_value is not None for m in facts.measures):
        yield _missing(
            "E7",
            "Record at least one measure before and after treatment "
            "(e.g. active left cervical rotation 40° → 58°, pain 7/10 → 4/10).",
        )


def e8_goal(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E8: ≥ 1 active goal (not started or progressing) of the visit's plan is
    linked to the note."""
    if any(
        link.plan_id == facts.plan.id and link.status in ACTIVE_GOAL_STATUSES
        for link in facts.goal_links
    ):
        return
    if facts.goal_links:
        message = (
            "The linked goals are closed or belong to another plan: link an active goal of "
            "this plan that the treatment serves."
        )
    else:
        message = "Link at least one active goal of the plan that this treatment serves."
    yield _missing("E8", message)


def e9_necessity(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E9: the visit's plan of care is active, has ≥ 1 diagnosis and states the
    functional limitations. (Whether its certification period covers the date of service is
    E15's, which blocks for Medicare.)"""
    plan = facts.plan
    where = plan.url
    if plan.status != ACTIVE_PLAN_STATUS:
        yield _missing(
            "E9",
            f"The plan of care is {plan.status.replace('_', ' ')}, not active: activate it or "
            "chart the visit under the patient's active plan.",
            where=where,
        )
    if not plan.has_diagnosis:
        yield _missing("E9", "Add at least one diagnosis to the plan of care.", where=where)
    if not _filled(plan.functional_limitations):
        yield _missing(
            "E9",
            "State the functional limitations on the plan of care (what the patient cannot do "
            "because of the diagnoses).",
            where=where,
        )


def e10_reasoning(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E10: a confirmed sentence tying finding → intervention → functional goal."""
    if not _filled(facts.reasoning):
        yield _missing(
            "E10",
            "Write the clinical reasoning sentence: finding → intervention → functional goal.",
        )
    elif not facts.reasoning_confirmed:
        yield _missing(
            "E10",
            "Confirm the clinical reasoning sentence — a draft is never signed unconfirmed.",
        )


def e11_skilled_care(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E11: from the clinic's configured visit of a plan on (13 by default), why a
    licensed clinician's skill is still needed."""
    required = rules.skilled_care_required(facts.visit_number, facts.skilled_care_from_visit)
    if required and not _filled(facts.skilled_care):
        yield _missing(
            "E11",
            f"Visit {facts.visit_number} of this plan: write the skilled-care justification — "
            "why a licensed clinician's skill is still needed.",
        )


def e12_manipulation_consent(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E12: a manipulation (thrust) records informed consent and screening."""
    for position, technique in enumerate(facts.techniques, start=1):
        if technique.kind != "manipulation":
            continue
        problems = [
            message
            for fld, message in rules.technique_problems(technique.kind, technique.fields())
            if fld in ("consent_documented", "screening")
        ]
        if problems:
            yield _missing("E12", f"{_technique_name(position, technique)}: {' '.join(problems)}")


def e13_modifier_support(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E13 and §5: a 59/X modifier only when the note shows a distinct region or a
    separate time block; billing's NCCI warnings pass through as warnings (the modifier is
    then not applied)."""
    for notice in facts.billing_notices:
        if notice.code in MODIFIER_WARNING_CODES:
            yield _missing("E13", notice.message, blocking=False, where=notice.where)


def e14_massage_wording(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E14 and §1: a technique that reads like massage for comfort or relaxation
    is a compliance risk (a warning)."""
    for position, technique in enumerate(facts.techniques, start=1):
        text = " ".join((technique.method, technique.details, technique.tissue))
        words = rules.massage_words_in(text)
        if words:
            quoted = _list(f'"{w}"' for w in words)
            yield _missing(
                "E14",
                f"{_technique_name(position, technique)} reads like massage ({quoted}): 97124 "
                "massage is not 97140. Describe the skilled technique and the tissue response.",
                blocking=False,
            )


def e15_certification(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E15 and §4: plan not certified → warning; date of service outside the
    certification period → blocks for Medicare Part B, warning otherwise; recertification due
    within 14 days → warning."""
    plan = facts.plan
    day = facts.date_of_service
    where = plan.url
    if plan.certified_on is None:
        yield _missing(
            "E15",
            "The plan of care is not certified yet: enter the date the physician/NPP signed "
            "once the signed plan is back.",
            blocking=False,
            where=where,
        )
    if day > plan.cert_through:
        yield _missing(
            "E15",
            f"The certification expired on {_fmt(plan.cert_through)}, before this date of "
            f"service ({_fmt(day)}): recertify the plan.",
            blocking=facts.is_medicare,
            where=where,
        )
    elif day < plan.cert_from:
        yield _missing(
            "E15",
            f"The certification period starts on {_fmt(plan.cert_from)}, after this date of "
            f"service ({_fmt(day)}): chart the visit under the plan that covers it.",
            blocking=facts.is_medicare,
            where=where,
        )
    elif due := recertification_due(plan.cert_through, day):  # plancare.rules
        yield _missing("E15", due, blocking=False, where=where)


def e16_progress_report(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E16 and §4 (Pub. 100-02 ch. 15 §220.3): for Medicare Part B a progress
    report is due on the 10th treatment day since the last one (the evaluation, the plan's
    start, counts as the first); it blocks sign-off until written. Other payers: nothing."""
    if not facts.is_medicare:
        return
    days = facts.treatment_days_since_report
    since = _fmt(facts.report_baseline)
    last = "last progress report" if facts.last_report_on else "evaluation"
    where = facts.plan.progress_report_url or facts.plan.url
    author = " A therapist writes it, not an assistant." if facts.clinician.assistant else ""
    if rules.progress_report_due(days):
        yield _missing(
            "E16",
            f"Progress report due: this is treatment day {days} since the {last} ({since}). "
            f"Write the progress report before signing.{author}",
            where=where,
        )
    elif days >= PROGRESS_REPORT_HEADS_UP:
        left = rules.PROGRESS_REPORT_EVERY - days
        yield _missing(
            "E16",
            f"A progress report will be due in {left} treatment day{'s' if left != 1 else ''} "
            f"(treatment day {days} since the {last}, {since}).",
            blocking=False,
            where=where,
        )


# E17-E19 compare the note with the patient's earlier visits: notes.audit_history.


def _flagged(flags: Iterable[Flag]) -> list[Missing]:
    return [_missing(f.code, f.message, blocking=f.blocking, where=f.where) for f in flags]


def e17_stalled_progress(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §4 and §2 E11: the same technique on the same structure over the plan's last
    visits without the goal's minimal important change (audit_history.stalled_progress)."""
    return _flagged(audit_history.stalled_progress(facts))


def e18_cloned_note(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 (visits that read alike): a warning when the note reads like the previous
    visit (audit_history.cloned_note)."""
    return _flagged(audit_history.cloned_note(facts))


def e19_carried_items(facts: NoteFacts) -> Iterable[Missing]:
    """DOMAIN.md §2 E1-E3 and §7: each item carried forward and neither confirmed nor edited
    blocks sign-off (audit_history.carried_items)."""
    return _flagged(audit_history.carried_items(facts))


def other_billing_warnings(facts: NoteFacts) -> Iterable[Missing]:
    """Billing's other pre-sign-off warnings (MUE, CHIRO_MEDICARE, ZERO_UNITS, KX, ...; DOMAIN.md
    §3 and §5) shown with the checklist; they never block."""
    for notice in facts.billing_notices:
        if notice.code not in MODIFIER_WARNING_CODES:
            yield Missing(
                code="BILL",
                message=notice.message,
                where=notice.where or "#time",
                blocking=False,
                label=f"{BILLING_LABEL} ({notice.code})",
            )


Rule = Callable[[NoteFacts], Iterable[Missing]]

RULES: tuple[Rule, ...] = (
    e1_finding,
    e2_technique,
    e3_region,
    e4_time,
    e5_clinician,
    e6_decisions,
    e7_response,
    e8_goal,
    e9_necessity,
    e10_reasoning,
    e11_skilled_care,
    e12_manipulation_consent,
    e13_modifier_support,
    e14_massage_wording,
    e15_certification,
    e16_progress_report,
    e17_stalled_progress,
    e18_cloned_note,
    e19_carried_items,
)


def evaluate(facts: NoteFacts) -> list[Missing]:
    """Every missing element and warning of the note, in DOMAIN.md order, then billing's."""
    items = [item for rule in RULES for item in rule(facts)]
    items.extend(other_billing_warnings(facts))
    return items


def blocking(items: Iterable[Missing]) -> list[Missing]:
    return [item for item in items if item.blocking]


@dataclass(frozen=True)
class ChecklistRow:
    code: str
    label: str
    where: str
    state: str  # "ok", "missing" (blocks) or "warning"
    items: tuple[Missing, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state == "ok"


def checklist(items: Iterable[Missing]) -> list[ChecklistRow]:
    """One row per element of ELEMENTS (✓ when nothing is missing), then one per other billing
    warning: what the live panel on the note shows."""
    items = list(items)
    rows = []
    for code, label, where in ELEMENTS:
        mine = tuple(item for item in items if item.code == code)
        state = "ok" if not mine else "missing" if any(i.blocking for i in mine) else "warning"
        rows.append(ChecklistRow(code, label, mine[0].where if mine else where, state, mine))
    known = {code for code, _label, _where in ELEMENTS}
    for item in items:
        if item.code not in known:
            rows.append(ChecklistRow(item.code, item.label, item.where, "warning", (item,)))
    return rows
