"""Rules established (建章立制): the rules, documents and mechanisms problems produced,
each with its linked problems, counted per campaign and per issuing department; and the
form recording one, linking problems by their reference."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qinqing.accounts.models import Organisation, OrganisationKind, Role
from qinqing.accounts.scoping import scope_for, subtree_q
from qinqing.common.errors import ApplicationError, PermissionDenied
from qinqing.common.xlsx import xlsx_response

from .. import selectors, services
from ..filters import clean_uuid
from ..forms_office import OutcomeForm
from ..models import RuleOutcome
from .office import (
    PAGE_SIZE,
    apply_errors,
    problem_url,
    raise_refusal,
    render_office,
    require_office,
)


def visible_outcomes(user: Any, params: Any) -> tuple[QuerySet[RuleOutcome], str]:
    campaign = clean_uuid(str(params.get("campaign", "")))
    qs = selectors.outcomes_for(user).order_by("-issued_on", "-id")
    if campaign:
        qs = qs.filter(campaign__public_id=campaign)
    return qs, campaign


@require_GET
@login_required
@require_office
def outcomes(request: HttpRequest) -> HttpResponse:
    qs, campaign = visible_outcomes(request.user, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "outcome": o,
            "problems": [{"problem": p, "url": problem_url(p.public_id)} for p in o.problems.all()],
        }
        for o in page.object_list
    ]
    query = f"campaign={campaign}" if campaign else ""
    export = reverse("ledger:outcomes_export")
    return render_office(
        request,
        "ledger/office/outcomes.html",
        {
            "rows": rows,
            "page": page,
            "query": query,
            "counts": selectors.outcome_counts(qs),
            "export_url": f"{export}?{query}" if query else export,
        },
    )


def issuing_organisations(user: Any) -> list[Organisation]:
    """Who may be named as issuing a rule: the user's own departments, and the
    departments and commissions inside a supervisor's reach."""
    scope = scope_for(user)
    own = scope.paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
    reach = scope.paths_for(Role.SUPERVISOR)
    if not own and not reach:
        return []
    return list(
        Organisation.objects.filter(
            subtree_q("path", own)
            | (
                subtree_q("path", reach)
                & Q(
                    kind__in=[
                        OrganisationKind.DEPARTMENT,
                        OrganisationKind.COMMISSION,
                        OrganisationKind.DISTRICT,
                        OrganisationKind.CITY,
                    ]
                )
            )
        ).order_by("path")
    )


def _page(request: HttpRequest, form: OutcomeForm, status: int = 200) -> HttpResponse:
    page = {
        "form": form,
        "heading": _("Record a rule established"),
        "lead": _("A rule, normative document or working mechanism that problems produced (建章立制)."),
        "submit": _("Record"),
        "cancel_url": reverse("ledger:outcomes"),
    }
    return render_office(request, "ledger/office/form_page.html", page, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@require_office
def outcome_new(request: HttpRequest) -> HttpResponse:
    organisations = issuing_organisations(request.user)
    if not organisations:
        raise DjangoPermissionDenied
    campaigns = [
        (str(pk), title)
        for pk, title in selectors.campaigns_for(request.user)
        .order_by("-starts_on", "id")
        .values_list("public_id", "title")[:200]
    ]
    initial = {}
    if request.method == "GET" and clean_uuid(request.GET.get("campaign", "")):
        initial["campaign"] = clean_uuid(request.GET.get("campaign", ""))
    form = OutcomeForm(
        request.POST or None, organisations=organisations, campaigns=campaigns, initial=initial
    )
    if request.method == "GET":
        return _page(request, form)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    references: list[str] = data["references"]
    found = list(
        selectors.problems_for(request.user)
        .filter(reference__in=references)
        .select_related("organisation", "intake", "supervising_group")
    )
    missing = sorted(set(references) - {p.reference for p in found})
    if missing:
        form.add_error(
            "references",
            _("No problem you can see has the reference: %(refs)s") % {"refs": "、".join(missing[:10])},
        )
        return _page(request, form, status=400)
    campaign = None
    if data.get("campaign"):
        campaign = selectors.campaigns_for(request.user).filter(public_id=data["campaign"]).first()
    try:
        created = services.rule_outcome_record(
            actor=request.user,
            title=data["title"],
            organisation=form.chosen_organisation(),
            issued_on=data["issued_on"],
            problems=found,
            kind=data["kind"],
            document_number=data.get("document_number", ""),
            summary=data.get("summary", ""),
            url=data.get("url", ""),
            campaign=campaign,
        )
    except PermissionDenied as exc:
        # A linked problem outside the user's reach: their input, said on the form.
        form.add_error("references", str(exc.message))
        return _page(request, form, status=403)
    except ApplicationError as exc:
        raise_refusal(exc)
        exc.fields = {("references" if k == "problems" else k): v for k, v in exc.fields.items()}
        apply_errors(form, exc)
        return _page(request, form, status=exc.http_status)
    messages.success(request, _("Rule “%(title)s” recorded.") % {"title": created.title})
    return HttpResponseRedirect(reverse("ledger:outcomes"))


@require_GET
@login_required
@require_office
def outcomes_export(request: HttpRequest) -> HttpResponseBase:
    from .. import export

    qs, _campaign = visible_outcomes(request.user, request.GET)
    workbook = export.outcomes_workbook(qs, selectors.outcome_counts(qs))
    return xlsx_response(workbook, f"rules-established-{timezone.localdate().isoformat()}.xlsx")
