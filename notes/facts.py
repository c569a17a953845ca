"""Reading visits for the sign-off rules of `notes.audit`: the database side of the audit.

`facts_for_visits()` builds the plain `NoteFacts` of many visits in a fixed number of queries
(plus billing's own reads per visit), so the note page, the sign-off gate and the admin's desk
run the same pure rules on the same facts. `facts_for_visit()` is the one-visit case;
`facts_for_loaded_visits()` takes visits the caller already read with `read_for_facts()` (the
desk's page), `facts_for_loaded_visit()` one (the note's snapshot).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from billing import services as billing_services
from notes import carry, rules
from notes.audit import Missing, evaluate
from notes.audit_facts import (
    BillingNotice,
    ClinicianFacts,
    FindingFacts,
    GoalLinkFacts,
    MeasureFacts,
    NoteFacts,
    PlanFacts,
    TechniqueFacts,
    TimeBlockFacts,
)
from notes.audit_history import CarriedFacts, PriorVisitFacts
from notes.models import (
    CarriedItem,
    GoalLink,
    Measure,
    TimeBlock,
    UntimedService,
    Visit,
    VisitStatus,
)
from notes.rules import TECHNIQUE_FIELDS
from plancare.measures import mcid_for
from plancare.models import Diagnosis, ProgressReport


def clinician_facts(user) -> ClinicianFacts:
    supervisor = user.supervising_therapist
    return ClinicianFacts(
        id=user.pk,
        name=str(user),
        discipline=user.discipline,
        licensed=user.is_licensed,
        assistant=user.is_assistant,
        supervisor=str(supervisor) if supervisor is not None else "",
    )


def visit_annotations() -> dict:
    """What the rules need about the visit's plan beyond its row: whether the plan has a
    diagnosis, and the date of its last progress report on or before the date of service;
    and whether the visit has carried-forward items not yet confirmed (the note's snapshot
    reads them only then). Subqueries of the visit's own query."""
    last_report = (
        ProgressReport.objects.filter(
            plan=OuterRef("plan"), written_on__lte=OuterRef("date_of_service")
        )
        .order_by("-written_on")
        .values("written_on")[:1]
    )
    return {
        "plan_has_diagnosis": Exists(Diagnosis.objects.filter(plan=OuterRef("plan"))),
        "last_report_on": Subquery(last_report),
        "has_pending_carried": Exists(
            CarriedItem.objects.filter(visit=OuterRef("pk"), confirmed_at__isnull=True)
        ),
    }


# The visit's relations the rules read (with the visit, in its own query).
VISIT_RELATED = (
    "clinic",
    "patient",
    "patient__payer_profile",
    "plan",
    "clinician",
    "clinician__supervising_therapist",
)


def row_prefetches(*, with_services: bool = True) -> list:
    """The note's rows but the carried-forward items (`prefetch_rows`), one query each,
    whatever their number."""
    prefetches = [
        "findings",  # the findings
        "techniques",  # the techniques
        Prefetch(  # the time blocks with their code and performing clinician
            "time_blocks",
            queryset=TimeBlock.objects.select_related(
                "code", "clinician", "clinician__supervising_therapist"
            ),
        ),
        # the measures with the goal each serves
        Prefetch("measures", queryset=Measure.objects.select_related("goal")),
        # the goal links with their goals
        Prefetch("goal_links", queryset=GoalLink.objects.select_related("goal")),
    ]
    if with_services:
        # the untimed services with their code and clinician, which billing needs
        prefetches.append(
            Prefetch(
                "untimed_services",
                queryset=UntimedService.objects.select_related("code", "clinician"),
            )
        )
    return prefetches


# The carried-forward items not yet confirmed, with their rows.
PENDING_CARRIED = Prefetch(
    "carried_items",
    queryset=CarriedItem.objects.filter(confirmed_at__isnull=True).select_related(
        "finding", "technique", "source"
    ),
)


def prefetch_rows(visits: list, *, with_services: bool = True) -> None:
    """The rows of visits read with `visit_annotations()`: one query per kind of row
    (`row_prefetches`), whatever the number of visits, and one for the carried-forward items
    of the visits whose own query found some waiting (`has_pending_carried`); none when no
    visit has any, as on most notes."""
    prefetch_related_objects(visits, *row_prefetches(with_services=with_services))
    waiting = [v for v in visits if getattr(v, "has_pending_carried", True)]
    if waiting:
        prefetch_related_objects(waiting, PENDING_CARRIED)
    for visit in visits:
        if "carried_items" not in visit._prefetched_objects_cache:
            none = visit.carried_items.none()
            none._result_cache, none._prefetch_done = [], True
            visit._prefetched_objects_cache["carried_items"] = none


