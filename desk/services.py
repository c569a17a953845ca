"""The desk's writes: reminders and the daily digests (DESIGN.md §2.3, §2.9).

A reminder is first a `Reminder` row, then a mail. The row is written in the caller's
transaction and its delivery task is enqueued on commit; the task calls `reminder_deliver`,
which sends at most once per row. Mails carry no patient name and no clinical content: counts,
ages, dates of service and links to the notes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from celery.exceptions import Retry
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Clinic, Role, User
from desk import queries
from desk.deadlines import OVERDUE
from desk.models import Reminder, ReminderKind, ReminderStatus
from notes.models import Visit

log = logging.getLogger(__name__)


NO_ADDRESS = (
    "No e-mail address on file: add one to the user's account (the reminder shows on their "
    "home page meanwhile)."
)


class ReminderError(Exception):
    """A reminder that cannot be made; `str(error)` is the message for the user."""


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _fmt(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day:%Y}"


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _enqueue(reminder_ids: Iterable[int]) -> None:
    """After commit, queue the delivery of each reminder. A broker that stays unreachable after
    Celery's own publish retries leaves the row pending with the reason, shown on the desk; the
    next daily run queues it again."""
    from desk.tasks import deliver_reminder

    ids = list(reminder_ids)

    def send() -> None:
        for reminder_id in ids:
            try:
                deliver_reminder.delay(reminder_id)
            except Retry:
                # Eager mode (no broker): the failed attempt is on the row already; the next
                # daily run sends it again.
                continue
            except Exception as exc:  # kombu's OperationalError and friends
                log.error("Reminder %s could not be queued: %s", reminder_id, exc)
                Reminder.objects.filter(pk=reminder_id).update(
                    error=f"Not queued (the task queue is unreachable): {exc}"[:300]
                )

    if ids:
        transaction.on_commit(send)


# --- "Remind now" -----------------------------------------------------------------------------


def reminders_create(*, sender: User, visit_ids: Iterable[int]) -> list[Reminder]:
    """One reminder per recipient for the chosen rows of the sender's clinic: a draft reminds
    its rendering clinician to sign, a note awaiting co-signature the supervising therapist."""
    if not sender.is_clinic_admin or sender.clinic_id is None:
        raise ReminderError("Only clinic admins send reminders.")
    ids = {int(pk) for pk in visit_ids}
    if not ids:
        raise ReminderError("Choose at least one note to remind about.")
    owed: dict[int, list[int]] = defaultdict(list)
    for pk, clinician_id in (
        queries.unsigned_visits(sender).filter(pk__in=ids).values_list("pk", "clinician_id")
    ):
        owed[clinician_id].append(pk)
    for pk, supervisor_id in (
        queries.cosign_visits(sender)
        .filter(pk__in=ids, clinician__supervising_therapist__isnull=False)
        .values_list("pk", "clinician__supervising_therapist_id")
    ):
        owed[supervisor_id].append(pk)
    if not owed:
        raise ReminderError("None of the chosen notes is waiting for a signature any more.")
    today = queries.clinic_today(sender.clinic)
    with transaction.atomic():
        reminders = Reminder.objects.bulk_create(
            Reminder(
                clinic_id=sender.clinic_id,
                recipient_id=recipient_id,
                sent_by=sender,
                kind=ReminderKind.REMIND,
                day=today,
                visit_ids=sorted(pks),
            )
            for recipient_id, pks in sorted(owed.items())
        )
        _enqueue(r.pk for r in reminders)
    return reminders


# --- The daily digests ------------------------------------------------------------------------


def digests_prepare(*, clinic: Clinic, day: dt.date | None = None) -> list[int]:
    """Write today's digest row for each clinician with notes unsigned for more than a day or
    co-signatures owed, and a summary row for each admin; queue those not sent yet. Running it
    twice the same day writes nothing new and sends nothing twice. Returns the queued ids."""
    day = day or queries.clinic_today(clinic)
    users = list(clinic.users.filter(is_active=True).exclude(email=""))
    pending: list[int] = []
    for user in users:
        if user.role == Role.CLINICIAN:
            kind = ReminderKind.DIGEST
            visit_ids = sorted(
                {*_overdue_drafts(user, day).values_list("pk", flat=True)}
                | {*_cosigns_owed(user).values_list("pk", flat=True)}
            )
            if not visit_ids:
                continue
        elif user.role == Role.ADMIN:
            kind, visit_ids = ReminderKind.SUMMARY, []
        else:
            continue
        reminder = _daily_row(clinic=clinic, user=user, kind=kind, day=day, visit_ids=visit_ids)
        if reminder.status != ReminderStatus.SENT:
            pending.append(reminder.pk)
    _enqueue(pending)
    return pending


def _daily_row(*, clinic, user, kind, day, visit_ids) -> Reminder:
    try:
        with transaction.atomic():
            reminder, _created = Reminder.objects.get_or_create(
                recipient=user,
                kind=kind,
                day=day,
                defaults={"clinic": clinic, "visit_ids": visit_ids},
            )
    except IntegrityError:  # a concurrent run wrote it between our read and write
        reminder = Reminder.objects.get(recipient=user, kind=kind, day=day)
    return reminder


def _overdue_drafts(user: User, day: dt.date):
    """A clinician's drafts unsigned for more than 24 hours (dated before today)."""
    return (
        Visit.objects.for_clinic(user.clinic_id)
        .unsigned()
        .filter(clinician=user, date_of_service__lt=day)
    )


def _cosigns_owed(user: User):
    return Visit.objects.for_clinic(user.clinic_id).filter(
        status="signed",
        cosign_required=True,
        cosigned_at__isnull=True,
        clinician__supervising_therapist=user,
    )


