"""Start/stop timers and typed-in time blocks (the issue's "Start/stop timers"; DOMAIN.md §3:
record actual start and stop times)."""

import datetime as dt
import json

import pytest
from django.test import Client

from notes.models import TimeBlock
from tests.factories import UserFactory, VisitFactory
from tests.notes.conftest import NOW, TODAY, local, make_plan, text, url

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def manual(code="97140", start="09:02", stop="09:10", reason="entered after session", **kw):
    return {"code": code, "date": TODAY.isoformat(), "start": start, "stop": stop,
            "reason": reason, **kw}  # fmt: skip


def test_it_starts_a_timer_on_the_server_clock(pt_client, visit, pt, clock):
    response = pt_client.post(url("timer_start", visit), {"code": "97140"}, headers=HX)
    assert response.status_code == 200
    assert "visit-changed" in json.loads(response["HX-Trigger"])
    block = TimeBlock.objects.get()
    assert block.started_at == NOW
    assert block.stopped_at is None
    assert block.clinician == pt
    html = text(response)
    assert f'data-started-at="{NOW.isoformat()}"' in html
    assert "Stop 97140" in html


def test_it_keeps_the_running_clock_across_a_reload_and_counts_whole_minutes(
    pt_client, visit, clock
):
    # The issue: "a reload, a second device or a dropped connection loses nothing".
    pt_client.post(url("timer_start", visit), {"code": "97140"})
    clock.shift(dt.timedelta(minutes=7, seconds=40))
    reloaded = pt_client.get(url("visit_note", visit))
    html = text(reloaded)
    assert "Your 97140 timer is running since 11:30" in html
    block = TimeBlock.objects.get()
    assert url("timer_stop", visit, block.pk) in html
    # A second device (another session of the same clinician) stops it.
    second = Client()
    second.force_login(visit.clinician)
    assert second.post(url("timer_stop", visit, block.pk)).status_code == 302
    block.refresh_from_db()
    assert block.stopped_at == NOW + dt.timedelta(minutes=7, seconds=40)
    assert block.minutes == 7
    units = pt_client.get(url("visit_note", visit))
    assert 'data-testid="total-timed">7<' in units.content.decode()


def test_it_refuses_a_second_running_timer(pt_client, visit, clock):
    pt_client.post(url("timer_start", visit), {"code": "97140"})
    clock.shift(dt.timedelta(minutes=2))
    response = pt_client.post(url("timer_start", visit), {"code": "97110"})
    assert response.status_code == 422
    assert "Stop the running 97140 timer first (started 11:30)." in text(response)
    assert TimeBlock.objects.count() == 1


def test_it_refuses_a_timer_while_one_runs_on_another_patient(pt_client, visit, pt, clock):
    other = VisitFactory(plan=make_plan(pt, last_name="Other"), clinician=pt, date_of_service=TODAY)
    pt_client.post(url("timer_start", other), {"code": "97140"})
    page = text(pt_client.get(url("visit_note", visit)))
    assert "Your 97140 timer is running on" in page
    response = pt_client.post(url("timer_start", visit), {"code": "97140"})
    assert response.status_code == 422
    assert "Stop the running 97140 timer first" in text(response)


def test_it_runs_timers_only_on_the_day_of_service(pt_client, plan, pt, clock):
    earlier = VisitFactory(plan=plan, clinician=pt, date_of_service=TODAY - dt.timedelta(days=3))
    response = pt_client.post(url("timer_start", earlier), {"code": "97140"})
    assert response.status_code == 422
    assert "timers run only on the day of service" in text(response)
    assert not TimeBlock.objects.exists()


def test_it_refuses_to_stop_another_clinicians_timer(pt_client, visit, clock, clinic):
    colleague = UserFactory(clinic=clinic, username="colleague")
    block = TimeBlock.objects.create(
        visit=visit, code_id="97110", clinician=colleague, started_at=NOW
    )
    other = Client()
    other.force_login(UserFactory(clinic=clinic, username="third"))
    response = other.post(url("timer_stop", visit, block.pk))
    assert response.status_code == 409
    assert "Only the clinician who started this timer can stop it." in text(response)


def test_it_refuses_to_stop_a_stopped_timer(pt_client, visit, clock):
    pt_client.post(url("timer_start", visit), {"code": "97140"})
    block = TimeBlock.objects.get()
    clock.shift(dt.timedelta(minutes=9))
    pt_client.post(url("timer_stop", visit, block.pk))
    response = pt_client.post(url("timer_stop", visit, block.pk))
    assert response.status_code == 409
    assert "already stopped at 11:39" in text(response)


