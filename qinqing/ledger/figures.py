"""The ledger's live figures over a set of problems: in total, per channel, per category,
per department (ranked) and per campaign. The dashboard shows them, its Excel export
writes them, the campaign pages use the same aggregates.

Every figure is one aggregate in the database: five queries whatever the number of
problems. `figures` returns plain JSON data with codes, not labels, so that a snapshot
of it (services/dashboard.py) serves every language; `labelled` adds the names.

- closure rate: closed problems out of those that stayed on the ledger (withdrawn,
  referred and merged ones left it), a withdrawal the department asked for counting as
  not closed, as the circular counts it;
- on-time rate: problems rectified on or before their due date, out of the rectified
  ones with a due date and the open ones already past it (an overdue problem counts
  against the rate before it is fixed, not only once it is).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet

from qinqing.accounts.models import OrganisationKind

from .models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    RECTIFIED_STATUSES,
    Category,
    Channel,
    Problem,
    ProblemStatus,
)


def aggregates(today: dt.date) -> dict[str, Any]:
    """The figures as aggregates over a queryset of problems."""
    open_q = Q(status__in=OPEN_STATUSES)
    overdue_q = open_q & Q(due_date__lt=today)
    timed_fix_q = Q(status__in=RECTIFIED_STATUSES, rectified_on__isnull=False, due_date__isnull=False)
    return {
        "registered": Count("pk"),
        "open": Count("pk", filter=open_q),
        "overdue": Count("pk", filter=overdue_q),
        "rectified": Count("pk", filter=Q(status__in=RECTIFIED_STATUSES)),
        "closed": Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
        # A withdrawal the department asked for counts as not closed (as the circular
        # counts it): asking the reporter to withdraw never raises the closure rate.
        "kept": Count(
            "pk",
            filter=~Q(status__in=FINAL_STATUSES) | Q(status=ProblemStatus.WITHDRAWN, withdrawal_flagged=True),
        ),
        "on_time": Count("pk", filter=timed_fix_q & Q(rectified_on__lte=F("due_date"))),
        "timed": Count("pk", filter=timed_fix_q | overdue_q),
        "satisfaction": Avg("satisfaction"),
        "flagged": Count("pk", filter=Q(withdrawal_flagged=True)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
    }


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def with_rates(row: dict[str, Any]) -> dict[str, Any]:
    row["closure_rate"] = _rate(row["closed"], row["kept"])
    row["on_time_rate"] = _rate(row["on_time"], row["timed"])
    row["closure_percent"] = percent(row["closure_rate"])
    row["on_time_percent"] = percent(row["on_time_rate"])
    score = row["satisfaction"]
    row["satisfaction"] = None if score is None else round(float(score), 2)
    return row


def _grouped(problems: QuerySet[Problem], today: dt.date, *keys: str) -> list[dict[str, Any]]:
    # order_by() drops the model's ordering, which would split the groups.
    rows = problems.order_by().values(*keys).annotate(**aggregates(today))
    return [with_rates(dict(row)) for row in rows]


def ranking_min_volume() -> int:
    """The fewest problems a department needs to be ranked (the circular's minimum)."""
    from .reports.circular import parameters

    return int(parameters()["min_volume"])


def _ranking_key(row: dict[str, Any]) -> tuple[Any, ...]:
    def desc(value: float | None) -> float:
        return -value if value is not None else 1.0

    return (
        desc(row["closure_rate"]),
        desc(row["on_time_rate"]),
        desc(row["satisfaction"]),
        -row["registered"],
        row["name"],
    )


def figures(problems: QuerySet[Problem], today: dt.date) -> dict[str, Any]:
    """Totals, per channel, per category, per department (ranked) and per campaign: JSON
    data (numbers, strings, None), channels and categories as codes."""
    base = problems.order_by()
    totals = with_rates(dict(base.aggregate(**aggregates(today))))
    channel_order = list(Channel.values)
    channels = sorted(_grouped(base, today, "channel"), key=lambda r: channel_order.index(r["channel"]))
    category_order = list(Category.values)
    categories = sorted(_grouped(base, today, "category"), key=lambda r: category_order.index(r["category"]))
    departments = _grouped(
        base.filter(organisation__kind=OrganisationKind.DEPARTMENT),
        today,
        "organisation__public_id",
        "organisation__name",
    )
    for row in departments:
        row["name"] = row.pop("organisation__name")
        row["public_id"] = str(row.pop("organisation__public_id"))
    # No ranking on a handful, as in the circular: one problem closed of one must not top
    # the list. Departments below the minimum volume follow, unranked.
    least = ranking_min_volume()
    departments.sort(key=lambda r: (r["registered"] < least, _ranking_key(r)))
    ranked = [r for r in departments if r["registered"] >= least]
    for rank, row in enumerate(departments, start=1):
        row["rank"] = rank if rank <= len(ranked) else None
    campaigns = _grouped(
        base.filter(campaign__isnull=False),
        today,
        "campaign__public_id",
        "campaign__title",
        "campaign__channel",
        "campaign__starts_on",
    )
    campaigns.sort(key=lambda r: (r["campaign__starts_on"], r["campaign__title"]), reverse=True)
    for row in campaigns:
        row["name"] = row.pop("campaign__title")
        row["public_id"] = str(row.pop("campaign__public_id"))
        row["campaign_channel"] = row.pop("campaign__channel")
        del row["campaign__starts_on"]
    return {
        "totals": totals,
        "channels": channels,
        "categories": categories,
        "departments": departments,
        "campaigns": campaigns,
    }


def labelled(data: dict[str, Any]) -> dict[str, Any]:
    """`figures`' data with the names of channels and categories in the active language,
    as new dicts (`data` may be a snapshot shared between requests: it is not changed)."""
    channel_labels = dict(Channel.choices)
    category_labels = dict(Category.choices)
    return {
        "totals": dict(data["totals"]),
        "channels": [
            {**row, "name": str(channel_labels.get(row["channel"], row["channel"]))}
            for row in data["channels"]
        ],
        "categories": [
            {**row, "name": str(category_labels.get(row["category"], row["category"]))}
            for row in data["categories"]
        ],
        "departments": [dict(row) for row in data["departments"]],
        "campaigns": [
            {**row, "channel_name": str(channel_labels.get(row["campaign_channel"], ""))}
            for row in data["campaigns"]
        ],
    }


def campaign_figures(problems: QuerySet[Problem], campaign: Any, today: dt.date) -> dict[str, Any]:
    """One campaign's figures over `problems` (those the reader may see): the totals with
    their rates, and per topic (in the campaign's order) how many were registered and
    closed. Its page and the API show the same."""
    mine = problems.filter(campaign=campaign).order_by()
    totals = with_rates(dict(mine.aggregate(**aggregates(today))))
    per_topic = {
        row["topic_id"]: row
        for row in mine.values("topic_id").annotate(
            registered=Count("pk"), closed=Count("pk", filter=Q(status=ProblemStatus.CLOSED))
        )
    }
    topics = [
        {
            "topic": topic,
            "registered": per_topic.get(topic.pk, {}).get("registered", 0),
            "closed": per_topic.get(topic.pk, {}).get("closed", 0),
        }
        for topic in campaign.topics.all()
    ]
    return {"totals": totals, "topics": topics}