def read_for_facts(visits: QuerySet, *, with_services: bool = True) -> list:
    """`visits` read as the facts read them (`facts_for_loaded_visits`): in the visits' own
    query their clinic, patient (and payer profile), plan, rendering clinician and supervisor,
    whether the plan has a diagnosis, the date of the last progress report on or before the
    date of service; then their rows (`prefetch_rows`), a fixed number of queries whatever the
    number of visits. The visits' filter and order stay the caller's."""
    loaded = list(visits.select_related(*VISIT_RELATED).annotate(**visit_annotations()))
    if loaded:
        prefetch_rows(loaded, with_services=with_services)
    return loaded


# How far back, from the newest visit read, a signed visit's frozen content comes with the
# patient's visits (see `_patients_visits`): a plan's last `stalled_progress_visits` visits
# and one more (the visit itself takes a place), the patient's last three (the previous
# visit of any plan, past a visit of the same day). An earlier visit outside these, or a
# draft, is read from its rows instead.
PLAN_WINDOW_EXTRA = 1
PATIENT_WINDOW = 3


def _patients_visits(visits: list) -> list[tuple]:
    """(pk, patient, plan, date, number, content) of every visit of the patients up to the
    latest date of service, oldest first: one query for all the visits. `content` is the
    signed content of the signed visits near the newest (what the stalled-progress and
    cloned-note rules compare), "" otherwise."""
    if not visits:
        return []
    order = [F("date_of_service").desc(), F("pk").desc()]
    window = max(v.clinic.stalled_progress_visits for v in visits) + PLAN_WINDOW_EXTRA
    recent = LessThanOrEqual(
        Window(RowNumber(), partition_by=[F("plan_id")], order_by=order), window
    ) | LessThanOrEqual(
        Window(RowNumber(), partition_by=[F("patient_id")], order_by=order), PATIENT_WINDOW
    )
    return list(
        Visit.objects.filter(
            patient_id__in={v.patient_id for v in visits},
            date_of_service__lte=max(v.date_of_service for v in visits),
        )
        .annotate(
            content=Case(
                When(Q(status=VisitStatus.SIGNED) & recent, then=F("signed_content")),
                default=Value(""),
                output_field=TextField(),
            )
        )
        .order_by("date_of_service", "pk")
        .values_list("pk", "patient_id", "plan_id", "date_of_service", "visit_number", "content")
    )


def _other_treatment_dates(visits: list, rows: list[tuple]) -> dict[int, tuple]:
    """Per visit, the distinct dates of its plan's other visits in its progress-report period
    (after the last report, or from the plan's start) up to its date of service."""
    by_plan: dict[int, list] = defaultdict(list)
    for pk, _patient, plan_id, day, *_rest in rows:
        by_plan[plan_id].append((pk, day))
    result = {}
    for visit in visits:
        dates = [day for pk, day in by_plan[visit.plan_id] if pk != visit.pk]
        counted = rules.treatment_days_since_report  # the same window the rule counts in
        result[visit.pk] = tuple(
            sorted(
                day
                for day in set(dates)
                if counted(
                    (day,),
                    plan_start=visit.plan.start_date,
                    last_report_on=visit.last_report_on,
                    day=visit.date_of_service,
                )
            )
        )
    return result


def _earlier_ids(visits: list, rows: list[tuple]) -> dict[int, list[int]]:
    """Per visit, the ids of the patient's visits before it, most recent first: the previous
    one (any plan, for E18) and the plan's last `stalled_progress_visits - 1` (E17)."""
    by_patient: dict[int, list] = defaultdict(list)
    for row in rows:
        by_patient[row[1]].append(row)
    result = {}
    for visit in visits:
        before = [
            r
            for r in reversed(by_patient[visit.patient_id])
            if (r[3], r[0]) < (visit.date_of_service, visit.pk)
        ]
        wanted = max(visit.clinic.stalled_progress_visits - 1, 1)
        same_plan = [r[0] for r in before if r[2] == visit.plan_id][:wanted]
        chosen = set(same_plan) | {r[0] for r in before[:1]}
        result[visit.pk] = [r[0] for r in before if r[0] in chosen]
    return result


