"""A pytest plugin for the calendar tests (tests/test_calendar.py): `-p tests.clock` with ASHARE_TEST_CLOCK set runs
the tests with every clock moved to that instant and ticking on (time-machine patches the C-level clocks too), so
that the suite's calendar tests are run again as if it were 2027-01-04, past the calendar akshare ships."""

import datetime as dt
import os

VARIABLE = "ASHARE_TEST_CLOCK"


def moved_to() -> dt.datetime:
    value = os.environ.get(VARIABLE, "").strip()
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise SystemExit(
            f"{VARIABLE}={value!r}: expected an ISO instant with its offset (2027-01-04T16:30+08:00)"
        ) from None
    if when.tzinfo is None:
        raise SystemExit(f"{VARIABLE}={value!r}: give the instant's offset (+08:00 for Shanghai)")
    return when


def pytest_configure(config):
    import time_machine

    config._ashare_clock = time_machine.travel(moved_to(), tick=True)
    config._ashare_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_ashare_clock", None)
    if clock is not None:
        clock.stop()
