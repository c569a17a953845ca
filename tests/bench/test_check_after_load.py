"""The consistency check the harness runs after the load test (bench/check.py) finds a lost
autosave, a block added twice and a half-written signed visit, and passes consistent data."""

import datetime as dt

import pytest
from django.utils import timezone

from bench.check import ThreadAcks, check_after_load
from notes.models import Visit
from tests.factories import TimeBlockFactory, VisitFactory

EARLIER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def draft(clinic, pt):
    from tests.factories import PatientFactory, PlanFactory

    plan = PlanFactory(patient=PatientFactory(clinic=clinic), clinician=pt)
    return VisitFactory(plan=plan, in_treatment_decisions="Load autosave 3-7")


def acks(draft, *, autosave=7, blocks=0):
    return [ThreadAcks(3, draft.pk, draft.clinician_id, autosave=autosave, blocks=blocks)]


def typed_block(draft, start, stop):
    return TimeBlockFactory(visit=draft, start=start, stop=stop, manual=True, manual_reason="x")


def test_consistent_data_passes(draft):
    typed_block(draft, "00:02", "00:03")
    typed_block(draft, "00:04", "00:05")
    result = check_after_load(acks(draft, blocks=2), EARLIER)
    assert result.ok, result.problems
    assert result.checked["autosaves"] == 1 and result.checked["blocks"] == 2


def test_one_request_in_flight_when_the_load_stopped_is_consistent(draft):
    # the server wrote the next autosave and one more block; their answers were never read
    Visit.objects.filter(pk=draft.pk).update(in_treatment_decisions="Load autosave 3-8")
    typed_block(draft, "00:02", "00:03")
    assert check_after_load(acks(draft, autosave=7, blocks=0), EARLIER).ok


def test_a_lost_autosave_is_found(draft):
    Visit.objects.filter(pk=draft.pk).update(in_treatment_decisions="Load autosave 3-5")
    result = check_after_load(acks(draft, autosave=7), EARLIER)
    assert result.problems == [
        f"visit {draft.pk}: lost autosave (acknowledged 3-7, stored 'Load autosave 3-5')"
    ]


def test_a_block_written_twice_is_found(draft):
    typed_block(draft, "00:02", "00:03")
    typed_block(draft, "00:02", "00:03")
    typed_block(draft, "00:06", "00:07")
    result = check_after_load(acks(draft, blocks=1), EARLIER)
    assert f"visit {draft.pk}: 3 typed-in blocks for 1 acknowledged adds" in result.problems
    assert any("duplicate block" in p for p in result.problems)
    assert any("overlap" in p for p in result.problems)


def test_a_signed_visit_whose_rows_changed_is_found(draft, pt):
    from notes.signing import canonical_content, digest_of

    content = canonical_content(draft)
    Visit.objects.filter(pk=draft.pk).update(
        status="signed",
        signed_at=timezone.now(),
        signed_content=content.replace("Load autosave 3-7", "edited"),
        content_digest=digest_of(content),
    )
    result = check_after_load([], EARLIER)
    assert f"visit {draft.pk}: signed content does not match its rows" in result.problems
