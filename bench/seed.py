"""A large, realistic clinic for the benchmark, written with bulk inserts.

`generate()` is pure: from the sizes, the seed and the day it returns every row (as tuples of
column values, ids included), so one seed always gives the same clinic. `write()` puts the rows
in the database: COPY on PostgreSQL, executemany elsewhere. Note rows are written before their
visits in one transaction (foreign keys are checked at commit), so the signed-visit triggers,
which refuse rows added to a signed visit, never see a signed visit receiving rows.

Signed visits carry the canonical content and SHA-256 digest that `notes.signing` computes
(`bench_canonical_content` builds the same document from the generated rows; the tests check
`verify_visit()` on seeded visits), and their charge lines come from `billing.units` and
`billing.fees` as at sign-off.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import AccessAction, AccessEvent, Clinic, Discipline, Role, User
from bench.bulk import Table, analyze, next_ids, reset_sequences, write_table
from bench.columns import SEEDED_MODELS, new_tables
from billing.fees import fee_schedule, line_fee
from billing.models import ChargeLine
from billing.services import payer_profile_for
from billing.units import allocate_units
from notes.models import Finding, GoalLink, Measure, Technique, TimeBlock, Visit
from notes.rules import FINDING_FIELDS, TECHNIQUE_FIELDS
from notes.signing import digest_of
from plancare.models import Diagnosis, Goal, Patient, PayerType, PlanOfCare

CLINIC_NAME = "Bench Clinic"
TIME_ZONE = "America/New_York"
PASSWORD = "bench-password-2026"  # every bench user's password (bench data only)
USERNAME_PREFIX = "bench-"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Ada Alan Alice Amir Ana Ben Bianca Carlos Chen Chloe Dana David Diego Dorothy Elena "
    "Eli Emma Farah Felix Grace Hana Hugo Ines Ivan James Jana Jon Julia Kai Kara Leo "
    "Lina Luca Maya Margaret Mateo Mia Nadia Noah Nora Omar Owen Paula Priya Quinn Rafael "
    "Rosa Ruth Sam Sara Selma Theo Tomas Uma Vera Victor Wen Yara Yusuf Zoe"
)
LAST_NAMES = _words(
    "Abbott Adler Alvarez Baker Banerjee Barros Becker Bishop Brennan Brooks Carver "
    "Castillo Chandra Cohen Cruz Dalton Dawson Delgado Dixon Duarte Ellis Engel Evans "
    "Farrell Fischer Flores Foster Garcia Gibson Gordon Gupta Hale Hansen Harper Hayes "
    "Hoffman Holt Ibrahim Ingram Jensen Joshi Kaplan Keller Khan Kim Klein Kowalski "
    "Lambert Larsen Lopez Lucas Madsen Malik Marsh Mendez Meyer Mills Moreno Murphy "
    "Nakamura Nash Nguyen Novak Obi Okafor Olsen Ortiz Park Patel Perez Petrov Porter "
    "Quinn Ramos Reyes Rossi Russo Sato Schmidt Shah Silva Singh Sorensen Stone Suzuki "
    "Tanaka Torres Tran Turner Varga Vargas Wagner Walsh Watts Weber Whitfield Wong "
    "Yamada Young Zhang Zimmerman"
)
PAYERS = (
    (PayerType.MEDICARE_B, 45),
    (PayerType.COMMERCIAL, 35),
    (PayerType.MEDICAID, 12),
    (PayerType.SELF_PAY, 8),
)
DIAGNOSES = (
    ("M54.2", "Cervicalgia", "Cervical spine", "C4-5", "Left rotation", ""),
    ("M54.50", "Low back pain, unspecified", "Lumbar spine", "L4-5", "Lumbar flexion", ""),
    ("M25.511", "Pain in right shoulder", "Shoulder", "glenohumeral joint", "Flexion", "right"),
    ("M25.561", "Pain in right knee", "Knee", "tibiofemoral joint", "Knee flexion", "right"),
    ("M62.81", "Muscle weakness (generalized)", "Thoracic spine", "T5-6", "Rotation", ""),
)
# Notes a bench visit may be: DRAFT_READY drafts are complete (sign-off accepts them),
# DRAFT_PARTIAL drafts lack a measure and the reasoning.
SIGNED, DRAFT_READY, DRAFT_PARTIAL = "signed", "ready", "partial"
CURRENT_SHARE = 0.2


@dataclass(frozen=True)
class Sizes:
    clinicians: int
    patients: int
    visits: int


@dataclass
class Generated:
    """Every row of the bench clinic, ready to write (ids included)."""

    clinic_id: int
    user_ids: list[int]
    tables: list[Table]
    signable_drafts: int

    def table(self, model) -> Table:
        return next(t for t in self.tables if t.model is model)

    def fingerprint(self) -> str:
        """A digest of every generated row: equal for equal seeds and sizes."""
        text = json.dumps(
            [[t.model.__name__, list(t.names), t.rows] for t in self.tables],
            default=str,
            separators=(",", ":"),
        )
        return digest_of(text)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` visits over `parts` patients: at least one each, uneven like a real caseload."""
    avg = max(1, total // parts)
    counts = [1 + rng.randrange(2 * avg - 1) if avg > 1 else 1 for _ in range(parts)]
    diff = total - sum(counts)
    while diff:
        i = rng.randrange(parts)
        if diff > 0:
            counts[i] += 1
            diff -= 1
        elif counts[i] > 1:
            counts[i] -= 1
            diff += 1
    return counts


def _utc(day: dt.date, hour: int, minute: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
    return local.astimezone(dt.UTC)


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def bench_canonical_content(
    visit: dict, findings: list, techniques: list, blocks: list, measures: list, links: list
) -> str:
    """The document `notes.signing.canonical_content` builds, from the generated rows."""
    document = {
        "visit": {
            k: visit[k]
            for k in (
                "id",
                "clinic",
                "patient",
                "plan",
                "clinician",
                "date_of_service",
                "visit_number",
                "in_treatment_decisions",
                "reasoning",
                "reasoning_confirmed",
                "skilled_care",
                "untimed_minutes",
            )
        },
        "signature": {
            "signed_by": visit["signed_by"],
            "signer_credentials": visit["signer_credentials"],
            "signed_at": _time(visit["signed_at"]),
        },
        "findings": findings,
        "techniques": techniques,
        "time_blocks": blocks,
        "untimed_services": [],
        "measures": measures,
        "goal_links": links,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _payer_rules(year: int) -> dict[str, tuple[str, str, bool, dict]]:
    """Per payer type: (profile name, unit method, GP/GO modifiers, unit rates by code)."""
    out = {}
    for payer_type, _weight in PAYERS:
        profile = payer_profile_for(Patient(payer_type=payer_type))
        rates = fee_schedule(payer=profile, codes=["97140", "97110"], year=year).rates
        out[payer_type] = (
            profile.name,
            profile.unit_method,
            profile.requires_therapy_modifiers,
            rates,
        )
    return out


def generate(
    sizes: Sizes,
    *,
    seed: int,
    today: dt.date,
    ids: dict[type[models.Model], int],
    password_hash: str,
    payer_rules: dict[str, tuple[str, str, bool, dict]],
    now: dt.datetime,
) -> Generated:
    rng = random.Random(seed)
    tz = zoneinfo.ZoneInfo(TIME_ZONE)
    nid = dict(ids)

    def take(model) -> int:
        nid[model] += 1
        return nid[model] - 1

    clinic_id = take(Clinic)
    tables = new_tables()
    clinics = tables["clinics"]
    users = tables["users"]
    patients = tables["patients"]
    plans = tables["plans"]
    diagnoses = tables["diagnoses"]
    goals = tables["goals"]
    visits = tables["visits"]
    findings = tables["findings"]
    techniques = tables["techniques"]
    blocks = tables["blocks"]
    measures = tables["measures"]
    links = tables["links"]
    charges = tables["charges"]
    events = tables["events"]
    clinics.rows.append((clinic_id, CLINIC_NAME, TIME_ZONE, now))

    clinicians: list[tuple[int, str, str]] = []  # id, name, credentials
    for k in range(sizes.clinicians):
        uid = take(User)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        discipline, creds = (Discipline.OT, "OTR/L") if k % 10 == 9 else (Discipline.PT, "PT, DPT")
        users.rows.append(
            (
                uid,
                f"{USERNAME_PREFIX}c{k + 1:03d}",
                first,
                last,
                password_hash,
                clinic_id,
                Role.CLINICIAN,
                discipline,
                creds,
                f"PT{100000 + k}",
                f"{1000000000 + k}",
                now,
                True,
            )
        )
        clinicians.append((uid, f"{first} {last}, {creds}", creds))
    for role, label in ((Role.ADMIN, "admin"), (Role.AUDITOR, "auditor")):
        users.rows.append(
            (
                take(User),
                f"{USERNAME_PREFIX}{label}",
                label.title(),
                "Bench",
                password_hash,
                clinic_id,
                role,
                "",
                "",
                "",
                "",
                now,
                True,
            )
        )

    npi_of = {uid: npi for uid, _u, _f, _l, _p, _c, _r, _d, _cr, _lic, npi, *_ in users.rows}

    counts = _split(sizes.visits, sizes.patients, rng)
    payer_types = [p for p, _w in PAYERS]
    weights = [w for _p, w in PAYERS]
    signable = 0
    for n in range(sizes.patients):
        pid = take(Patient)
        payer = rng.choices(payer_types, weights)[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        born = today - dt.timedelta(days=365 * rng.randrange(20, 90) + rng.randrange(365))
        patients.rows.append(
            (
                pid,
                clinic_id,
                first,
                last,
                born,
                rng.choice("FM"),
                f"B{seed}-{n + 1:06d}",
                payer,
                f"M{rng.randrange(10**8):08d}",
                rng.random() > 0.03,
                now,
                now,
            )
        )
        clinician_id, _cname, creds = rng.choice(clinicians)
        n_visits = counts[n]
        # A fifth of the patients are in treatment now (their last visit in the last three
        # days); the others' episodes ended over the past year and their plans are discharged.
        current = rng.random() < CURRENT_SHARE
        end = today - dt.timedelta(
            days=1 + (rng.randrange(3) if current else rng.randrange(3, 400))
        )
        start = end - dt.timedelta(days=3 * n_visits)
        plan_id = take(PlanOfCare)
        dx = rng.choice(DIAGNOSES)
        plans.rows.append(
            (
                plan_id,
                pid,
                "PT",
                clinician_id,
                "Dr. Ines Bench, MD",
                start,
                start,
                max(start + dt.timedelta(days=89), today + dt.timedelta(days=30)),
                start + dt.timedelta(days=2),
                2,
                8,
                dx[2],
                f"{dx[4]} limits daily activities: driving, reaching and lifting.",
                "Restricted mobility limits function; skilled manual therapy is needed.",
                "active" if current else "discharged",
                None if current else end + dt.timedelta(days=1),
                now,
                now,
            )
        )
        diagnoses.rows.append((take(Diagnosis), plan_id, dx[0], dx[1], True, 1))
        goal_ids = []
        for position, (desc, kind, name, unit, base, target, direction) in enumerate(
            (
                (f"Improve {dx[4].lower()} to drive safely", "rom", dx[4], "°", 35, 70, "higher"),
                ("Reach overhead without pain", "pain", "Pain with movement", "/10", 7, 2, "lower"),
            ),
            start=1,
        ):
            gid = take(Goal)
            goal_ids.append(gid)
            goals.rows.append(
                (
                    gid,
                    plan_id,
                    desc,
                    kind,
                    name,
                    unit,
                    Decimal(base),
                    Decimal(target),
                    direction,
                    start + dt.timedelta(days=60),
                    "progressing",
                    position,
                )
            )
        payer_name, method, therapy_mods, rates = payer_rules[payer]
        last_draft = rng.random() < (0.3 if current else 0.03)
        for k in range(n_visits):
            vid = take(Visit)
            day = start + dt.timedelta(days=3 * (k + 1))
            is_last = k == n_visits - 1
            # Drafts: the last visit of 30% of the patients in treatment (3% of the others: the
            # backlog of unsigned notes); commercial patients' drafts before visit 10 in a
            # current episode are complete (nothing blocks sign-off), the others partial.
            kind = SIGNED
            if is_last and last_draft:
                ready = current and payer == PayerType.COMMERCIAL and k + 1 < 10
                kind = DRAFT_READY if ready else DRAFT_PARTIAL
                signable += ready
            complete = kind != DRAFT_PARTIAL
            slot = rng.randrange(16)
            created = _utc(day, 8, 0, tz)
            fid, tid = take(Finding), take(Technique)
            finding = {
                "id": fid,
                "category": "joint",
                "region": dx[2],
                "structure": dx[3],
                "laterality": dx[5],
                "description": "Restricted glide, firm end feel; pain reproduced at end range",
                "end_feel": "firm",
                "pain_reproduction": "",
                "palpation": "",
                "tests": "",
            }
            findings.rows.append((fid, vid, *(finding[n] for n in FINDING_FIELDS), created))
            grade = rng.choice(("II", "III", "IV"))
            technique = {
                "id": tid,
                "finding": fid,
                "kind": "joint_mob",
                "region": dx[3],
                "laterality": dx[5],
                "direction": "PA",
                "grade": grade,
                "mode": "oscillatory",
                "patient_position": "prone",
                "tissue": "",
                "method": "",
                "intensity": "",
                "force": "",
                "sequence": "",
                "consent_documented": False,
                "screening": "",
                "details": "",
            }
            techniques.rows.append(
                (tid, vid, fid, "joint_mob", *(technique[n] for n in TECHNIQUE_FIELDS), created)
            )
            minutes = {"97140": rng.randrange(8, 31)}
            if rng.random() < 0.5:
                minutes["97110"] = rng.randrange(8, 26)
            block_docs = []
            at = _utc(day, 8 + slot // 2, 30 * (slot % 2), tz)
            for code, m in minutes.items():
                bid = take(TimeBlock)
                stop = at + dt.timedelta(minutes=m)
                blocks.rows.append(
                    (bid, vid, code, clinician_id, tid if code == "97140" else None, at, stop)
                )
                block_docs.append(
                    {
                        "id": bid,
                        "code": code,
                        "clinician": clinician_id,
                        "technique": tid if code == "97140" else None,
                        "started_at": _time(at),
                        "stopped_at": _time(stop),
                        "minutes": m,
                        "manual": False,
                        "manual_reason": "",
                    }
                )
                at = stop
            measure_docs, link_docs = [], []
            if complete:
                mid = take(Measure)
                pre = Decimal(35 + rng.randrange(20))
                post = pre + Decimal(rng.randrange(3, 15))
                measures.rows.append((mid, vid, "rom", dx[4], "°", pre, post, goal_ids[0], created))
                measure_docs.append(
                    {
                        "id": mid,
                        "kind": "rom",
                        "name": dx[4],
                        "joint": "",
                        "motion": "",
                        "side": "",
                        "active": True,
                        "context": "",
                        "unit": "°",
                        "pre_value": f"{pre:.2f}",
                        "post_value": f"{post:.2f}",
                        "goal": goal_ids[0],
                    }
                )
            lid = take(GoalLink)
            goal_text = goals.rows[-2][2]
            links.rows.append((lid, vid, goal_ids[0], "Progressing"))
            link_docs.append(
                {"id": lid, "goal": goal_ids[0], "goal_text": goal_text, "remark": "Progressing"}
            )
            visit = {
                "id": vid,
                "clinic": clinic_id,
                "patient": pid,
                "plan": plan_id,
                "clinician": clinician_id,
                "date_of_service": day.isoformat(),
                "visit_number": k + 1,
                "in_treatment_decisions": f"Glide improved after grade {grade}; progressed "
                "amplitude, no neurological response.",
                "reasoning": f"Restricted {dx[3]} limits {dx[4].lower()}; mobilization restores "
                "it toward the driving goal."
                if complete
                else "",
                "reasoning_confirmed": complete,
                "skilled_care": "Joint mobilization grading and reassessment need a licensed "
                "therapist's skill.",
                "untimed_minutes": 0,
                "signed_by": None,
                "signer_credentials": "",
                "signed_at": None,
            }
            content = digest = ""
            if kind == SIGNED:
                visit.update(
                    signed_by=clinician_id, signer_credentials=creds, signed_at=_utc(day, 18, 0, tz)
                )
                content = bench_canonical_content(
                    visit, [finding], [technique], block_docs, measure_docs, link_docs
                )
                digest = digest_of(content)
                units = allocate_units(minutes, method=method)
                for code in sorted(units):
                    if not units[code]:
                        continue
                    charges.rows.append(
                        (
                            take(ChargeLine),
                            vid,
                            clinic_id,
                            pid,
                            payer_name,
                            code,
                            units[code],
                            "GP" if therapy_mods else "",
                            minutes[code],
                            clinician_id,
                            npi_of[clinician_id],
                            "1",
                            dx[0],
                            line_fee(rate=rates.get(code), units=units[code]),
                            day,
                            visit["signed_at"],
                        )
                    )
                events.rows.append(
                    (
                        take(AccessEvent),
                        visit["signed_at"],
                        clinician_id,
                        clinic_id,
                        pid,
                        AccessAction.SIGN,
                        "Visit",
                        str(vid),
                        f"signed, digest {digest[:16]}",
                        0,  # seq, key id, link and MAC: chain_access_events
                        "",
                        "",
                        "",
                    )
                )
            visits.rows.append(
                (
                    vid,
                    clinic_id,
                    pid,
                    plan_id,
                    clinician_id,
                    day,
                    k + 1,
                    "signed" if kind == SIGNED else "draft",
                    visit["in_treatment_decisions"],
                    visit["reasoning"],
                    visit["reasoning_confirmed"],
                    visit["skilled_care"],
                    visit["signed_at"],
                    visit["signed_by"],
                    visit["signer_credentials"],
                    content,
                    digest,
                    created,
                    visit["signed_at"] or created,
                    clinician_id,
                    clinician_id,
                )
            )
    # The access trail is written in time order, as the app appends it.
    events.rows.sort(key=lambda row: (row[1], row[7]))
    first_event = ids[AccessEvent]
    events.rows = [(first_event + i, *row[1:]) for i, row in enumerate(events.rows)]

    # Children first: their visits are written after them (see the module docstring).
    tables = [
        clinics,
        users,
        patients,
        plans,
        diagnoses,
        goals,
        findings,
        techniques,
        blocks,
        measures,
        links,
        visits,
        charges,
        events,
    ]
    return Generated(clinic_id, [row[0] for row in users.rows], tables, signable)


def chain_access_events(table: Table, head: tuple[int, str]) -> None:
    """Extend the clinic's access trail after `head`: each event sealed (sequence number,
    link, key id, MAC) as AccessEvent.record seals it."""
    names = list(table.names)
    chained = []
    for row in table.rows:
        event = AccessEvent(**dict(zip(names, row, strict=True)))
        head = event.seal(head)
        chained.append((*row[:-4], event.seq, event.key_id, event.prev_mac, event.mac))
    table.rows = chained


@dataclass(frozen=True)
class SeedResult:
    clinic: Clinic
    rows: dict[str, int]
    signable_drafts: int
    fingerprint: str


def seed_clinic(
    sizes: Sizes,
    *,
    seed: int = 1,
    today: dt.date | None = None,
    log: Callable[[str], None] = lambda _m: None,
) -> SeedResult:
    """Write the bench clinic. Refuses a database that already holds one."""
    from django.contrib.auth.hashers import make_password

    if Clinic.objects.filter(name=CLINIC_NAME).exists():
        raise ValueError(
            f'This database already holds the "{CLINIC_NAME}"; seed an empty database '
            "(signed visits cannot be deleted)."
        )
    tz = zoneinfo.ZoneInfo(TIME_ZONE)
    today = today or timezone.localdate(timezone=tz)
    now = timezone.now()
    data = generate(
        sizes,
        seed=seed,
        today=today,
        ids=next_ids(SEEDED_MODELS),
        password_hash=make_password(PASSWORD),
        payer_rules=_payer_rules(today.year),
        now=now,
    )
    fingerprint = data.fingerprint()
    log(f"generated {sum(len(t.rows) for t in data.tables):,} rows")
    with transaction.atomic():
        # The clinic's only chain writer until commit (as AccessEvent.record).
        AccessEvent.lock_chain(data.clinic_id)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # pgtrigger's guard reads this setting and, when it is unset, catches the error
                # in a subtransaction per row; set (to no trigger ignored) the guards still run,
                # without a subtransaction each (a COPY of 200,000 rows: seconds, not minutes).
                cursor.execute("SET LOCAL pgtrigger.ignore = '{}'")
        chain_access_events(data.table(AccessEvent), AccessEvent.chain_head(data.clinic_id))
        for table in data.tables:
            write_table(table, now)
            log(f"wrote {len(table.rows):,} {table.model._meta.verbose_name_plural}")
        reset_sequences(t.model for t in data.tables)
    analyze([t.model for t in data.tables])
    log("analyzed")
    return SeedResult(
        clinic=Clinic.objects.get(pk=data.clinic_id),
        rows={t.model._meta.label: len(t.rows) for t in data.tables},
        signable_drafts=data.signable_drafts,
        fingerprint=fingerprint,
    )
