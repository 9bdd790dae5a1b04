"""The circular (点评通报): departments ranked by closure rate, timeliness and
satisfaction, in a way a department cannot game.

- **Which problems count.** Those registered in the period, at the department
  responsible at its end, except duplicates merged into another problem, problems
  referred elsewhere (not this department's to fix) and problems the reporter withdrew.
  A withdrawal the *department* asked for still counts, as not closed: asking reporters
  to withdraw does not raise a score.
- **Three rates.** Closure: closed (销号, confirmed by the reporter's return visit) of all
  counted. Timeliness: rectified on time of those that fell due (rectified, or still
  open past the due date); an open problem not yet due is not held against anyone.
  Satisfaction: the mean return-visit score, mapped from 1–5 onto 0–1.
- **No ranking on a handful.** A department with fewer counted problems than the
  minimum volume is listed as not ranked.
- **Shrinkage.** Each rate is pulled toward the scope's mean by a prior weight m:
  (n·rate + m·mean) / (n + m), so two problems closed of two do not beat 95 of 100.
- **Weighted score** = 100 × (w₁·closure + w₂·timeliness + w₃·satisfaction).

The parameters (settings LEDGER_CIRCULAR_MIN_VOLUME, LEDGER_CIRCULAR_PRIOR_WEIGHT,
LEDGER_CIRCULAR_WEIGHTS) are stored with the figures and printed in the report.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ..models import ProblemStatus, ReportKind
from .figures import ASOF, WITHDRAWN, Period, as_of, base, department_names, in_languages, most_first, n, rows

DEFAULT_MIN_VOLUME = 5
DEFAULT_PRIOR_WEIGHT = 10
DEFAULT_WEIGHTS = {"closure": 0.4, "timeliness": 0.3, "satisfaction": 0.3}


def parameters() -> dict[str, Any]:
    weights = dict(getattr(settings, "LEDGER_CIRCULAR_WEIGHTS", DEFAULT_WEIGHTS))
    return {
        "min_volume": int(getattr(settings, "LEDGER_CIRCULAR_MIN_VOLUME", DEFAULT_MIN_VOLUME)),
        "prior_weight": int(getattr(settings, "LEDGER_CIRCULAR_PRIOR_WEIGHT", DEFAULT_PRIOR_WEIGHT)),
        "weights": {k: float(weights[k]) for k in ("closure", "timeliness", "satisfaction")},
    }


def compute(period: Period) -> dict[str, Any]:
    with as_of(period, new_only=True) as params:
        found = rows(
            f"""SELECT organisation_id,
                       COUNT(*),
                       SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END),
                       SUM(CASE WHEN rectified = 1 OR overdue = 1 THEN 1 ELSE 0 END),
                       SUM(on_time),
                       SUM(visit_count),
                       SUM(visit_sum)
                FROM {ASOF}
                WHERE is_new = 1
                  AND status NOT IN (%(merged)s, %(referred)s)
                  AND NOT (status = %(withdrawn)s AND withdrawal_flagged = %(false)s)
                GROUP BY organisation_id""",  # noqa: S608
            {
                **params,
                "merged": ProblemStatus.MERGED.value,
                "referred": ProblemStatus.REFERRED.value,
                "withdrawn": WITHDRAWN,
                "false": False,
            },
        )
    figures = {**base(period, ReportKind.CIRCULAR), **rank(found)}
    figures["headlines"] = in_languages(lambda: headlines(figures))
    return figures


def _shrunk(successes: float, trials: float, mean: float, m: int) -> float:
    return (successes + m * mean) / (trials + m)


def rank(found: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Rank from per-department counts: (department id, counted, closed, fell due, on
    time, return visits, sum of their scores)."""
    p = parameters()
    m, w = p["prior_weight"], p["weights"]
    names = department_names(r[0] for r in found)
    departments: list[dict[str, Any]] = [
        {
            "name": names.get(d, str(d)),
            "counted": n(c),
            "closed": n(cl),
            "due": n(due),
            "on_time": n(ot),
            "visits": n(v),
            # A score of 1..5 as 0..1: each visit contributes (score - 1) / 4.
            "satisfied": (n(s) - n(v)) / 4,
        }
        for d, c, cl, due, ot, v, s in found
    ]
    # The scope's means, pooled over every department (ranked or not).
    pooled = {
        "closure": _pool(departments, "closed", "counted"),
        "timeliness": _pool(departments, "on_time", "due"),
        "satisfaction": _pool(departments, "satisfied", "visits"),
    }
    ranked, not_ranked = [], []
    for dep in departments:
        if dep["counted"] < p["min_volume"]:
            not_ranked.append([dep["name"], dep["counted"]])
            continue
        closure = _shrunk(dep["closed"], dep["counted"], pooled["closure"], m)
        timeliness = _shrunk(dep["on_time"], dep["due"], pooled["timeliness"], m)
        satisfaction = _shrunk(dep["satisfied"], dep["visits"], pooled["satisfaction"], m)
        score = 100 * (
            w["closure"] * closure + w["timeliness"] * timeliness + w["satisfaction"] * satisfaction
        )
        ranked.append(
            [
                dep["name"],
                dep["counted"],
                dep["closed"],
                _raw(dep["closed"], dep["counted"]),
                round(closure, 4),
                dep["due"],
                dep["on_time"],
                _raw(dep["on_time"], dep["due"]),
                round(timeliness, 4),
                dep["visits"],
                round(1 + 4 * dep["satisfied"] / dep["visits"], 2) if dep["visits"] else None,
                round(satisfaction, 4),
                round(score, 2),
            ]
        )
    ranked.sort(key=lambda r: (-r[-1], r[0]))
    # Equal scores share a rank (1, 2, 2, 4).
    out, previous, position = [], None, 0
    for i, row in enumerate(ranked, start=1):
        if row[-1] != previous:
            position, previous = i, row[-1]
        out.append([position, *row])
    return {
        "parameters": p,
        "means": {k: round(v, 4) for k, v in pooled.items()},
        "ranked": out,
        "not_ranked": sorted(not_ranked, key=most_first),
    }