def _prior_visits(ids: set[int], rows: list[tuple]) -> dict[int, PriorVisitFacts]:
    """The earlier visits' findings, techniques and measures: from the signed content that
    came with the patient's visits (no query), else from their rows (4 queries for any
    number, only when a draft or an older visit is among them)."""
    result = {}
    for pk, _patient, plan_id, day, _number, content in rows:
        if pk in ids and content:
            result[pk] = _prior_from_content(json.loads(content), plan_id=plan_id, day=day)
    unread = ids - result.keys()
    if not unread:
        return result
    prior = Visit.objects.filter(pk__in=unread).prefetch_related(
        "findings", "techniques", "measures"
    )
    result.update(
        (
            v.pk,
            PriorVisitFacts(
                visit_id=v.pk,
                visit_number=v.visit_number,
                date_of_service=v.date_of_service,
                plan_id=v.plan_id,
                findings=tuple(_finding(f) for f in v.findings.all()),
                techniques=tuple(_technique(t) for t in v.techniques.all()),
                measures=tuple(_measure(m) for m in v.measures.all()),
                in_treatment_decisions=v.in_treatment_decisions,
            ),
        )
        for v in prior
    )
    return result


def _prior_from_content(document: dict, *, plan_id: int, day) -> PriorVisitFacts:
    """A signed visit as the rules compare it, from its canonical content
    (`notes.signing.canonical_content`). Its rows are in id order, the rows' order by
    creation (`created_at`, then id) but for rows stamped out of id order, which no write
    path makes."""
    visit = document["visit"]
    return PriorVisitFacts(
        visit_id=visit["id"],
        visit_number=visit["visit_number"],
        date_of_service=day,
        plan_id=plan_id,
        findings=tuple(
            FindingFacts(
                id=f["id"],
                category=f["category"],
                region=f["region"],
                structure=f["structure"],
                description=f["description"],
                laterality=f["laterality"],
            )
            for f in document["findings"]
        ),
        techniques=tuple(
            TechniqueFacts(
                id=t["id"],
                kind=t["kind"],
                finding_id=t["finding"],
                **{name: t[name] for name in TECHNIQUE_FIELDS},
            )
            for t in document["techniques"]
        ),
        measures=tuple(
            MeasureFacts(
                name=m["name"],
                pre_value=Decimal(m["pre_value"]),
                post_value=Decimal(m["post_value"]),
                goal_id=m["goal"],
                unit=m["unit"],
            )
            for m in document["measures"]
        ),
        in_treatment_decisions=visit["in_treatment_decisions"],
    )


def _finding(f) -> FindingFacts:
    return FindingFacts(
        id=f.pk,
        category=f.category,
        region=f.region,
        structure=f.structure,
        description=f.description,
        laterality=f.laterality,
    )


def _technique(t) -> TechniqueFacts:
    return TechniqueFacts(
        id=t.pk,
        kind=t.kind,
        finding_id=t.finding_id,
        **{name: getattr(t, name) for name in TECHNIQUE_FIELDS},
    )


def _measure(m) -> MeasureFacts:
    return MeasureFacts(
        name=m.name, pre_value=m.pre_value, post_value=m.post_value, goal_id=m.goal_id, unit=m.unit
    )


def _facts(visit, *, billing, other_dates: tuple, earlier: tuple = ()) -> NoteFacts:
    plan = visit.plan
    tz = visit.clinic.tz
    note_url = reverse("visit_note", args=[visit.pk])
    return NoteFacts(
        visit_id=visit.pk,
        visit_number=visit.visit_number,
        date_of_service=visit.date_of_service,
        payer_type=visit.patient.payer_type,
        clinician=clinician_facts(visit.clinician),
        plan=PlanFacts(
            id=plan.pk,
            status=plan.status,
            start_date=plan.start_date,
            cert_from=plan.cert_from,
            cert_through=plan.cert_through,
            certified_on=plan.certified_on,
            has_diagnosis=visit.plan_has_diagnosis,
            functional_limitations=plan.functional_limitations,
            url=reverse("plan_detail", args=[plan.pk]),
            progress_report_url=(
                reverse("progress_report_new", args=[plan.pk]) + "?next=" + note_url
            ),
        ),
        findings=tuple(_finding(f) for f in visit.findings.all()),
        techniques=tuple(_technique(t) for t in visit.techniques.all()),
        time_blocks=tuple(
            TimeBlockFacts(
                id=b.pk,
                code=b.code_id,
                timed=b.code.timed,
                clinician=clinician_facts(b.clinician),
                started=timezone.localtime(b.started_at, tz).strftime("%H:%M"),
                minutes=b.minutes,
                running=b.stopped_at is None,
            )
            for b in visit.time_blocks.all()
        ),
        measures=tuple(_measure(m) for m in visit.measures.all()),
        goal_links=tuple(
            GoalLinkFacts(
                goal_id=link.goal_id,
                plan_id=link.goal.plan_id,
                status=link.goal.status,
                description=link.goal.description,
                measure_label=link.goal.measure_label,
                direction=link.goal.direction,
                mcid=mcid_for(link.goal.measure_kind),
                unit=link.goal.unit,
                target=link.goal.target,
            )
            for link in visit.goal_links.all()
        ),
        in_treatment_decisions=visit.in_treatment_decisions,
        reasoning=visit.reasoning,
        reasoning_confirmed=visit.reasoning_confirmed,
        skilled_care=visit.skilled_care,
        skilled_care_from_visit=visit.clinic.skilled_care_from_visit,
        last_report_on=visit.last_report_on,
        other_treatment_dates=other_dates,
        billing_notices=tuple(
            BillingNotice(code=w.code, message=w.message, where=w.where or "")
            for w in billing.warnings
        ),
        stalled_progress_visits=visit.clinic.stalled_progress_visits,
        earlier_visits=earlier,
        carried_items=tuple(
            CarriedFacts(id=c.pk, label=carry.label(c), source_visit=c.source.visit_number)
            for c in visit.carried_items.all()
            if carry.is_pending(c)
        ),
    )