# --- Delivery ---------------------------------------------------------------------------------


def reminder_deliver(*, reminder_id: int) -> str:
    """Send one reminder's mail unless it was sent already; mark it sent. A mail error
    propagates (the task retries it) and leaves the row unsent."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(of=("self",))
            .select_related("recipient", "clinic", "sent_by")
            .get(pk=reminder_id)
        )
        if reminder.is_sent:
            return "already sent"
        if not reminder.recipient.email:
            reminder.status = ReminderStatus.FAILED
            reminder.error = NO_ADDRESS
            reminder.save(update_fields=["status", "error"])
            log.error("Reminder %s not sent: the recipient has no e-mail address", reminder.pk)
            return "no address"
        subject, body = compose(reminder)
        if subject:
            send_mail(
                subject=subject,
                message=body,
                from_email=None,
                recipient_list=[reminder.recipient.email],
            )
        reminder.status = ReminderStatus.SENT
        reminder.sent_at = timezone.now()
        reminder.subject = subject or "Nothing left to send: every note was signed."
        reminder.attempts += 1
        reminder.error = ""
        reminder.save(update_fields=["status", "sent_at", "subject", "attempts", "error"])
    return "sent" if subject else "nothing to send"


def reminder_failed(*, reminder_id: int, error: str, final: bool) -> None:
    """Record a failed attempt; the last one marks the row failed for the admin to see."""
    reminder = Reminder.objects.get(pk=reminder_id)
    if reminder.is_sent:
        return
    reminder.attempts += 1
    reminder.error = error[:300]
    fields = ["attempts", "error"]
    if final:
        reminder.status = ReminderStatus.FAILED
        fields.append("status")
    reminder.save(update_fields=fields)


# --- The mails: no patient name, no clinical content -----------------------------------------


def compose(reminder: Reminder) -> tuple[str, str]:
    """(subject, body) of a reminder from the current state of its notes; ("", "") when none
    of them waits any more."""
    if reminder.kind == ReminderKind.SUMMARY:
        return _summary(reminder)
    today = queries.clinic_today(reminder.clinic)
    visits = list(
        Visit.objects.filter(pk__in=reminder.visit_ids, clinic=reminder.clinic)
        .select_related("clinician")
        .order_by("date_of_service", "id")
    )
    to_sign = [v for v in visits if v.is_draft and v.clinician_id == reminder.recipient_id]
    to_cosign = [
        v
        for v in visits
        if v.is_signed
        and v.cosign_required
        and v.cosigned_at is None
        and v.clinician.supervising_therapist_id == reminder.recipient_id
    ]
    if not to_sign and not to_cosign:
        return "", ""
    parts = []
    if to_sign:
        parts.append(f"{len(to_sign)} note{'s' if len(to_sign) != 1 else ''} to sign")
    if to_cosign:
        parts.append(f"{len(to_cosign)} co-signature{'s' if len(to_cosign) != 1 else ''} owed")
    subject = f"Palpate: {' and '.join(parts)}"
    if reminder.kind == ReminderKind.REMIND and reminder.sent_by:
        opening = f"{reminder.sent_by.get_full_name() or reminder.sent_by} asks you to finish:"
    else:
        opening = "Your notes waiting at the start of the day:"
    lines = [opening, ""]
    if to_sign:
        lines.append("To sign:")
        lines += [
            f"- date of service {_fmt(v.date_of_service)}, unsigned "
            f"{_days((today - v.date_of_service).days)}: {_link(_note(v))}"
            for v in to_sign
        ]
    if to_cosign:
        lines.append("To co-sign:")
        lines += [
            f"- date of service {_fmt(v.date_of_service)}, signed by {v.clinician} on "
            f"{_fmt(timezone.localtime(v.signed_at, reminder.clinic.tz).date())}: "
            f"{_link(_note(v) + '#signature')}"
            for v in to_cosign
        ]
    lines += ["", "Patient details are in Palpate only, never in e-mail."]
    return subject, "\n".join(lines)


def _note(visit: Visit) -> str:
    return reverse("visit_note", args=[visit.pk])


def _summary(reminder: Reminder) -> tuple[str, str]:
    admin = reminder.recipient
    clinic = reminder.clinic
    today = queries.clinic_today(clinic)
    unsigned = list(queries.unsigned_visits(admin).values_list("date_of_service", flat=True))
    ages = [(today - day).days for day in unsigned]
    cosign = queries.cosign_visits(admin).count()
    dues = queries.deadline_rows(queries.open_plans(admin), today, clinic.recert_lead_days)
    overdue = sum(1 for row in dues if row.due.urgency == OVERDUE)
    failed = Reminder.objects.for_clinic(clinic).failed().count()
    subject = (
        f"Palpate: {len(unsigned)} unsigned note{'s' if len(unsigned) != 1 else ''}, "
        f"{cosign} awaiting co-signature at {clinic.name}"
    )
    lines = [
        f"The desk of {clinic.name} on {_fmt(today)}:",
        "",
        f"- unsigned notes: {len(unsigned)}"
        + (
            f" ({sum(a >= 1 for a in ages)} for a day or more, {sum(a >= 3 for a in ages)} for "
            f"3 days or more, {sum(a >= 7 for a in ages)} for 7 days or more; the oldest "
            f"{_days(max(ages))})"
            if ages
            else ""
        ),
        f"- notes awaiting co-signature: {cosign}",
        f"- plan deadlines: {len(dues)}, {overdue} overdue",
    ]
    if failed:
        lines.append(f"- reminders that could not be delivered: {failed}")
    lines += ["", f"Open the desk: {_link(reverse('desk'))}"]
    return subject, "\n".join(lines)