def test_it_records_typed_in_times_marked_as_manual_with_the_reason(pt_client, visit, clock):
    response = pt_client.post(url("block_add", visit), manual(), headers=HX)
    assert response.status_code == 200
    block = TimeBlock.objects.get()
    assert block.started_at == local("09:02")
    assert block.stopped_at == local("09:10")
    assert block.manual and block.manual_reason == "entered after session"
    assert block.minutes == 8
    html = text(response)
    assert "09:02–09:10" in html
    assert ">manual<" in html and "entered after session" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (manual(start="09:10", stop="09:02"), "stop", "Enter the stop time after the start time."),
        (manual(start="09:10", stop="09:10"), "stop", "Enter the stop time after the start time."),
        (manual(reason=""), "reason", "Say why the times were typed in rather than timed"),
        (manual(start="11:20", stop="11:45"), "stop", "11:45 is in the future"),
        (manual(start="", stop="09:10"), "start", "This field is required."),
        (manual(start="9 o'clock"), "start", "Enter a valid time."),
        (
            manual(date=(TODAY - dt.timedelta(days=1)).isoformat()),
            "date",
            "Time blocks belong to the visit's date of service (Mar 10, 2026)",
        ),
        (manual(code="99999"), "code", "Choose one of the timed codes in the list."),
    ],
)
def test_it_refuses_bad_typed_in_times_with_a_message_next_to_the_field(
    pt_client, visit, clock, data, field, message
):
    response = pt_client.post(url("block_add", visit), data)
    assert response.status_code == 422
    html = text(response)
    assert message in html
    # The message sits with its field (crispy renders it under the input's id).
    assert f'id="error_1_id_manual_{field}"' in html
    assert not TimeBlock.objects.exists()


def test_it_refuses_overlapping_blocks_of_one_clinician(pt_client, visit, clock):
    assert pt_client.post(url("block_add", visit), manual()).status_code == 302
    response = pt_client.post(url("block_add", visit), manual(code="97110", start="09:05",
                                                                stop="09:20"))  # fmt: skip
    assert response.status_code == 422
    assert (
        "This overlaps 97140 09:02–09:10; one clinician cannot bill two timed services at once."
        in text(response)
    )
    # Back to back is not an overlap.
    assert (
        pt_client.post(url("block_add", visit), manual(start="09:10", stop="09:17")).status_code
        == 302
    )
    assert TimeBlock.objects.count() == 2


def test_it_refuses_an_overlap_with_the_same_clinicians_block_on_another_patient(
    pt_client, visit, pt, clock
):
    other = VisitFactory(plan=make_plan(pt, last_name="Other"), clinician=pt, date_of_service=TODAY)
    TimeBlock.objects.create(
        visit=other, code_id="97110", clinician=pt, started_at=local("09:00"),
        stopped_at=local("09:30"),
    )  # fmt: skip
    response = pt_client.post(url("block_add", visit), manual())
    assert response.status_code == 422
    assert "This overlaps 97110 09:00–09:30 (visit of Other, Margaret)" in text(response)


def test_it_lets_two_clinicians_time_the_same_minutes(pt_client, visit, pta, clock):
    TimeBlock.objects.create(
        visit=visit, code_id="97110", clinician=pta, started_at=local("09:00"),
        stopped_at=local("09:30"),
    )  # fmt: skip
    assert pt_client.post(url("block_add", visit), manual()).status_code == 302


def test_it_deletes_a_block_of_a_draft(pt_client, visit, clock):
    pt_client.post(url("block_add", visit), manual())
    block = TimeBlock.objects.get()
    response = pt_client.post(url("block_delete", visit, block.pk), headers=HX)
    assert response.status_code == 200
    assert not TimeBlock.objects.exists()


def test_it_shows_live_units_and_the_minutes_behind_them(pt_client, visit, clock):
    # DOMAIN.md §3: 97140 8 + 7 minutes = 15 → 1 unit under the CMS rule (SCENARIOS.md S1).
    pt_client.post(url("block_add", visit), manual())
    pt_client.post(url("block_add", visit), manual(start="09:10", stop="09:17"))
    units = pt_client.get(url("visit_note", visit))
    html = text(units)
    assert units.status_code == 200
    assert 'data-testid="total-timed">15<' in html
    assert "97140 ×1 GP" in html
    assert "97140: 15 min = 1 × 15 min → 1 unit" in html
    assert "CMS 8-minute rule" in html


@pytest.mark.parametrize(
    "post",
    [
        lambda client, visit: client.post(url("timer_start", visit), {"code": "97140"}, headers=HX),
        lambda client, visit: client.post(url("block_add", visit), manual(), headers=HX),
    ],
    ids=["timer", "typed-in"],
)
def test_a_block_is_never_stored_without_its_access_log_event(
    pt_client, visit, clock, monkeypatch, post
):
    # DOMAIN.md §7: every change of the record is in the access log. The block and its event
    # are written in one transaction: when the event cannot be written, neither is kept.
    from accounts.models import AccessEvent

    def refuse(*args, **kwargs):
        raise RuntimeError("the access log is unavailable")

    monkeypatch.setattr(AccessEvent, "seal", refuse)
    with pytest.raises(RuntimeError):
        post(pt_client, visit)
    assert not TimeBlock.objects.exists()
