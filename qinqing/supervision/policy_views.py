"""The supervisor's pages on policy cases: late steps, alarms, one case's timeline,
time to cash. Read-only; officials may open them for their own department."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from qinqing.audit.services import audit_seal_pending
from qinqing.common.errors import NotFound
from qinqing.common.permissions import require_roles
from qinqing.deadlines.models import RungName
from qinqing.policies.dossier import Audience, AuditEntry, AuditTrail, dossier_language, dossier_response

from .policy_cases import (
    LIST_LIMIT,
    READER_ROLES,
    CaseTimeline,
    access_policy_case,
    alert_rows,
    case_timeline,
    cash_chart,
    departments_in_reach,
    policy_cases_find,
    policy_step_alerts,
    policy_steps_late,
    step_rows,
    time_to_cash,
)
from .policy_exports import alerts_workbook, case_timeline_workbook, cash_workbook, overdue_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The longest period one report covers.
MAX_PERIOD_DAYS = 3 * 366

require_reader = require_roles(*READER_ROLES)


def _xlsx(content: bytes, name: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def _choose(form: forms.Form, name: str, choices: list[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class StepFilterForm(forms.Form):
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, departments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "department", [("", _("All departments")), *[(d.pk, d.name) for d in departments]])


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        since = data.get("since") or today.replace(month=1, day=1)
        until = data.get("until") or today
        if since > until:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (until - since).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        data["since"], data["until"] = since, until
        return data


class AlertFilterForm(PeriodForm):
    rung = forms.ChoiceField(label=_("Rung"), required=False)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, departments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "rung", [("", _("All rungs")), *RungName.choices])
        _choose(self, "department", [("", _("All departments")), *[(d.pk, d.name) for d in departments]])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Alerts default to the last 90 days rather than the year.
        if not self.data.get("since"):
            data["since"] = data["until"] - dt.timedelta(days=90)
        return data


def _step_filter(request: HttpRequest) -> tuple[StepFilterForm, dict[str, Any]]:
    form = StepFilterForm(request.GET or None, departments=departments_in_reach(request.user))
    params: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        params = {"department": form.cleaned_data["department"], "overdue_only": form.cleaned_data["overdue"]}
    return form, params


@require_GET
@login_required
@require_reader
def overdue(request: HttpRequest) -> HttpResponse:
    form, params = _step_filter(request)
    steps = policy_steps_late(request.user, **params)
    total = steps.count()
    return render(
        request,
        "supervision/policy_overdue.html",
        {"form": form, "rows": step_rows(steps[:LIST_LIMIT]), "total": total, "limit": LIST_LIMIT},
    )


@require_GET
@login_required
@require_reader
def overdue_export(request: HttpRequest) -> HttpResponse:
    _form, params = _step_filter(request)
    steps = policy_steps_late(request.user, **params)
    return _xlsx(overdue_workbook(step_rows(steps.iterator(chunk_size=2000))), "policy-steps-late")


def _alert_filter(request: HttpRequest) -> tuple[AlertFilterForm, dict[str, Any]]:
    form = AlertFilterForm(request.GET, departments=departments_in_reach(request.user))
    if form.is_valid():
        data = form.cleaned_data
        return form, {
            "since": data["since"],
            "until": data["until"],
            "rung": data["rung"],
            "department": data["department"],
        }
    today = timezone.localdate()
    return form, {"since": today - dt.timedelta(days=90), "until": today}


@require_GET
@login_required
@require_reader
def alerts(request: HttpRequest) -> HttpResponse:
    form, params = _alert_filter(request)
    qs = policy_step_alerts(request.user, **params)
    total = qs.count()
    return render(
        request,
        "supervision/policy_alerts.html",
        {
            "form": form,
            "rows": list(alert_rows(qs[:LIST_LIMIT])),
            "total": total,
            "limit": LIST_LIMIT,
            "since": params["since"],
            "until": params["until"],
        },
    )


@require_GET
@login_required
@require_reader
def alerts_export(request: HttpRequest) -> HttpResponse:
    _form, params = _alert_filter(request)
    qs = policy_step_alerts(request.user, **params)
    return _xlsx(alerts_workbook(alert_rows(qs.iterator(chunk_size=1000))), "policy-step-alerts")


class CaseSearchForm(forms.Form):
    q = forms.CharField(label=_("Case number or enterprise"), max_length=100, required=False)
    department = forms.TypedChoiceField(label=_("Department"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, departments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "department", [("", _("All departments")), *[(d.pk, d.name) for d in departments]])


@require_GET
@login_required
@require_reader
def cases(request: HttpRequest) -> HttpResponse:
    """Any case of the departments in reach, by its number or its enterprise."""
    form = CaseSearchForm(request.GET, departments=departments_in_reach(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    found = policy_cases_find(request.user, text=data.get("q") or "", department=data.get("department"))
    total = found.count()
    return render(
        request,
        "supervision/policy_cases.html",
        {"form": form, "cases": found[:LIST_LIMIT], "total": total, "limit": LIST_LIMIT},
    )


def _case(request: HttpRequest, public_id: Any) -> Any:
    try:
        return access_policy_case(request.user, public_id)
    except NotFound as exc:
        raise Http404 from exc


@require_GET
@login_required
@require_reader
def case_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    # The hash must be in place before a supervisor relies on an event.
    audit_seal_pending(wait=False)
    timeline = case_timeline(request.user, case)
    return render(request, "supervision/policy_case.html", {"case": case, "timeline": timeline})


@require_GET
@login_required
@require_reader
def case_export(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    audit_seal_pending(wait=False)
    timeline = case_timeline(request.user, case, verify=False)
    return _xlsx(case_timeline_workbook(timeline), f"case-{case.reference or case.public_id}")


def dossier_audit(timeline: CaseTimeline) -> AuditTrail:
    """The case page's audit events and chain check, for the supervisors' dossier."""
    seg = timeline.segment
    check: str
    intact: bool | None = None
    if seg is None:
        check = gettext("No sealed event yet: nothing to check.")
    elif not seg.checked:
        check = gettext(
            "This case's events lie between #%(first)s and #%(last)s, too long a stretch to check here; "
            "run a check of the whole trail on the audit page."
        ) % {"first": seg.first_seq, "last": seg.last_seq}
    elif seg.intact:
        check = gettext(
            "When this dossier was generated, the chain from #%(first)s to #%(last)s was intact "
            "(%(n)s events recomputed and linked)."
        ) % {"first": seg.first_seq, "last": seg.last_seq, "n": seg.events_checked}
        intact = True
    else:
        broken = gettext(
            "When this dossier was generated, the chain from #%(first)s to #%(last)s was broken."
        ) % {"first": seg.first_seq, "last": seg.last_seq}
        check = f"{broken} {seg.first_break}".strip()
        intact = False
    return AuditTrail(
        entries=[
            AuditEntry(
                seq=item.event.seq,
                at=item.entry.local_time,
                subject=str(item.subject),
                action=item.event.action,
                # As the case page reads them: the actor by name ("System" for none), with
                # their own organisation (an enterprise user's enterprise), not the event's.
                actor=item.readable.actor,
                organisation=item.readable.actor_organisation,
                hash=item.event.hash or "",
            )
            for item in timeline.events
        ],
        pending=timeline.pending,
        check=check,
        intact=intact,
    )


def case_dossier_response(user: Any, case: Any) -> HttpResponse:
    """The supervisors' dossier of `case` (already read through `access_policy_case`), in
    the request's language: the events sealed first, as the case page has them."""
    audit_seal_pending(wait=False)
    with translation.override(dossier_language(translation.get_language())):
        audit = dossier_audit(case_timeline(user, case))
    return dossier_response(case, Audience.COMMISSION, audit=audit)


@never_cache
@require_GET
@login_required
@require_reader
def case_dossier(request: HttpRequest, public_id: Any) -> HttpResponse:
    return case_dossier_response(request.user, _case(request, public_id))


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date]:
    form = PeriodForm(request.GET)
    if form.is_valid():
        return form, form.cleaned_data["since"], form.cleaned_data["until"]
    today = timezone.localdate()
    return form, today.replace(month=1, day=1), today


@require_GET
@login_required
@require_reader
def time_to_cash_page(request: HttpRequest) -> HttpResponse:
    form, since, until = _period(request)
    report = time_to_cash(request.user, since=since, until=until)
    return render(
        request,
        "supervision/policy_cash.html",
        {"form": form, "report": report, "chart": cash_chart(report)},
    )


@require_GET
@login_required
@require_reader
def time_to_cash_export(request: HttpRequest) -> HttpResponse:
    _form, since, until = _period(request)
    return _xlsx(cash_workbook(time_to_cash(request.user, since=since, until=until)), "time-to-cash")
