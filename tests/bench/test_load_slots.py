"""The load's typed-in blocks must lie in the past at the clinic (a block in the future is
refused with 422) and after the blocks the measured block-add run types in from midnight."""

from bench import run

MEASURED_RUN_MINUTES = 100  # the measured run's two-minute slots from 00:00 (about 50 cycles)
LOAD_MINUTES = 60  # the load's slots: two minutes a cycle, well under 30 cycles a connection


def test_the_loads_blocks_stay_behind_the_clinic_clock_from_early_morning():
    for minutes_today in range(MEASURED_RUN_MINUTES + LOAD_MINUTES, 24 * 60):
        base = run.load_slot_base(minutes_today)
        assert base >= MEASURED_RUN_MINUTES, minutes_today
        assert base + LOAD_MINUTES <= minutes_today, minutes_today


def test_in_the_afternoon_the_load_starts_at_three():
    assert run.load_slot_base(15 * 60) == 180
