"""The supervisor's red flags (风险提示): counts per kind, one kind's flags a page at a
time, and the Excel export. Supervisors only (flags name officials); read-only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from qinqing.common.permissions import require_supervisor
from qinqing.workdays.models import FIRST_YEAR, LAST_YEAR

from .policy_cases import departments_in_reach
from .policy_exports import redflags_workbook
from .policy_views import MAX_PERIOD_DAYS, _choose, _xlsx
from .redflags import FlagKind, Reach, flag_counts, flag_list, flag_settings

PAGE_SIZE = 50
# Flags look back a year unless asked otherwise.
DEFAULT_DAYS = 365


def kind_descriptions() -> dict[str, Promise | str]:
    """What each kind looks for, in the reader's language (with the settings in force)."""
    tuning = flag_settings()
    return {
        FlagKind.AFTER_HOURS: _(
            "Steps approved or rejected on a rest day or public holiday of the working-day calendar, or "
            "outside office hours (%(hours)s, Beijing time)."
        )
        % {"hours": tuning.office_hours},
        FlagKind.SHARED_BANK_ACCOUNT: _(
            "One bank account held in the registry by, or paid to for the cases of, several enterprises "
            "with cases in the period."
        ),
        FlagKind.JUST_UNDER_THRESHOLD: _(
            "The award by the rule within %(margin)s under the policy's cap per enterprise or the award "
            "formula's cap, or a figure of the application within %(margin)s under the most an eligibility "
            "condition allows. Several for one enterprise or one official weigh more."
        )
        % {"margin": f"{tuning.threshold_margin * 100:.0f}%"},
        FlagKind.RELATED_APPROVER: _(
            "An official decided a step of a case of an enterprise to which they declared a relation: "
            "in force at the time, declared afterwards, or ended before."
        ),
        FlagKind.SAME_OFFICIAL_SAME_FIRM: _(
            "One official decided a step of at least %(cases)s of one enterprise's cases, of at least "
            "%(share)s of those decided in the period, and of %(lift)s times their share of all the cases "
            "of their department (what the department's routine explains is left out)."
        )
        % {
            "cases": tuning.same_official_min_cases,
            "share": f"{tuning.same_official_min_share * 100:.0f}%",
            "lift": f"{tuning.same_official_min_lift:g}",
        },
        FlagKind.UNUSUAL_DURATION: _(
            "Cases approved among the fastest or slowest %(share)s of their policy's cases approved in the "
            "period, from submission to the last approval; only policies with at least %(cases)s such cases."
        )
        % {"share": f"{tuning.duration_share * 100:.0f}%", "cases": tuning.duration_min_cases},
    }


class RedFlagFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", ""), *FlagKind.choices])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, departments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "department", [("", _("All departments")), *[(d.pk, d.name) for d in departments]])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["since"], data["until"] = period(data.get("since"), data.get("until"))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


def period(since: dt.date | None, until: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period asked, with its defaults (the last year); ValueError with the message
    to show when it cannot be read."""
    until = until or timezone.localdate()
    since = since or until - dt.timedelta(days=DEFAULT_DAYS)
    if not (FIRST_YEAR <= since.year <= LAST_YEAR and FIRST_YEAR <= until.year <= LAST_YEAR):
        raise ValueError(
            _("Choose dates between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    if since > until:
        raise ValueError(_("The period ends before it starts."))
    if (until - since).days > MAX_PERIOD_DAYS:
        raise ValueError(_("Choose a period of at most three years."))
    return since, until


@dataclass(frozen=True)
class Asked:
    form: RedFlagFilterForm
    reach: Reach
    kind: str

    def query(self, **changes: Any) -> str:
        """The filters as a query string (for links), with `changes`."""
        values = {
            "kind": self.kind,
            "since": self.reach.since.isoformat(),
            "until": self.reach.until.isoformat(),
            "department": self.reach.department or "",
            **changes,
        }
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


def _asked(request: HttpRequest) -> Asked:
    """The filters from the query string; anything unreadable falls back to the
    defaults, and the form says what it could not read."""
    form = RedFlagFilterForm(request.GET, departments=departments_in_reach(request.user))
    since, until = period(None, None)
    kind, department = "", None
    if form.is_valid():
        data = form.cleaned_data
        since, until, kind, department = data["since"], data["until"], data["kind"], data["department"]
    reach = Reach(user=request.user, since=since, until=until, department=department)
    return Asked(form=form, reach=reach, kind=kind)


@require_GET
@login_required
@require_supervisor
def redflags(request: HttpRequest) -> HttpResponse:
    asked = _asked(request)
    counts = flag_counts(asked.reach)
    # Without a kind asked: the first that has flags.
    kind = asked.kind or next((k for k, n in counts.items() if n), FlagKind.AFTER_HOURS)
    flags = flag_list(asked.reach, kind, count=counts[kind])
    page = Paginator(flags, PAGE_SIZE).get_page(request.GET.get("page"))
    asked = Asked(form=asked.form, reach=asked.reach, kind=kind)
    return render(
        request,
        "supervision/redflags.html",
        {
            "form": asked.form,
            "reach": asked.reach,
            "kind": kind,
            "kind_label": FlagKind(kind).label,
            "description": kind_descriptions()[kind],
            "kinds": [
                {"kind": k, "label": label, "count": counts[k], "query": asked.query(kind=k)}
                for k, label in FlagKind.choices
            ],
            "total": counts[kind],
            "page": page,
            "query": asked.query(),
            "query_all": asked.query(kind=""),
        },
    )


@require_GET
@login_required
@require_supervisor
def redflags_export(request: HttpRequest) -> HttpResponse:
    """Every flag of the kind asked, or of every kind (a sheet each), with the counts."""
    asked = _asked(request)
    counts = flag_counts(asked.reach)
    kinds = [asked.kind] if asked.kind else list(FlagKind.values)
    content = redflags_workbook(
        reach=asked.reach,
        counts=counts,
        lists=[(kind, flag_list(asked.reach, kind, count=counts[kind])) for kind in kinds],
    )
    return _xlsx(content, "red-flags")
