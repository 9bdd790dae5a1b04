from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base: every table records when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ThrottleCount(models.Model):
    """How many requests one client address made in one window of one throttled scope
    (`qinqing.common.throttle`). One row per (scope, client, window), counted up by one
    atomic INSERT … ON CONFLICT DO UPDATE, so any number of web processes share it; rows
    of ended windows are pruned by a periodic job. The address is kept only as a keyed
    hash. No `TimeStampedModel`: a row lives one window and its window is its time."""

    scope = models.CharField(max_length=32)
    # HMAC-SHA-256 of the client address with the server's secret (hex).
    client = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["window_start", "id"]
        constraints = [
            # The conflict target of the atomic increment.
            models.UniqueConstraint(
                fields=["scope", "client", "window_start"], name="common_throttle_window_unique"
            ),
        ]
        indexes = [
            # Pruning deletes by window start.
            models.Index(fields=["window_start"], name="common_throttle_window_start"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.client[:8]}@{self.window_start.isoformat()}={self.hits}"
