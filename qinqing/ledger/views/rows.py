"""Problem rows and status badges as HTML, built here rather than by a template include
per row: the department's queue shows fifty rows on every view, and the include per row
cost more than the rest of the page together (docs/benchmarks.md, "Ledger reports and
pages"). This is the one place their markup is written; templates show a badge with
`{% problem_status %}` (templatetags/ledger_tags.py) and a list with `{{ rows_html }}`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from uuid import UUID

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import QUEUE_STATUSES, Problem, ProblemStatus

# The statuses in which the department's clock runs (a due date can be near or past).
CLOCK_STATUSES = frozenset(QUEUE_STATUSES)

BADGE_CLASSES: dict[str, str] = {
    ProblemStatus.CLOSED: "text-bg-success",
    ProblemStatus.VERIFIED: "text-bg-info",
    ProblemStatus.SUBMITTED: "text-bg-primary",
    ProblemStatus.WITHDRAWAL_REQUESTED: "text-bg-primary",
    ProblemStatus.REGISTERED: "text-bg-secondary",
    ProblemStatus.WITHDRAWN: "text-bg-light border",
    ProblemStatus.MERGED: "text-bg-light border",
    ProblemStatus.REFERRED: "text-bg-light border",
}
DEFAULT_BADGE = "text-bg-warning"


def tone_of(status: str, due_date: dt.date | None, today: dt.date, near: dt.date) -> str:
    """ "over" past the due date, "near" within the near days of it, else "" (and nothing
    once the department's clock stopped for good)."""
    if due_date is None or status not in CLOCK_STATUSES:
        return ""
    if due_date < today:
        return "over"
    if due_date <= near:
        return "near"
    return ""


@dataclass(frozen=True, slots=True)
class ProblemRow:
    url: str
    title: str
    reference: str
    status: str
    due_date: dt.date | None
    tone: str = ""
    over_days: int = 0
    department: str = ""
    enterprise: str = ""
    todo: str = ""  # "return_visit" or "check_withdrawal": what the reporter is asked


def problem_row(
    *,
    public_id: UUID,
    title: str,
    reference: str | None,
    status: str,
    due_date: dt.date | None,
    today: dt.date,
    near: dt.date,
    department: str = "",
    enterprise: str = "",
    todo: str = "",
    url: str = "",
) -> ProblemRow:
    tone = tone_of(status, due_date, today, near)
    over = (today - due_date).days if tone == "over" and due_date else 0
    return ProblemRow(
        url=url or problem_url(public_id),
        title=title,
        reference=reference or "",
        status=status,
        due_date=due_date,
        tone=tone,
        over_days=over,
        department=department,
        enterprise=enterprise,
        todo=todo,
    )


def row_of(problem: Problem, *, today: dt.date, near: dt.date, **extra: str) -> ProblemRow:
    """A list row of a problem loaded as a model (its organisation selected with it),
    naming the department; `extra`: enterprise, todo, url."""
    return problem_row(
        public_id=problem.public_id,
        title=problem.title,
        reference=problem.reference,
        status=problem.status,
        due_date=problem.due_date,
        today=today,
        near=near,
        department=problem.organisation.name if problem.organisation else "",
        **extra,
    )


_URL_MARK = UUID(int=0)


def problem_url(public_id: UUID) -> str:
    return reverse("ledger:problem", args=[public_id])


def problem_url_maker() -> Callable[[UUID], str]:
    """The problem page's address for a list's rows, reversed once for all of them."""
    head, _mark, tail = reverse("ledger:problem", args=[_URL_MARK]).partition(str(_URL_MARK))
    return lambda public_id: f"{head}{public_id}{tail}"


def _badge(status: str, tone: str, labels: dict[str, str], tones: dict[str, str]) -> str:
    return (
        f'<span class="badge {BADGE_CLASSES.get(status, DEFAULT_BADGE)}" data-testid="status">'
        f"{escape(labels.get(status, status))}</span>{tones.get(tone, '')}"
    )


def _tones() -> dict[str, str]:
    return {
        "over": f' <span class="badge text-bg-danger" data-testid="tone-over">{escape(_("overdue"))}</span>',
        "near": f' <span class="badge text-bg-warning" data-testid="tone-near">{escape(_("due soon"))}</span>',
    }


def _labels() -> dict[str, str]:
    return {value: str(label) for value, label in ProblemStatus.choices}


def status_badge(status: str, tone: str = "") -> SafeString:
    """A problem's status badge, with "overdue" or "due soon" after it."""
    return mark_safe(_badge(status, tone, _labels(), _tones()))  # noqa: S308 - escaped above


def rows_html(rows: Iterable[ProblemRow]) -> SafeString:
    """The rows of a list-group of problems. Plain strings with every value escaped
    (`html.escape`, quotes included): format_html per row was most of the list's cost."""
    labels, tones = _labels(), _tones()
    due = escape(_("due"))
    todos = {
        "return_visit": '<div class="small text-success fw-semibold" data-testid="todo">'
        + escape(_("Verified: tell us whether it is really fixed, and score it."))
        + "</div>",
        "check_withdrawal": '<div class="small text-primary fw-semibold" data-testid="todo">'
        + escape(_("The department asks to withdraw it: do you agree?"))
        + "</div>",
    }
    item = {"over": " list-group-item-danger", "near": " list-group-item-warning"}
    overs: dict[int, str] = {}  # "3 days over", once per number of days
    parts = []
    for row in rows:
        details = f'<span class="qq-mono">{escape(row.reference)}</span>'
        if row.department:
            details += f" · {escape(row.department)}"
        if row.enterprise:
            details += f" · {escape(row.enterprise)}"
        if row.due_date:
            details += f' · {due} <span class="qq-mono">{row.due_date.isoformat()}</span>'
        if row.over_days:
            over = overs.get(row.over_days)
            if over is None:
                text = ngettext("%(n)s day over", "%(n)s days over", row.over_days) % {"n": row.over_days}
                over = overs[row.over_days] = escape(text)
            details += f' · <span data-testid="over-days">{over}</span>'
        parts.append(
            f'<a class="list-group-item list-group-item-action{item.get(row.tone, "")}" href="{escape(row.url)}"'
            f' data-testid="problem-row" data-tone="{escape(row.tone)}">\n'
            f'  <div class="d-flex justify-content-between gap-2"><span class="fw-semibold text-break">'
            f'{escape(row.title)}</span><span class="text-nowrap">{_badge(row.status, row.tone, labels, tones)}'
            f"</span></div>\n"
            f'  <div class="small text-body-secondary">{details}</div>\n'
            f"  {todos.get(row.todo, '')}\n</a>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
