"""What a benchmark run needs from the seeded database: signed-in sessions, the visits and
patients each simulated clinician works on, a draft dated today per clinician (timers run only
on the day of service), and which optional pages this branch serves.

Read by bench/run.py (through `manage.py bench_prepare`) and by the consistency check after the
load (`manage.py bench_check`).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import Clinic, Role, User
from bench.harness import HARNESS_FINDING
from bench.seed import CLINIC_NAME, USERNAME_PREFIX
from notes import audit
from notes.facts import facts_for_visits
from notes.models import Finding, TimeBlock, Visit
from notes.services import visit_start
from plancare.models import Patient

# Pages other parts of the app are adding; measured once their URL resolves on this branch.
OPTIONAL_PAGES = (
    ("desk", "desk", {}, ""),
    ("desk-deep", "desk", {}, "?page=20"),
    ("audit-report", "audit_report", {}, ""),
)
SEARCH_TERMS = ("kowal", "nguy", "whitf", "okaf", "mendez", "tana", "brenn", "ella", "ross", "sing")


@dataclass
class Session:
    user_id: int
    username: str
    cookie: str  # the Cookie header: session and CSRF cookies
    csrf: str  # the X-CSRFToken header


@dataclass
class ClinicianWork:
    session: Session
    today_draft: int  # a draft dated today, for timers, block adds, findings, autosave
    today_version: int  # its version (autosave sends the version it edits)
    drafts: list[int] = field(default_factory=list)  # partial drafts (note page, partials)
    ready: list[int] = field(default_factory=list)  # complete drafts sign-off accepts
    signed: list[int] = field(default_factory=list)
    patients: list[int] = field(default_factory=list)


@dataclass
class Plan:
    clinic_id: int
    today: str  # the clinic's date, YYYY-MM-DD
    minutes_today: int  # the clinic's clock at preparation, in minutes since midnight
    password: str
    clinicians: list[ClinicianWork]
    admin: Session
    auditor: Session
    search_terms: list[str]
    charge_from: str
    charge_to: str
    csv_small_from: str
    optional: dict[str, str]  # name -> path, for the pages this branch serves
    skipped: dict[str, str]  # name -> why it is not measured


def session_for(user: User) -> Session:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = timezone.now().timestamp()
    store["palpate_login_at"] = now
    store["palpate_seen_at"] = now
    store.create()
    csrf = get_random_string(32)  # a CSRF secret: 32 letters and digits
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    )
    return Session(user.pk, user.username, cookie, csrf)


def _optional_pages() -> tuple[dict[str, str], dict[str, str]]:
    found, skipped = {}, {}
    for name, url_name, kwargs, query in OPTIONAL_PAGES:
        try:
            found[name] = reverse(url_name, kwargs=kwargs) + query
        except NoReverseMatch:
            skipped[name] = f"no URL named {url_name!r} on this branch"
    return found, skipped


def _ready_drafts(ids: list[int]) -> set[int]:
    """The drafts sign-off would accept (nothing blocking in notes.audit)."""
    facts = facts_for_visits(ids)
    return {vid for vid, f in facts.items() if not audit.blocking(audit.evaluate(f))}


def _minutes_since_midnight(tz) -> int:
    now = timezone.localtime(timezone=tz)
    return now.hour * 60 + now.minute


def clear_earlier_runs(today_drafts, clinicians) -> None:
    """Earlier runs' blocks on today's drafts would overlap this run's (one clinician's time
    blocks never overlap): those drafts are the harness's own, so their blocks go, and so do
    the clinicians' running timers. So do the findings finding-add wrote there: kept, each run
    would chart a bigger note than the last (finding-add fell from 35 to 15 requests/s over
    three runs on one database)."""
    TimeBlock.objects.filter(visit__in=today_drafts).delete()
    TimeBlock.objects.filter(clinician__in=clinicians, stopped_at__isnull=True).delete()
    Finding.objects.filter(
        visit__in=today_drafts, description__startswith=HARNESS_FINDING, techniques=None
    ).delete()


def prepare(*, password: str, per_clinician: int = 20, seed: int = 1) -> Plan:
    rng = random.Random(seed)
    clinic = Clinic.objects.get(name=CLINIC_NAME)
    today = timezone.localdate(timezone=clinic.tz)
    clinicians = list(
        User.objects.filter(
            clinic=clinic, role=Role.CLINICIAN, username__startswith=USERNAME_PREFIX
        )
        .annotate(n=Count("visits"))
        .order_by("username")
    )
    today_drafts = Visit.objects.filter(clinic=clinic, date_of_service=today).unsigned()
    clear_earlier_runs(today_drafts, clinicians)

    work = []
    for user in clinicians:
        visits = Visit.objects.filter(clinician=user, date_of_service__lt=today)
        drafts = list(visits.unsigned().order_by("id").values_list("id", flat=True))
        ready = _ready_drafts(drafts)
        signed = list(visits.signed().order_by("-id").values_list("id", flat=True)[:200])
        patients = list(
            Patient.objects.filter(plans__clinician=user, is_active=True)
            .annotate(n=Count("visits"))
            .order_by("-n", "id")
            .values_list("id", flat=True)[:200]
        )
        today_draft = today_drafts.filter(clinician=user).order_by("-id").first()
        if today_draft is None:
            in_treatment = (
                Patient.objects.filter(
                    plans__clinician=user, plans__status="active", plans__cert_through__gte=today
                )
                .order_by("id")
                .first()
            )
            today_draft = visit_start(patient=in_treatment, clinician=user, date_of_service=today)
        work.append(
            ClinicianWork(
                session=session_for(user),
                today_draft=today_draft.pk,
                today_version=today_draft.version,
                drafts=rng.sample(
                    [d for d in drafts if d not in ready],
                    min(per_clinician, len(drafts) - len(ready)),
                ),
                ready=sorted(ready),
                signed=rng.sample(signed, min(per_clinician, len(signed))),
                patients=rng.sample(patients, min(per_clinician, len(patients))),
            )
        )
    found, skipped = _optional_pages()
    return Plan(
        clinic_id=clinic.pk,
        today=today.isoformat(),
        minutes_today=_minutes_since_midnight(clinic.tz),
        password=password,
        clinicians=work,
        admin=session_for(User.objects.get(username=f"{USERNAME_PREFIX}admin")),
        auditor=session_for(User.objects.get(username=f"{USERNAME_PREFIX}auditor")),
        search_terms=list(SEARCH_TERMS),
        charge_from=(today - dt.timedelta(days=30)).isoformat(),
        charge_to=today.isoformat(),
        csv_small_from=(today - dt.timedelta(days=7)).isoformat(),
        optional=found,
        skipped=skipped,
    )


def as_dict(plan: Plan) -> dict:
    return asdict(plan)