def facts_for_visits(
    visit_ids: Iterable[int], *, billing: Mapping[int, object] | None = None
) -> dict[int, NoteFacts]:
    """The `NoteFacts` of each visit, by id: 12 queries for any number of visits (13 when no
    billing previews are given, for the untimed services billing needs), plus billing's own;
    4 fewer when every earlier visit compared is signed (and recent: see `_patients_visits`),
    or when there is none.

    `billing` maps a visit id to its billing.services.BillingPreview when the caller already
    has it; the others are computed here from the rows read. A caller that reads the visits
    itself reads them with `read_for_facts` and calls `facts_for_loaded_visits` instead.
    """
    billing = dict(billing or {})
    ids = list(visit_ids)
    with_services = len(billing) < len(set(ids))  # some preview to compute here
    visits = read_for_facts(Visit.objects.filter(pk__in=ids), with_services=with_services)
    return facts_for_loaded_visits(visits, billing=billing)


def facts_for_loaded_visits(
    visits: list, *, billing: Mapping[int, object] | None = None
) -> dict[int, NoteFacts]:
    """The `NoteFacts` of visits already read with `read_for_facts` (`VISIT_RELATED`,
    `visit_annotations()`, `prefetch_rows()`), by id: one query for the patients' visits
    (the plans' other treatment dates, the earlier visits compared, with the signed content
    of the recent signed ones), and 4 for the earlier visits' rows only when a draft (or an
    older visit) is among them, whatever the number of visits; plus billing's own reads for
    the visits `billing` has no preview of (computed from their loaded rows, the untimed
    services included)."""
    billing = billing or {}
    rows = _patients_visits(visits)  # one query
    other_dates = _other_treatment_dates(visits, rows)
    earlier_ids = _earlier_ids(visits, rows)
    prior = _prior_visits({pk for ids in earlier_ids.values() for pk in ids}, rows)
    result = {}
    for visit in visits:
        preview = billing.get(visit.pk)
        if preview is None:
            preview = billing_services.visit_billing(
                visit,
                blocks=list(visit.time_blocks.all()),
                services=list(visit.untimed_services.all()),
                techniques=list(visit.techniques.all()),
            )
        result[visit.pk] = _facts(
            visit,
            billing=preview,
            other_dates=other_dates[visit.pk],
            earlier=tuple(prior[pk] for pk in earlier_ids[visit.pk]),
        )
    return result


def facts_for_visit(visit, *, billing=None) -> NoteFacts:
    """Read everything the rules need about one visit, in a fixed number of queries whatever the
    number of findings, techniques, blocks, measures or earlier visits."""
    previews = {visit.pk: billing} if billing is not None else None
    return facts_for_visits([visit.pk], billing=previews)[visit.pk]


def facts_for_loaded_visit(visit, *, billing) -> NoteFacts:
    """The facts of a visit already read with `VISIT_RELATED`, `visit_annotations()` and
    `prefetch_rows()` (the note's snapshot): `facts_for_loaded_visits` of the one visit, one
    query for the patient's visits (with the signed content of the earlier visits compared),
    and 4 for the earlier visits' rows only when a draft is among them."""
    return facts_for_loaded_visits([visit], billing={visit.pk: billing})[visit.pk]


def check_visit(visit) -> list[Missing]:
    """Every missing element and warning of a visit's note (reads the database)."""
    return evaluate(facts_for_visit(visit))
