"""The quarterly progress report (工作进展季报): per department and channel, what was
registered in the period and where it stood at the end (assigned, rectified, closed, on
time), what happened in the period (send-backs, reopenings, withdrawals the departments
asked for and how the reporters answered, return-visit scores), the problems overdue at
the end, the rules established and the heads' walk-throughs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import ReportKind
from .figures import (
    ASOF,
    WITHDRAWAL_REQUESTED,
    WITHDRAWN,
    Period,
    as_of,
    base,
    department_names,
    in_languages,
    most_first,
    n,
    percent,
    rate,
    rows,
    rules,
    walkthroughs,
)

# The counted columns, in the order of the tables.
COLUMNS = (
    "registered",
    "assigned",
    "rectified",
    "closed",
    "on_time",
    "overdue",
    "send_backs",
    "reopened",
    "withdrawals_asked",
    "withdrawals_agreed",
    "withdrawals_refused",
    "withdrawals_pending",
    "visits",
    "visit_score_sum",
)


def compute(period: Period) -> dict[str, Any]:
    with as_of(period) as params:
        found = rows(
            f"""SELECT organisation_id, channel,
                       SUM(is_new),
                       SUM(is_new * assigned),
                       SUM(is_new * rectified),
                       SUM(CASE WHEN is_new = 1 AND status = 'closed' THEN 1 ELSE 0 END),
                       SUM(is_new * on_time),
                       SUM(overdue),
                       SUM(send_backs),
                       SUM(reopens),
                       SUM(withdrawal_asked),
                       SUM(CASE WHEN withdrawal_asked = 1 AND status = %(withdrawn)s THEN 1 ELSE 0 END),
                       SUM(CASE WHEN withdrawal_asked = 1 AND status NOT IN (%(withdrawn)s, %(asked)s)
                           THEN 1 ELSE 0 END),
                       SUM(CASE WHEN withdrawal_asked = 1 AND status = %(asked)s THEN 1 ELSE 0 END),
                       SUM(visit_count),
                       SUM(visit_sum)
                FROM {ASOF}
                GROUP BY organisation_id, channel""",  # noqa: S608
            {**params, "withdrawn": WITHDRAWN, "asked": WITHDRAWAL_REQUESTED},
        )
        walks = walkthroughs(period, params)
        # New problems per channel, and how many of them are institutional (体制性/机制性).
        channel_counts = {
            str(channel): [n(new), n(institutional)]
            for channel, new, institutional in rows(
                f"""SELECT channel, SUM(is_new),
                           SUM(CASE WHEN is_new = 1 AND institutional <> '' THEN 1 ELSE 0 END)
                    FROM {ASOF} GROUP BY channel""",  # noqa: S608
                params,
            )
        }
    cells = [(d, ch, [n(v) for v in values]) for d, ch, *values in found]
    cells = [c for c in cells if any(c[2])]
    names = department_names(d for d, _ch, _v in cells)
    by_department: dict[str, list[int]] = {}
    by_channel: dict[str, list[int]] = {}
    detail = []
    for d, channel, values in cells:
        name = names.get(d, str(d))
        _add(by_department, name, values)
        _add(by_channel, channel, values)
        detail.append([name, channel, *values])
    figures = {
        **base(period, ReportKind.QUARTERLY_PROGRESS),
        "columns": list(COLUMNS),
        "totals": _totals([v for _d, _c, v in cells]),
        "by_department": _sorted_rows(by_department),
        "by_channel": _sorted_rows(by_channel),
        "detail": sorted(detail, key=lambda r: (r[0], r[1])),
        "rules": rules(period),
        "walkthroughs": walks,
        "channels": dict(sorted(channel_counts.items())),
    }
    figures["headlines"] = in_languages(lambda: headlines(figures))
    return figures


def _add(into: dict[str, list[int]], key: str, values: list[int]) -> None:
    row = into.setdefault(key, [0] * len(values))
    for i, v in enumerate(values):
        row[i] += v


def _sorted_rows(grouped: dict[str, list[int]]) -> list[list[Any]]:
    return sorted(([k, *v] for k, v in grouped.items()), key=most_first)


def _totals(values: list[list[int]]) -> dict[str, Any]:
    summed = [sum(col) for col in zip(*values, strict=True)] if values else [0] * len(COLUMNS)
    totals = dict(zip(COLUMNS, summed, strict=True))
    totals["on_time_rate"] = rate(totals["on_time"], totals["rectified"])
    totals["rectified_rate"] = rate(totals["rectified"], totals["registered"])
    totals["mean_satisfaction"] = (
        round(totals["visit_score_sum"] / totals["visits"], 2) if totals["visits"] else None
    )
    return totals


def derived(row: list[Any]) -> dict[str, Any]:
    """The rates of a table row (key, then the COLUMNS)."""
    values = dict(zip(COLUMNS, row[-len(COLUMNS) :], strict=True))
    return {
        "on_time_rate": rate(values["on_time"], values["rectified"]),
        "mean_satisfaction": round(values["visit_score_sum"] / values["visits"], 2)
        if values["visits"]
        else None,
    }


def headlines(figures: dict[str, Any]) -> list[str]:
    t = figures["totals"]
    scope = figures["scope"]["name"]
    sentences = []
    registered = ngettext("%(count)d problem", "%(count)d problems", t["registered"]) % {
        "count": t["registered"]
    }
    if t["registered"] == 0:
        sentences.append(_("%(scope)s registered no new problems in the period.") % {"scope": scope})
    elif t["rectified"] == t["registered"]:
        sentences.append(
            _("%(scope)s registered %(problems)s in the period, all rectified, %(rate)s of them on time.")
            % {"scope": scope, "problems": registered, "rate": percent(t["on_time_rate"])}
        )
    else:
        sentences.append(
            _(
                "%(scope)s registered %(problems)s in the period; %(rectified)d were rectified by its end, "
                "%(rate)s of those on time."
            )
            % {
                "scope": scope,
                "problems": registered,
                "rectified": t["rectified"],
                "rate": percent(t["on_time_rate"]),
            }
        )
    walks = figures["walkthroughs"]
    levels = walks.get("levels") or []
    if len(levels) > 1:
        # The commission reports its own level and the counties' separately.
        for level in levels:
            where = (
                scope
                if level["level"] == "own"
                else _("the districts and counties of %(scope)s") % {"scope": scope}
            )
            sentences.append(_walk_sentence(where, level))
    elif walks["processes"]:
        sentences.append(_walk_sentence(scope, walks))
    for channel, label in (("inspection", _("Inspections")), ("topic", _("Topic campaigns"))):
        new, institutional = figures.get("channels", {}).get(channel, [0, 0])
        established = figures["rules"].get("by_channel", {}).get(channel, 0)
        if new or established:
            sentences.append(
                _(
                    "%(channel)s found %(problems)s, %(institutional)d of them institutional, and led to %(rules)s."
                )
                % {
                    "channel": label,
                    "problems": ngettext("%(count)d problem", "%(count)d problems", new) % {"count": new},
                    "institutional": institutional,
                    "rules": ngettext(
                        "%(count)d rule established", "%(count)d rules established", established
                    )
                    % {"count": established},
                }
            )
    r = figures["rules"]
    if r["rules"]:
        sentences.append(
            _("%(rules)s were established, answering %(problems)s (%(institutional)d institutional).")
            % {
                "rules": ngettext("%(count)d rule", "%(count)d rules", r["rules"]) % {"count": r["rules"]},
                "problems": ngettext("%(count)d problem", "%(count)d problems", r["problems"])
                % {"count": r["problems"]},
                "institutional": r["institutional"],
            }
        )
    sentences.append(
        _(
            "At the end of the period %(overdue)d problems were overdue; in the period %(send_backs)d "
            "rectifications were sent back, %(reopened)d problems reopened, and departments asked to "
            "withdraw %(asked)d (the reporters agreed to %(agreed)d)."
        )
        % {
            "overdue": t["overdue"],
            "send_backs": t["send_backs"],
            "reopened": t["reopened"],
            "asked": t["withdrawals_asked"],
            "agreed": t["withdrawals_agreed"],
        }
    )
    return sentences


def _walk_sentence(where: str, walks: dict[str, Any]) -> str:
    context = {
        "scope": where,
        "departments": ngettext("%(count)d department", "%(count)d departments", walks["departments"])
        % {"count": walks["departments"]},
        "processes": ngettext("%(count)d process", "%(count)d processes", walks["processes"])
        % {"count": walks["processes"]},
        "problems": ngettext("%(count)d problem", "%(count)d problems", walks["problems"])
        % {"count": walks["problems"]},
        "rectified": walks["rectified"],
    }
    if walks["problems"] == 0:
        return _("In %(scope)s, %(departments)s walked %(processes)s and found no problems.") % context
    if walks["rectified"] == walks["problems"]:
        return (
            _("In %(scope)s, %(departments)s walked %(processes)s and found %(problems)s, all rectified.")
            % context
        )
    return (
        _(
            "In %(scope)s, %(departments)s walked %(processes)s and found %(problems)s, "
            "%(rectified)d of them rectified."
        )
        % context
    )