def _pool(departments: list[dict[str, Any]], part: str, whole: str) -> float:
    total = sum(d[whole] for d in departments)
    return sum(d[part] for d in departments) / total if total else 0.0


def _raw(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def formula_lines(figures: dict[str, Any]) -> list[str]:
    """The formula and its parameters, as printed in the report."""
    p, means = figures["parameters"], figures["means"]
    w = p["weights"]
    return [
        _(
            "Counted: problems registered in the period, at the department responsible at its end; "
            "duplicates merged, referrals and problems the reporter withdrew are left out; a withdrawal "
            "the department asked for counts as not closed."
        ),
        _(
            "Closure rate = closed ÷ counted. Timeliness = rectified on time ÷ (rectified + open past "
            "the due date). Satisfaction = (mean return-visit score − 1) ÷ 4."
        ),
        _(
            "Departments with fewer than %(min)d counted problems are not ranked. Each rate is shrunk "
            "toward the scope's mean: (n × rate + m × mean) ÷ (n + m), with m = %(m)d."
        )
        % {"min": p["min_volume"], "m": p["prior_weight"]},
        _(
            "Score = 100 × (%(w1)s × closure + %(w2)s × timeliness + %(w3)s × satisfaction). Scope means: "
            "closure %(c)s, timeliness %(t)s, satisfaction %(s)s."
        )
        % {
            "w1": f"{w['closure']:g}",
            "w2": f"{w['timeliness']:g}",
            "w3": f"{w['satisfaction']:g}",
            "c": f"{means['closure']:.4f}",
            "t": f"{means['timeliness']:.4f}",
            "s": f"{means['satisfaction']:.4f}",
        },
    ]


def headlines(figures: dict[str, Any]) -> list[str]:
    ranked, not_ranked = figures["ranked"], figures["not_ranked"]
    minimum = figures["parameters"]["min_volume"]
    if not ranked:
        return [
            _("No department had %(min)d or more counted problems in the period; none is ranked.")
            % {"min": minimum}
        ]
    sentences = [
        _("%(ranked)d departments are ranked; %(unranked)d with fewer than %(min)d counted problems are not.")
        % {"ranked": len(ranked), "unranked": len(not_ranked), "min": minimum}
    ]
    top, bottom = ranked[0], ranked[-1]
    sentences.append(
        _("First: %(top)s (%(top_score)s points); last: %(bottom)s (%(bottom_score)s points).")
        % {
            "top": top[1],
            "top_score": f"{top[-1]:.2f}",
            "bottom": bottom[1],
            "bottom_score": f"{bottom[-1]:.2f}",
        }
    )
    return sentences


RANKED_COLUMNS = (
    "rank",
    "department",
    "counted",
    "closed",
    "closure_rate",
    "closure_adjusted",
    "due",
    "on_time",
    "timeliness",
    "timeliness_adjusted",
    "visits",
    "mean_score",
    "satisfaction_adjusted",
    "score",
)
