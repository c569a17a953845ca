"""Two clinics log at the same time without waiting on one lock (issue 15 §1): each clinic's
chain has its own advisory lock, held until the writer's transaction commits."""

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from accounts.models import AccessAction, AccessEvent

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _lock_timeout(ms: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{int(ms)}ms'")


def test_clinic_b_records_while_clinic_a_holds_its_chain_lock(pt, outsider):
    holding, release, failures = threading.Event(), threading.Event(), []

    def clinic_a_writer():
        try:
            with transaction.atomic():
                AccessEvent.record(user=pt, action=AccessAction.VIEW, detail="A, held open")
                holding.set()
                if not release.wait(timeout=20):
                    failures.append("never released")
        except Exception as exc:  # reported by the main thread
            failures.append(repr(exc))
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=clinic_a_writer)
    thread.start()
    try:
        assert holding.wait(timeout=20)
        assert not failures
        _lock_timeout(5000)
        started = time.perf_counter()
        event_b = AccessEvent.record(user=outsider, action=AccessAction.VIEW, detail="B")
        waited = time.perf_counter() - started
        # Clinic B's record completed while A's transaction is still open.
        assert thread.is_alive()
        assert event_b.seq == 1 and waited < 2
        # Clinic A's own chain is serialised: a second writer to A waits for the lock.
        _lock_timeout(300)
        with pytest.raises(OperationalError, match="lock timeout"):
            AccessEvent.record(user=pt, action=AccessAction.VIEW, detail="A, second writer")
    finally:
        _lock_timeout(0)
        release.set()
        thread.join(timeout=20)
    assert not failures
    # Once A commits, the waiting writer's turn comes and the chain stays whole.
    event_a2 = AccessEvent.record(user=pt, action=AccessAction.VIEW, detail="A, after")
    assert event_a2.seq == 2
    assert AccessEvent.first_fault(pt.clinic_id) is None
    assert AccessEvent.first_fault(outsider.clinic_id) is None


def test_parallel_writers_of_one_clinic_build_one_unbroken_chain(pt):
    errors = []

    def writer(n):
        try:
            for i in range(15):
                AccessEvent.record(user=pt, action=AccessAction.VIEW, detail=f"w{n} {i}")
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    seqs = list(
        AccessEvent.objects.filter(clinic=pt.clinic).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs == list(range(1, 46))
    assert AccessEvent.first_fault(pt.clinic_id) is None


def test_a_writer_that_waited_for_the_lock_reads_the_head_committed_meanwhile(pt):
    # The lock and the head are read in one statement: the writer that waits must still see
    # the event the lock's holder committed, and link to it (no duplicate sequence number).
    holding, release, failures = threading.Event(), threading.Event(), []

    def first_writer():
        try:
            with transaction.atomic():
                AccessEvent.record(user=pt, action=AccessAction.VIEW, detail="first")
                holding.set()
                release.wait(timeout=20)
        except Exception as exc:
            failures.append(repr(exc))
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=first_writer)
    thread.start()
    assert holding.wait(timeout=20)
    timer = threading.Timer(0.5, release.set)  # commit while the second writer waits
    timer.start()
    second = AccessEvent.record(user=pt, action=AccessAction.VIEW, detail="second")
    thread.join(timeout=20)
    assert not failures
    first = AccessEvent.objects.get(clinic=pt.clinic, detail="first")
    assert (second.seq, second.prev_mac) == (2, first.mac)
    assert AccessEvent.first_fault(pt.clinic_id) is None
