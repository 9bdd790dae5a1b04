"""The monthly clue report (问题线索月报): the problems registered in the period, by
channel, category, severity and responsible department (at the period's end), the
institutional ones, and the list of new clues."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qinqing.accounts.models import Organisation

from ..models import Institutional, Problem, ReportKind
from .figures import (
    ASOF,
    Period,
    as_of,
    base,
    counts_by,
    department_names,
    in_languages,
    most_first,
    n,
    rows,
    stream,
)


def compute(period: Period) -> dict[str, Any]:
    with as_of(period, new_only=True) as params:
        totals = rows(
            f"""SELECT COUNT(*), COALESCE(SUM(CASE WHEN institutional <> '' THEN 1 ELSE 0 END), 0),
                       COALESCE(SUM(assigned), 0), COALESCE(SUM(rectified), 0)
                FROM {ASOF} WHERE is_new = 1""",  # noqa: S608
            params,
        )[0]
        by_department = rows(
            f"""SELECT organisation_id, COUNT(*),
                       COALESCE(SUM(CASE WHEN institutional <> '' THEN 1 ELSE 0 END), 0)
                FROM {ASOF} WHERE is_new = 1 GROUP BY organisation_id""",  # noqa: S608
            params,
        )
        names = department_names(r[0] for r in by_department)
        figures = {
            **base(period, ReportKind.MONTHLY_CLUES),
            "totals": {
                "new": n(totals[0]),
                "institutional": n(totals[1]),
                "assigned": n(totals[2]),
                "rectified": n(totals[3]),
            },
            "by_channel": counts_by("channel", params),
            "by_category": counts_by("category", params),
            "by_severity": counts_by("severity", params),
            "by_institutional": [r for r in counts_by("institutional", params) if r[0]],
            "by_department": sorted(
                ([names.get(d, str(d)), n(c), n(i)] for d, c, i in by_department),
                key=most_first,
            ),
            "clues": list(clues(params)),
        }
    figures["headlines"] = in_languages(lambda: headlines(figures))
    return figures


def clues(params: dict[str, Any]) -> Any:
    """The new clues in the order registered: reference, day, title, channel, category,
    severity, institutional, department (at the end), status (at the end)."""
    problems, orgs = Problem._meta.db_table, Organisation._meta.db_table
    for ref, registered_at, title, channel, category, severity, institutional, dept, status in stream(
        f"""SELECT p.reference, p.registered_at, p.title, a.channel, a.category, a.severity,
                   a.institutional, o.name, a.status
            FROM {ASOF} a JOIN {problems} p ON p.id = a.problem_id JOIN {orgs} o ON o.id = a.organisation_id
            WHERE a.is_new = 1
            ORDER BY p.registered_at, p.id""",  # noqa: S608
        params,
    ):
        moment = registered_at
        if isinstance(moment, str):  # SQLite may hand back text from a raw query
            moment = parse_datetime(moment)
        if timezone.is_naive(moment):  # SQLite stores UTC without an offset
            moment = timezone.make_aware(moment, dt.UTC)
        yield [
            ref or "",
            timezone.localtime(moment).date().isoformat(),
            title,
            channel,
            category,
            severity,
            institutional or "",
            dept,
            status,
        ]


def headlines(figures: dict[str, Any]) -> list[str]:
    totals = figures["totals"]
    count = totals["new"]
    problems = ngettext("%(count)d new problem", "%(count)d new problems", count) % {"count": count}
    context = {
        "start": figures["period"]["start"],
        "end": figures["period"]["end"],
        "scope": figures["scope"]["name"],
        "problems": problems,
    }
    if count == 0:
        return [_("From %(start)s to %(end)s, %(scope)s registered no new problems.") % context]
    sentences = [
        _(
            "From %(start)s to %(end)s, %(scope)s registered %(problems)s, %(institutional)d of them "
            "institutional."
        )
        % {**context, "institutional": totals["institutional"]}
    ]
    if totals["rectified"] == count:
        sentences.append(_("All of them were rectified by the end of the period."))
    else:
        sentences.append(
            _("By the end of the period %(assigned)d had been assigned and %(rectified)d rectified.")
            % {"assigned": totals["assigned"], "rectified": totals["rectified"]}
        )
    if figures["by_channel"]:
        from ..models import Channel

        top, top_count = figures["by_channel"][0]
        sentences.append(
            _("Most came through “%(channel)s” (%(count)d).")
            % {"channel": Channel(top).label, "count": top_count}
        )
    return sentences


def institutional_label(code: str) -> str:
    return str(Institutional(code).label) if code in Institutional.values else code
