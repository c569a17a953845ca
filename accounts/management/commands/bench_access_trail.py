"""Time `AccessEvent.record`: microseconds per call, one writer after another, and two
clinics writing at the same time (one thread each, each with its own connection).

    manage.py bench_access_trail [--events 2000] [--hold-ms 0]

--hold-ms keeps each writer's transaction open that long after recording, as a sign-off that
records its event and then writes the note does: the chain lock is held until commit.

It writes real events into two clinics it creates ("Bench trail A/B") in the configured
database; run it against a scratch database, never production.
"""

import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection, transaction

from accounts.models import AccessAction, AccessEvent, Clinic, Role, User


def _user(name: str) -> User:
    clinic, _ = Clinic.objects.get_or_create(name=f"Bench trail {name}")
    user, _ = User.objects.get_or_create(
        username=f"bench-trail-{name.lower()}", defaults={"clinic": clinic, "role": Role.ADMIN}
    )
    return user


HOLD_SECONDS = 0.0


def _record(user: User, count: int, cpu: list | None = None) -> float:
    """Seconds taken by `count` sequential records (autocommit: one transaction each); the
    process CPU seconds are appended to `cpu` when given."""
    started, cpu_started = time.perf_counter(), time.process_time()
    for n in range(count):
        with transaction.atomic():
            AccessEvent.record(user=user, action=AccessAction.VIEW, detail=f"bench {n}")
            if HOLD_SECONDS:
                time.sleep(HOLD_SECONDS)
    if cpu is not None:
        cpu.append(time.process_time() - cpu_started)
    return time.perf_counter() - started


class Command(BaseCommand):
    help = "Measure the cost of recording an access event (sequential and two clinics at once)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=2000)
        parser.add_argument("--hold-ms", type=float, default=0.0)

    def handle(self, *args, events: int, hold_ms: float, **options):
        global HOLD_SECONDS
        HOLD_SECONDS = hold_ms / 1000
        users = [_user("A"), _user("B")]
        _record(users[0], 50)  # warm up: connection, statement cache
        cpu: list[float] = []
        seconds = _record(users[0], events, cpu)
        self.stdout.write(
            f"sequential, one clinic: {events} events in {seconds:.2f} s = "
            f"{seconds / events * 1e6:.0f} µs per event "
            f"({cpu[0] / events * 1e6:.0f} µs of it CPU in this process)"
        )
        with transaction.atomic():
            seconds = _record(users[0], events)
        self.stdout.write(
            f"sequential, one transaction (no commit per event): "
            f"{seconds / events * 1e6:.0f} µs per event"
        )

        wall, seconds = _in_parallel(users, events)
        per_thread = ", ".join(f"{s / events * 1e6:.0f}" for s in seconds)
        self.stdout.write(
            f"two clinics in parallel: {2 * events} events in {wall:.2f} s = "
            f"{2 * events / wall:.0f} events/s overall; µs per event per writer: {per_thread}"
        )
        wall, _seconds = _in_parallel([users[0], users[0]], events)
        self.stdout.write(
            f"two writers, one clinic: {2 * events} events in {wall:.2f} s = "
            f"{2 * events / wall:.0f} events/s overall"
        )


def _in_parallel(users: list, events: int) -> tuple[float, list[float]]:
    """One thread per user, each recording `events` events: the wall time, and each thread's."""
    results: dict[int, float] = {}

    def worker(index: int, user) -> None:
        try:
            results[index] = _record(user, events)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(users)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, [results[i] for i in sorted(results)]
