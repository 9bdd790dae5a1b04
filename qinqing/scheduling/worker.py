"""The job worker: django_tasks_db's worker loop plus a heartbeat and a reaper.

A background thread records the worker's heartbeat every WORKER_HEARTBEAT_SECONDS and,
every WORKER_REAP_SECONDS, requeues tasks whose worker stopped beating (see
`tasks_reap_stale`). Any live worker reaps for all, so one dead worker never loses a
job while another is up.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker

from .services import tasks_reap_stale, worker_heartbeat, worker_stopped

logger = logging.getLogger(__name__)


class HeartbeatWorker(Worker):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.heartbeat_seconds = float(getattr(settings, "WORKER_HEARTBEAT_SECONDS", 5))
        self.reap_seconds = float(getattr(settings, "WORKER_REAP_SECONDS", 30))

    def run(self) -> None:
        # The first beat is written before any task is claimed, so that no reaper can
        # mistake this worker's first task for a lost one.
        worker_heartbeat(worker_id=self.worker_id, queues=",".join(self.queue_names))
        self.start_heartbeat()
        try:
            super().run()
        finally:
            self.stop_heartbeat()
            try:
                worker_stopped(worker_id=self.worker_id)
            except Exception:
                logger.exception("could not record that worker %s stopped", self.worker_id)

    def start_heartbeat(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat_loop, name="heartbeat", daemon=True)
        self._thread.start()

    def stop_heartbeat(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.heartbeat_seconds + 5)
            self._thread = None

    def beat_once(self, *, reap: bool) -> None:
        worker_heartbeat(worker_id=self.worker_id, queues=",".join(self.queue_names))
        if reap:
            lost = tasks_reap_stale()
            if lost:
                logger.warning("worker %s requeued %d lost task(s): %s", self.worker_id, len(lost), lost)

    def _beat_loop(self) -> None:
        since_reap = self.reap_seconds  # reap once right away: a restart finds its own lost tasks
        try:
            while not self._stop.is_set():
                reap = since_reap >= self.reap_seconds
                try:
                    self.beat_once(reap=reap)
                except Exception:
                    # A locked or briefly unreachable database: try again next beat.
                    logger.exception("heartbeat of worker %s failed", self.worker_id)
                if reap:
                    since_reap = 0.0
                self._stop.wait(self.heartbeat_seconds)
                since_reap += self.heartbeat_seconds
        finally:
            connection.close()
