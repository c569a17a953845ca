"""Signed progress reports (DOMAIN.md §4 and §7): written by a therapist, never an assistant,
pre-filled with each active goal's baseline, latest and target values, signed with the author's
password like a visit note. The canonical content (sorted-key JSON, ISO times in UTC) is stored
with its SHA-256 digest; the row never changes after (model guards and a PostgreSQL trigger);
corrections are signed addenda bound to the report's digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent
from plancare.models import (
    ACTIVE_GOAL_STATUSES,
    Goal,
    PlanOfCare,
    ProgressReport,
    ProgressReportAddendum,
)
from plancare.progress import measures_by_goal
from plancare.services import PROGRESS_REPORT_REFUSAL, PlanError, can_write_progress_report

WRONG_PASSWORD = "That password is not right: enter the password you sign in with."


class ReportRefused(PlanError):
    """The signature is refused; `field` names the form field to show the message next to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _credentials(user) -> str:
    return user.credentials or user.get_discipline_display()


def active_goals(plan: PlanOfCare) -> list[Goal]:
    return list(plan.goals.filter(status__in=ACTIVE_GOAL_STATUSES))  # each goal.plan is `plan`


def goal_values(goals: list[Goal], *, until: dt.date | None = None, found=None) -> list[dict]:
    """Each goal's baseline, latest value (the last visit's post value on or before `until`)
    and target, as plain JSON data: what the report shows and signs. Two queries, none when
    `found` (plancare.progress.measures_by_goal) is given."""
    if found is None:
        found = measures_by_goal(goals, until=until)
    latest = {goal_id: measures[-1] for goal_id, measures in found.items()}
    rows = []
    for goal in goals:
        m = latest.get(goal.pk)
        rows.append(
            {
                "goal": goal.pk,
                "description": goal.description,
                "measure": goal.measure_label,
                "baseline": goal.baseline_display,
                "latest": goal.format_value(m.post_value) if m else "",
                "latest_visit": m.visit.visit_number if m else None,
                "latest_on": m.visit.date_of_service.isoformat() if m else None,
                "target": goal.target_display,
                "status": goal.get_status_display(),
            }
        )
    return rows


def assessment_draft(values: list[dict]) -> str:
    """A starting point for the assessment: one line per goal, baseline → latest → target."""
    lines = []
    for row in values:
        latest = (
            f"{row['latest']} at visit {row['latest_visit']}" if row["latest"] else "no measure yet"
        )
        lines.append(
            f"{row['measure']}: baseline {row['baseline']}, now {latest}, target {row['target']}."
        )
    return "\n".join(lines)


def canonical_content(report: ProgressReport) -> str:
    """The report as signed: one JSON document with sorted keys and times in UTC."""
    document = {
        "report": {
            "plan": report.plan_id,
            "patient": report.plan.patient_id,
            "written_on": report.written_on.isoformat(),
            "assessment": report.assessment,
            "plan_updates": report.plan_updates,
            "goals": report.goal_values,
        },
        "signature": {
            "author": report.author_id,
            "author_credentials": report.author_credentials,
            "signed_at": report.signed_at.astimezone(dt.UTC).isoformat(),
        },
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(content: str) -> str:
    return hashlib.sha256(content.encode()).hexdigest()


def verify_report(report: ProgressReport) -> bool:
    """The stored digest matches the stored content, and the content rebuilt from the row is
    byte for byte the content that was signed."""
    if not report.content_digest or report.signed_at is None:
        return False
    return (
        digest_of(report.signed_content) == report.content_digest
        and canonical_content(report) == report.signed_content
    )


def _check_signer(user, password: str) -> None:
    """Only a therapist who may write progress reports signs one, with the password they sign
    in with."""
    if not can_write_progress_report(user):
        raise PlanError(PROGRESS_REPORT_REFUSAL)
    if not user.confirms_password(password):
        raise ReportRefused(WRONG_PASSWORD, field="password")


def progress_report_record(
    *, plan: PlanOfCare, author, written_on: dt.date, assessment: str, plan_updates: str = ""
) -> ProgressReport:
    """Write and sign a report for an author already authenticated (the demo data; the form
    goes through `progress_report_sign`, which checks the password first)."""
    if not can_write_progress_report(author):
        raise PlanError(PROGRESS_REPORT_REFUSAL)
    with transaction.atomic():
        report = ProgressReport(
            plan=plan,
            written_on=written_on,
            author=author,
            assessment=assessment,
            plan_updates=plan_updates,
            goal_values=goal_values(active_goals(plan), until=written_on),
            author_credentials=_credentials(author),
            signed_at=timezone.now().replace(microsecond=0),
        )
        report.signed_content = canonical_content(report)
        report.content_digest = digest_of(report.signed_content)
        report.save()
        AccessEvent.record(
            user=author,
            action=AccessAction.SIGN,
            obj=report,
            patient=plan.patient,
            detail=f"progress report of plan {plan.pk} on {written_on:%Y-%m-%d}, digest "
            f"{report.content_digest[:16]}",
        )
    return report


def progress_report_sign(
    *,
    plan: PlanOfCare,
    author,
    password: str,
    written_on: dt.date,
    assessment: str,
    plan_updates: str = "",
) -> ProgressReport:
    """A therapist writes and signs the report with the password they sign in with."""
    _check_signer(author, password)
    return progress_report_record(
        plan=plan,
        author=author,
        written_on=written_on,
        assessment=assessment,
        plan_updates=plan_updates,
    )


def addendum_content(addendum: ProgressReportAddendum) -> str:
    return json.dumps(
        {
            "report": addendum.report_id,
            "report_digest": addendum.report.content_digest,
            "reason": addendum.reason,
            "text": addendum.text,
            "author": addendum.author_id,
            "author_credentials": addendum.author_credentials,
            "signed_at": addendum.signed_at.astimezone(dt.UTC).isoformat(),
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def report_addendum_create(
    *, report: ProgressReport, user, reason: str, text: str, password: str
) -> ProgressReportAddendum:
    """A signed addition to a signed report: the report stays byte-identical."""
    _check_signer(user, password)
    with transaction.atomic():
        addendum = ProgressReportAddendum(
            report=report,
            reason=reason,
            text=text,
            author=user,
            author_credentials=_credentials(user),
            signed_at=timezone.now().replace(microsecond=0),
        )
        addendum.digest = digest_of(addendum_content(addendum))
        addendum.save()
        AccessEvent.record(
            user=user,
            action=AccessAction.CREATE,
            obj=addendum,
            patient=report.plan.patient,
            detail=f"addendum to progress report {report.pk}: {reason}",
        )
    return addendum
