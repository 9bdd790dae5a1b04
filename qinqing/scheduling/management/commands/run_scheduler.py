"""`manage.py run_scheduler`: enqueue periodic jobs, once per period each.

Loops every --interval seconds; `--once` ticks once and exits (tests, cron). Any number
may run at once: the database lets one of them enqueue each period.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from qinqing.scheduling.registry import periodic_jobs
from qinqing.scheduling.services import scheduler_tick


class Command(BaseCommand):
    help = "Run the periodic-job scheduler (every --interval seconds, or --once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Tick once and exit.")
        parser.add_argument(
            "--interval", type=float, default=15.0, help="Seconds between ticks (default 15)."
        )
        parser.add_argument(
            "--now",
            default="",
            help="Pretend it is this ISO 8601 time with an offset (tests, backfills); implies --once.",
        )

    def handle(self, *args: Any, once: bool, interval: float, now: str, **options: Any) -> None:
        if interval <= 0:
            raise CommandError("--interval must be positive")
        at = None
        if now:
            try:
                at = dt.datetime.fromisoformat(now)
            except ValueError as exc:
                raise CommandError("--now must be an ISO 8601 date and time") from exc
            if at.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2025-03-01T08:00+08:00")
            once = True
        jobs = periodic_jobs()
        names = ", ".join(j.name for j in jobs)
        self.stdout.write(f"scheduler: {len(jobs)} periodic job(s): {names}")
        if once:
            self._tick(at)
            return
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while not stop.is_set():
            close_old_connections()
            self._tick(None)
            close_old_connections()
            stop.wait(interval)
        self.stdout.write("scheduler: stopped")

    def _tick(self, at: dt.datetime | None) -> None:
        result = scheduler_tick(now=at)
        for run in result.skipped:
            self.stdout.write(
                f"skipped {run.job_name} {run.period_key}..{run.skipped_through_key} ({run.skipped_count} periods)"
            )
        for run in result.enqueued:
            self.stdout.write(f"enqueued {run.job_name} {run.period_key} task={run.task_id}")
