"""Bookkeeping of the scheduler and the workers.

ScheduledRun is the scheduler's memory and its lock: one row per (job, period), UNIQUE,
inserted in the same transaction as the job's task. Whatever runs the scheduler (two
processes, a restart, a clock jumping), a period is enqueued at most once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    ENQUEUED = "enqueued", _("Enqueued")
    # Periods beyond the catch-up limit after downtime or a clock jump: recorded, not run.
    SKIPPED = "skipped", _("Skipped")


class ScheduledRun(models.Model):
    job_name = models.CharField(_("job"), max_length=100)
    period = models.CharField(_("period"), max_length=8)
    period_key = models.CharField(_("period key"), max_length=32)
    period_start = models.DateTimeField(_("period start"))
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    task_path = models.CharField(_("task"), max_length=300, blank=True)
    queue_name = models.CharField(_("queue"), max_length=32, blank=True)
    # For a SKIPPED row: the range of periods it stands for, first (period_key) to last.
    skipped_count = models.PositiveIntegerField(_("periods skipped"), default=0)
    skipped_through_key = models.CharField(_("skipped through"), max_length=32, blank=True)
    # The scheduler's clock when it decided (may differ from created_at in tests).
    scheduled_at = models.DateTimeField(_("scheduled at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "job_name"]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job_name", "period_key"], name="scheduled_run_once_per_period"),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="scheduled_run_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=RunStatus.SKIPPED, skipped_count__gt=0)
                | Q(status=RunStatus.ENQUEUED, skipped_count=0),
                name="scheduled_run_skip_count",
            ),
        ]
        indexes = [models.Index(fields=["job_name", "-period_start"], name="scheduled_run_latest")]

    def __str__(self) -> str:
        return f"{self.job_name} {self.period_key} ({self.get_status_display()})"


class WorkerHeartbeat(models.Model):
    """A job worker's sign of life, updated every few seconds while it runs."""

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), null=True, blank=True)
    queues = models.CharField(_("queues"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id
