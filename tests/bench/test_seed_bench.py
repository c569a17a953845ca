"""manage.py seed_bench at a tiny size: the sizes asked for, reproducible from the seed, and
data the app itself accepts (signatures that verify, units from billing.units, drafts that
sign)."""

import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AccessEvent, Role, User
from bench.bulk import next_ids
from bench.columns import SEEDED_MODELS
from bench.seed import CLINIC_NAME, PASSWORD, Sizes, _payer_rules, generate
from billing.models import ChargeLine
from billing.units import allocate_units
from notes.models import Visit
from notes.signing import sign_visit, verify_visit
from plancare.models import Patient

TODAY = dt.date(2026, 11, 20)
TINY = Sizes(clinicians=3, patients=12, visits=60)


def seed_tiny(capsys, seed=7):
    call_command(
        "seed_bench",
        clinicians=TINY.clinicians,
        patients=TINY.patients,
        visits=TINY.visits,
        seed=seed,
    )
    return capsys.readouterr().out


def test_it_writes_the_sizes_asked_for_and_says_how_long_it_took(db, capsys):
    out = seed_tiny(capsys)
    assert "Seeded Bench Clinic (seed 7) in " in out
    assert Visit.objects.filter(clinic__name=CLINIC_NAME).count() == 60
    assert Patient.objects.filter(clinic__name=CLINIC_NAME).count() == 12
    users = User.objects.filter(clinic__name=CLINIC_NAME)
    assert users.filter(role=Role.CLINICIAN).count() == 3
    assert users.filter(role=Role.ADMIN).count() == 1
    assert users.filter(role=Role.AUDITOR).count() == 1
    visits = Visit.objects.filter(clinic__name=CLINIC_NAME)
    assert visits.signed().exists() and visits.unsigned().exists()
    # every patient has a plan and at least one visit on it
    assert not Patient.objects.filter(clinic__name=CLINIC_NAME, visits__isnull=True).exists()


def test_signed_visits_carry_the_content_and_digest_notes_signing_computes(db, capsys):
    # DOMAIN.md §7: the signed note is its canonical content and digest, rebuilt from its rows
    seed_tiny(capsys)
    signed = list(Visit.objects.filter(clinic__name=CLINIC_NAME).signed())
    assert signed
    assert all(verify_visit(visit) for visit in signed)
    assert AccessEvent.verify_chain() is None
    assert AccessEvent.objects.filter(action="sign").count() == len(signed)


def test_charge_lines_carry_the_units_of_billing_units(db, capsys):
    # DOMAIN.md §3: units from the visit's timed minutes under the payer's method
    seed_tiny(capsys)
    rules = _payer_rules(TODAY.year)
    checked = 0
    for visit in Visit.objects.filter(clinic__name=CLINIC_NAME).signed().select_related("patient"):
        minutes = defaultdict(int)
        for block in visit.time_blocks.all():
            minutes[block.code_id] += block.minutes
        expected = {
            code: n
            for code, n in allocate_units(
                minutes, method=rules[visit.patient.payer_type][1]
            ).items()
            if n
        }
        lines = dict(ChargeLine.objects.filter(visit=visit).values_list("code_id", "units"))
        assert lines == expected
        checked += 1
    assert checked


def test_the_same_seed_gives_the_same_clinic_and_another_seed_another(db):
    args = {
        "today": TODAY,
        "ids": next_ids(SEEDED_MODELS),
        "password_hash": "x",
        "payer_rules": _payer_rules(TODAY.year),
        "now": dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC),
    }
    first = generate(TINY, seed=3, **args).fingerprint()
    assert generate(TINY, seed=3, **args).fingerprint() == first
    assert generate(TINY, seed=4, **args).fingerprint() != first


def test_a_complete_seeded_draft_signs(db, capsys):
    # DOMAIN.md §2: a ready draft has every blocking element, so sign-off accepts it
    out = seed_tiny(capsys, seed=8)
    from bench.prepare import _ready_drafts

    drafts = list(
        Visit.objects.filter(clinic__name=CLINIC_NAME).unsigned().values_list("id", flat=True)
    )
    ready = sorted(_ready_drafts(drafts))
    assert "drafts ready to sign" in out
    assert ready, "the tiny clinic of seed 8 has a complete draft"
    visit = Visit.objects.get(pk=ready[0])
    signed = sign_visit(visit_pk=visit.pk, user=visit.clinician, password=PASSWORD)
    assert signed.is_signed and verify_visit(signed)
    assert ChargeLine.objects.filter(visit=signed).exists()


def test_it_refuses_a_database_that_already_holds_the_bench_clinic(db, capsys):
    seed_tiny(capsys)
    with pytest.raises(CommandError, match="already holds"):
        seed_tiny(capsys)


def test_it_refuses_fewer_visits_than_patients(db):
    with pytest.raises(CommandError, match="as many visits as patients"):
        call_command("seed_bench", clinicians=1, patients=5, visits=3)
