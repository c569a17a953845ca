"""The keyed access trail in the database: one chain per clinic, what each event records,
and `manage.py verify_audit_trail` naming the first event that was edited, deleted, inserted
or reordered (DOMAIN.md §7, the access log; issue 15 §1).

On PostgreSQL a trigger refuses UPDATE and DELETE; the tampering tests step around it the way
someone with database rights would (pgtrigger.ignore), then ask the command what it sees.
"""

import io
from contextlib import contextmanager

import pgtrigger
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from accounts import keyring
from accounts.models import AccessAction, AccessEvent
from tests.factories import PatientFactory

TRIGGER = "accounts.AccessEvent:access_event_append_only"


@contextmanager
def tampering():
    """Write the trail behind the application's back (the trigger stepped around)."""
    with pgtrigger.ignore(TRIGGER):
        yield


def _events(user, n, patient=None):
    return [
        AccessEvent.record(user=user, action=AccessAction.VIEW, patient=patient, detail=f"e{i}")
        for i in range(1, n + 1)
    ]


def _verify(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit_trail", *args, stdout=out, stderr=err)
    return out.getvalue()


def _verify_fails(*args) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit_trail", *args, stdout=io.StringIO(), stderr=err)
    return str(exc.value) + "\n" + err.getvalue()


def test_it_chains_each_clinics_events_on_their_own(pt, outsider):
    a1, a2 = _events(pt, 2)
    (b1,) = _events(outsider, 1)
    a3 = AccessEvent.record(user=pt, action=AccessAction.VIEW)
    assert [e.seq for e in (a1, a2, a3)] == [1, 2, 3]
    assert (b1.seq, b1.prev_mac) == (1, "")
    assert a2.prev_mac == a1.mac and a3.prev_mac == a2.mac
    assert {e.clinic_id for e in (a1, a2, a3)} == {pt.clinic_id}
    assert a1.key_id == keyring.current_key_id()
    assert len(a1.mac) == 64
    out = _verify()
    assert f"clinic {pt.clinic_id} (Riverside Physical Therapy): intact, 3 events" in out
    assert f"clinic {outsider.clinic_id} (Lakeview Spine & Sport): intact, 1 events" in out


def test_the_mac_is_keyed_not_a_plain_hash(pt, settings):
    event = AccessEvent.record(user=pt, action=AccessAction.VIEW)
    assert event.mac_ok()
    settings.AUDIT_HMAC_KEY = "someone-elses-key-0123456789-0123456789"
    assert not AccessEvent.objects.get(pk=event.pk).mac_ok()


def test_a_request_records_client_ip_short_user_agent_and_request_id(pt_client, pt):
    patient = PatientFactory(clinic=pt.clinic)
    response = pt_client.get(
        f"/patients/{patient.pk}/",
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    )
    assert response.status_code == 200
    event = AccessEvent.objects.get(patient=patient, action=AccessAction.VIEW)
    assert str(event.ip) == "203.0.113.9"
    assert event.user_agent == "Firefox 133 on Linux"
    assert event.request_id == response["X-Request-ID"]
    assert len(event.request_id) == 32
    assert event.mac_ok()


def test_a_proxys_request_id_is_kept_and_a_malformed_one_replaced(pt_client, pt):
    patient = PatientFactory(clinic=pt.clinic)
    pt_client.get(f"/patients/{patient.pk}/", HTTP_X_REQUEST_ID="edge-7f3a9c21")
    assert AccessEvent.objects.get(patient=patient).request_id == "edge-7f3a9c21"
    response = pt_client.get(f"/patients/{patient.pk}/", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
    assert AccessEvent.objects.filter(request_id=response["X-Request-ID"]).exists()


def test_events_outside_a_request_carry_no_request_details(pt):
    event = AccessEvent.record(user=pt, action=AccessAction.SIGN)
    assert (event.ip, event.user_agent, event.request_id) == (None, "", "")


def test_verify_exits_non_zero_and_names_an_edited_event(pt):
    events = _events(pt, 5)
    with tampering():
        AccessEvent.objects.filter(pk=events[2].pk).update(detail="never happened")
    message = _verify_fails()
    assert f"event #{events[2].pk} (seq 3) edited" in message
    assert "EDITED" in message


def test_verify_names_a_deleted_event(pt):
    events = _events(pt, 5)
    with tampering():
        AccessEvent.objects.filter(pk=events[1].pk).delete()
    message = _verify_fails()
    assert f"seq 2 deleted: the chain resumes at event #{events[2].pk} (seq 3)" in message


def test_verify_names_an_inserted_event(pt):
    events = _events(pt, 4)
    with tampering():
        # Make room at seq 2 (two steps: the clinic + seq pair stays unique) and insert a
        # row that claims a view that never happened, with a MAC made up without the key.
        later = AccessEvent.objects.filter(clinic=pt.clinic, seq__gte=2)
        for step in (1000, -999):
            for event in later.order_by("-seq"):
                AccessEvent.objects.filter(pk=event.pk).update(seq=event.seq + step)
        forged = AccessEvent.objects.create(
            at=events[0].at,
            user=pt,
            clinic=pt.clinic,
            action=AccessAction.VIEW,
            seq=2,
            key_id=events[0].key_id,
            prev_mac=events[0].mac,
            mac="0" * 64,
        )
    message = _verify_fails()
    assert f"event #{forged.pk} (seq 2) inserted" in message


def test_verify_names_a_reordered_event(pt):
    events = _events(pt, 5)
    second, third = events[1], events[2]
    with tampering():
        AccessEvent.objects.filter(pk=second.pk).update(seq=1000)
        AccessEvent.objects.filter(pk=third.pk).update(seq=2)
        AccessEvent.objects.filter(pk=second.pk).update(seq=3)
    message = _verify_fails()
    assert f"event #{third.pk} (seq 2) reordered" in message


def test_a_chain_recomputed_with_another_key_fails_verification(pt, settings):
    _events(pt, 3)
    # Someone with write access rebuilds every MAC with a key of their own: under that key
    # the chain is consistent, under the clinic's key it is not.
    forger_key = "a-key-the-forger-chose-0123456789-abcdef"
    real_key = settings.AUDIT_HMAC_KEY
    settings.AUDIT_HMAC_KEY = forger_key
    prev = ""
    with tampering():
        for event in AccessEvent.objects.filter(clinic=pt.clinic).order_by("seq"):
            event.prev_mac, event.detail = prev, f"{event.detail} (rewritten)"
            event.mac = keyring.mac(event.content())[1]
            AccessEvent.objects.filter(pk=event.pk).update(
                prev_mac=event.prev_mac, detail=event.detail, mac=event.mac
            )
            prev = event.mac
    assert "intact" in _verify()
    settings.AUDIT_HMAC_KEY = real_key
    first = AccessEvent.objects.get(clinic=pt.clinic, seq=1)
    assert f"event #{first.pk} (seq 1) edited" in _verify_fails()


def test_verify_accepts_a_retired_key_after_rotation_and_refuses_a_forgotten_one(pt, settings):
    settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY = (
        "k1",
        "the-first-key-0123456789-0123456789",
    )
    first = AccessEvent.record(user=pt, action=AccessAction.VIEW)
    settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY = (
        "k2",
        "the-second-key-0123456789-012345678",
    )
    settings.AUDIT_HMAC_OLD_KEYS = "k1:the-first-key-0123456789-0123456789"
    second = AccessEvent.record(user=pt, action=AccessAction.VIEW)
    assert (first.key_id, second.key_id) == ("k1", "k2")
    assert "intact, 2 events" in _verify()
    settings.AUDIT_HMAC_OLD_KEYS = ""
    assert f"event #{first.pk} (seq 1) edited" in _verify_fails()


def test_verify_checks_only_the_clinic_asked_for(pt, outsider):
    _events(pt, 2)
    theirs = _events(outsider, 2)
    with tampering():
        AccessEvent.objects.filter(pk=theirs[0].pk).update(detail="x")
    assert "intact, 2 events" in _verify("--clinic", str(pt.clinic_id))
    assert "edited" in _verify_fails("--clinic", str(outsider.clinic_id))
    assert "No clinic with id 999999" in _verify_fails("--clinic", "999999")


def test_update_and_delete_are_refused_on_postgresql_and_caught_by_verify_anywhere(pt):
    event = AccessEvent.record(user=pt, action=AccessAction.VIEW)
    if connection.vendor == "postgresql":
        for attempt in (
            lambda: AccessEvent.objects.filter(pk=event.pk).update(detail="x"),
            lambda: AccessEvent.objects.filter(pk=event.pk).delete(),
        ):
            with (
                pytest.raises(DatabaseError, match="Cannot update or delete"),
                transaction.atomic(),
            ):
                attempt()
        assert AccessEvent.objects.get(pk=event.pk).detail == ""
        assert "intact" in _verify()
    else:
        # SQLite has no trigger: the edit goes through and the chain names it.
        AccessEvent.objects.filter(pk=event.pk).update(detail="x")
        assert f"event #{event.pk} (seq 1) edited" in _verify_fails()


def test_two_events_of_one_clinic_never_share_a_sequence_number(pt):
    (event,) = _events(pt, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessEvent.objects.create(
            user=pt, clinic=pt.clinic, action="view", seq=1, key_id="k1", mac="0" * 64
        )
    assert AccessEvent.objects.filter(clinic=pt.clinic).count() == 1


def test_the_migration_rechains_history_written_under_the_old_scheme(pt, outsider):
    rechain = __import__(
        "accounts.migrations.0004_rechain_access_events", fromlist=["rechain"]
    ).rechain
    patient = PatientFactory(clinic=pt.clinic)
    with tampering():
        # Rows as the old global SHA-256 chain left them: no sequence, no key, old digests.
        for n, user in enumerate((pt, outsider, pt, pt, outsider), start=1):
            AccessEvent.objects.create(
                user=user,
                clinic=user.clinic,
                patient=patient if user == pt else None,
                action="view",
                seq=100 + n,
                key_id="",
                prev_mac="old",
                mac="sha256-digest",
            )
        assert "edited" in _verify_fails()
        rechain(apps, None)
    assert "intact, 3 events" in _verify("--clinic", str(pt.clinic_id))
    assert "intact, 2 events" in _verify("--clinic", str(outsider.clinic_id))
    assert list(
        AccessEvent.objects.filter(clinic=pt.clinic).order_by("id").values_list("seq", flat=True)
    ) == [1, 2, 3]


def test_the_admin_lists_events_read_only(pt, clinic):
    from django.test import Client

    from tests.factories import UserFactory

    event = AccessEvent.record(user=pt, action=AccessAction.VIEW, detail="opened chart")
    root = UserFactory(clinic=clinic, username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    listing = client.get("/django-admin/accounts/accessevent/?q=opened")
    assert listing.status_code == 200
    assert f"/django-admin/accounts/accessevent/{event.pk}/change/" in listing.content.decode()
    assert client.get("/django-admin/accounts/accessevent/add/").status_code == 403
    client.post(f"/django-admin/accounts/accessevent/{event.pk}/delete/", {"post": "yes"})
    assert AccessEvent.objects.filter(pk=event.pk).exists()


def test_a_bulk_writer_extends_the_chain_with_seal(pt):
    AccessEvent.record(user=pt, action=AccessAction.LOGIN)
    with transaction.atomic():
        AccessEvent.lock_chain(pt.clinic_id)
        head = AccessEvent.chain_head(pt.clinic_id)
        batch = []
        for n in range(3):
            event = AccessEvent(user=pt, clinic=pt.clinic, action="view", detail=f"bulk {n}")
            head = event.seal(head)
            batch.append(event)
        AccessEvent.objects.bulk_create(batch)
    assert head[0] == 4
    assert AccessEvent.verify_chain() is None
    assert "intact, 4 events" in _verify()
    with tampering():
        AccessEvent.objects.filter(detail="bulk 1").update(detail="bulk one")
    assert AccessEvent.verify_chain() == AccessEvent.objects.get(detail="bulk one").pk
