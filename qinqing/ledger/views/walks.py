"""Heads walking their own processes (局长走流程): the walk-throughs a reader sees, with
their steps, minutes and the problems found, and the head's form recording one
walk-through with its steps and several problems at once."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from qinqing.accounts.models import Organisation, OrganisationKind, Role
from qinqing.accounts.scoping import scope_for, subtree_q
from qinqing.common.errors import ApplicationError
from qinqing.common.xlsx import xlsx_response

from .. import selectors, services
from ..filters import ProblemFilters, clean_uuid
from ..forms_office import FoundProblemFormSet, StepFormSet, WalkForm, filled_rows
from ..models import Campaign, CampaignStatus, Channel, WalkThrough
from ..services.intake import KEY_REUSED
from .office import (
    PAGE_SIZE,
    apply_errors,
    raise_refusal,
    render_office,
    require_office,
    require_roles,
)

require_department = require_roles(Role.DEPARTMENT_HEAD, Role.OFFICER)


def visible_walks(user: Any, params: Any) -> tuple[QuerySet[WalkThrough], str]:
    campaign = clean_uuid(str(params.get("campaign", "")))
    qs = selectors.walkthroughs_for(user).annotate(problem_count=Count("problems"))
    if campaign:
        qs = qs.filter(campaign__public_id=campaign)
    return qs, campaign


def own_departments(user: Any) -> list[Organisation]:
    paths = scope_for(user).paths_for(Role.DEPARTMENT_HEAD, Role.OFFICER)
    if not paths:
        return []
    return list(
        Organisation.objects.filter(subtree_q("path", paths), kind=OrganisationKind.DEPARTMENT).order_by(
            "path"
        )
    )


@require_GET
@login_required
@require_office
def walks(request: HttpRequest) -> HttpResponse:
    qs, campaign = visible_walks(request.user, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "walk": w,
            "problems_url": ProblemFilters(walk=str(w.public_id)).list_url(),
        }
        for w in page.object_list
    ]
    query = f"campaign={campaign}" if campaign else ""
    export = reverse("ledger:walks_export")
    return render_office(
        request,
        "ledger/office/walks.html",
        {
            "rows": rows,
            "page": page,
            "query": query,
            "export_url": f"{export}?{query}" if query else export,
            "may_record": bool(own_departments(request.user)),
        },
    )


def _walk_campaigns() -> list[tuple[str, str]]:
    return [
        (str(pk), title)
        for pk, title in Campaign.objects.filter(channel=Channel.WALK, status=CampaignStatus.ACTIVE)
        .order_by("-starts_on", "id")
        .values_list("public_id", "title")
    ]


def _page(request: HttpRequest, form: WalkForm, steps: Any, found: Any, status: int = 200) -> HttpResponse:
    return render_office(
        request,
        "ledger/office/walk_form.html",
        {"form": form, "steps": steps, "found": found},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@require_department
def walk_new(request: HttpRequest) -> HttpResponse:
    departments = own_departments(request.user)
    if not departments:
        raise DjangoPermissionDenied
    data = request.POST or None
    form = WalkForm(data, departments=departments, campaigns=_walk_campaigns())
    steps = StepFormSet(data, prefix="steps")
    found = FoundProblemFormSet(data, prefix="problems")
    if request.method == "GET":
        return _page(request, form, steps, found)
    valid = [form.is_valid(), steps.is_valid(), found.is_valid()]
    if not all(valid):
        return _page(request, form, steps, found, status=400)
    filled_steps = filled_rows(steps)
    if not filled_steps:
        form.add_error(None, _("List the steps walked, with the minutes each took."))
        return _page(request, form, steps, found, status=400)
    problems = filled_rows(found)
    cleaned = form.cleaned_data
    campaign = (
        Campaign.objects.filter(public_id=cleaned["campaign"]).first() if cleaned.get("campaign") else None
    )
    try:
        walk = services.walkthrough_record(
            actor=request.user,
            department=form.chosen_department(),
            process_name=cleaned["process_name"],
            walked_on=cleaned["walked_on"],
            steps=[
                {"name": f.cleaned_data["name"], "minutes": f.cleaned_data["minutes"]}
                for _i, f in filled_steps
            ],
            notes=cleaned.get("notes", ""),
            campaign=campaign,
            problems=[f.as_service() for _i, f in problems],  # type: ignore[attr-defined]
            idempotency_key=cleaned.get("form_key", ""),
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc, problems, "problems")
        if exc.code == KEY_REUSED:
            form.renew_form_key()
        return _page(request, form, steps, found, status=exc.http_status)
    count = len(problems)
    messages.success(
        request,
        ngettext(
            "Walk-through of “%(process)s” recorded with %(count)d problem found.",
            "Walk-through of “%(process)s” recorded with %(count)d problems found.",
            count,
        )
        % {"process": walk.process_name, "count": count},
    )
    return HttpResponseRedirect(reverse("ledger:walks"))


@require_GET
@login_required
@require_office
def walks_export(request: HttpRequest) -> HttpResponseBase:
    from .. import export

    qs, _campaign = visible_walks(request.user, request.GET)
    workbook = export.walks_workbook(
        qs.select_related("department", "campaign").iterator(chunk_size=export.CHUNK)
    )
    return xlsx_response(workbook, f"walk-throughs-{timezone.localdate().isoformat()}.xlsx")
