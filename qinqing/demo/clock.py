"""The demo's clock: the one place where the demo sets the time of what it records.

The services take no timestamps: they read `django.utils.timezone.now()`. To load a
city with months of history (cases submitted, approved on their steps, paid, each step
with its start, deadline and end, each change on the audit trail), the demo runs the
real services with `timezone.now` answering from this clock, then gives the real clock
back. Only rows written while the demo seeds are affected, and every one of them gets
its time the ordinary way, through the service that writes it; nothing is edited
afterwards.

Each reading advances the clock by a millisecond, so events keep their order; `set`
moves it forward only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

TICK = dt.timedelta(milliseconds=1)


class DemoClock:
    def __init__(self, start: dt.datetime) -> None:
        if timezone.is_naive(start):
            raise ValueError("the demo clock needs an aware datetime")
        self._at = start

    def now(self) -> dt.datetime:
        self._at += TICK
        return self._at

    @property
    def at(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        """Move to `at`, or stay if the clock is already past it (time never runs back)."""
        self._at = max(self._at, at)


@contextmanager
def demo_clock(start: dt.datetime) -> Iterator[DemoClock]:
    clock = DemoClock(start)
    with mock.patch.object(timezone, "now", clock.now):
        yield clock
