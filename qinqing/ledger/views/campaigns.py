"""Campaigns (walk-through programmes, inspection rounds, topic campaigns, visiting
programmes): the list with each one's progress, one campaign with its topics, problems,
walk-throughs and rules established, and a new campaign for the commission's staff."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qinqing.common.errors import ApplicationError
from qinqing.common.xlsx import xlsx_response

from .. import selectors, services
from ..figures import aggregates, campaign_figures, with_rates
from ..filters import ProblemFilters
from ..forms_office import CampaignForm, TopicFormSet, filled_rows
from ..models import CAMPAIGN_CHANNELS, Campaign, Channel
from .office import (
    PAGE_SIZE,
    apply_errors,
    commission_nodes,
    problem_url,
    raise_refusal,
    render_office,
    require_commission,
    require_office,
)


def campaign_progress(user: Any, campaign_ids: list[int], today: Any) -> dict[int, dict[str, Any]]:
    """The figures of each campaign's visible problems: one query."""
    rows = (
        selectors.problems_for(user)
        .filter(campaign_id__in=campaign_ids)
        .order_by()
        .values("campaign_id")
        .annotate(**aggregates(today))
    )
    return {row["campaign_id"]: with_rates(dict(row)) for row in rows}


def campaign_counts(user: Any, campaign_ids: list[int]) -> tuple[dict[int, int], dict[int, int]]:
    """Walk-throughs and rules established per campaign, as the user sees them."""
    walks = dict(
        selectors.walkthroughs_for(user)
        .filter(campaign_id__in=campaign_ids)
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .values_list("campaign_id", "n")
    )
    outcomes = dict(
        selectors.outcomes_for(user)
        .filter(campaign_id__in=campaign_ids)
        .order_by()
        .values("campaign_id")
        .annotate(n=Count("pk", distinct=True))
        .values_list("campaign_id", "n")
    )
    return walks, outcomes


def campaign_rows(user: Any, campaigns: list[Campaign]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    ids = [c.pk for c in campaigns]
    progress = campaign_progress(user, ids, today)
    walks, outcomes = campaign_counts(user, ids)
    empty = with_rates({k: 0 if k != "satisfaction" else None for k in aggregates(today)})
    return [
        {
            "campaign": c,
            "url": reverse("ledger:campaign", args=[c.public_id]),
            "figures": progress.get(c.pk, empty),
            "walks": walks.get(c.pk, 0),
            "outcomes": outcomes.get(c.pk, 0),
            "problems_url": ProblemFilters(campaign=str(c.public_id)).list_url(),
        }
        for c in campaigns
    ]


def visible_campaigns(user: Any, params: Any) -> tuple[Any, str, str]:
    channel = str(params.get("channel", ""))
    channel = channel if channel in Channel.values else ""
    status = str(params.get("status", ""))
    status = status if status in ("active", "closed") else ""
    qs = selectors.campaigns_for(user).order_by("-starts_on", "-id")
    if channel:
        qs = qs.filter(channel=channel)
    if status:
        qs = qs.filter(status=status)
    return qs, channel, status


@require_GET
@login_required
@require_office
def campaigns(request: HttpRequest) -> HttpResponse:
    qs, channel, status = visible_campaigns(request.user, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in (("channel", channel), ("status", status)) if v])
    export = reverse("ledger:campaigns_export")
    return render_office(
        request,
        "ledger/office/campaigns.html",
        {
            "rows": campaign_rows(request.user, list(page.object_list)),
            "page": page,
            "query": query,
            "channel": channel,
            "status": status,
            "channels": [c for c in Channel.choices if c[0] in CAMPAIGN_CHANNELS],
            "export_url": f"{export}?{query}" if query else export,
            "may_create": bool(commission_nodes(request.user)),
        },
    )


def access_campaign(user: Any, public_id: uuid.UUID) -> Campaign:
    campaign = selectors.campaigns_for(user).filter(public_id=public_id).first()
    if campaign is None:
        raise Http404
    return campaign


def campaign_detail(user: Any, campaign: Campaign) -> dict[str, Any]:
    """Everything one campaign's page and its export show."""
    counted = campaign_figures(selectors.problems_for(user), campaign, timezone.localdate())
    figures, topics = counted["totals"], counted["topics"]
    problems = selectors.problems_for(user).filter(campaign=campaign)
    listed = list(
        problems.select_related("organisation", "topic").order_by("-registered_at", "-id")[:PAGE_SIZE]
    )
    walks = list(
        selectors.walkthroughs_for(user)
        .filter(campaign=campaign)
        .annotate(problem_count=Count("problems"))[:PAGE_SIZE]
    )
    outcomes = list(selectors.outcomes_for(user).filter(campaign=campaign))
    return {
        "figures": figures,
        "topics": topics,
        "problems": [{"problem": p, "url": problem_url(p.public_id)} for p in listed],
        "walks": walks,
        "outcomes": outcomes,
    }


@require_GET
@login_required
@require_office
def campaign(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found = access_campaign(request.user, public_id)
    detail = campaign_detail(request.user, found)
    return render_office(
        request,
        "ledger/office/campaign.html",
        {
            "campaign": found,
            **detail,
            "problems_url": ProblemFilters(campaign=str(found.public_id)).list_url(),
            "export_url": reverse("ledger:campaign_export", args=[found.public_id]),
            "outcome_new_url": reverse("ledger:outcome_new") + f"?campaign={found.public_id}",
        },
    )


def _form_page(request: HttpRequest, form: CampaignForm, topics: Any, status: int = 200) -> HttpResponse:
    return render_office(
        request,
        "ledger/office/campaign_form.html",
        {"form": form, "topics": topics},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@require_commission
def campaign_new(request: HttpRequest) -> HttpResponse:
    nodes = commission_nodes(request.user)
    if not nodes:
        raise DjangoPermissionDenied
    form = CampaignForm(request.POST or None, organisations=nodes)
    topics = TopicFormSet(request.POST or None, prefix="topics")
    if request.method == "GET":
        return _form_page(request, form, topics)
    if not (form.is_valid() and topics.is_valid()):
        return _form_page(request, form, topics, status=400)
    filled = filled_rows(topics)
    data = form.cleaned_data
    try:
        created = services.campaign_create(
            actor=request.user,
            channel=data["channel"],
            title=data["title"],
            organisation=form.chosen_organisation(),
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            description=data.get("description", ""),
            topics=[dict(f.cleaned_data) for _i, f in filled],
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc, filled, "topics")
        return _form_page(request, form, topics, status=exc.http_status)
    messages.success(request, _("Campaign “%(title)s” created.") % {"title": created.title})
    return HttpResponseRedirect(reverse("ledger:campaign", args=[created.public_id]))


@require_GET
@login_required
@require_office
def campaigns_export(request: HttpRequest) -> HttpResponseBase:
    from .. import export

    qs, _channel, _status = visible_campaigns(request.user, request.GET)
    campaigns = list(qs[: export.CHUNK])
    workbook = export.campaigns_workbook(campaign_rows(request.user, campaigns))
    return xlsx_response(workbook, f"campaigns-{timezone.localdate().isoformat()}.xlsx")


@require_GET
@login_required
@require_office
def campaign_export(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    from .. import export

    found = access_campaign(request.user, public_id)
    detail = campaign_detail(request.user, found)
    problems = (
        selectors.problems_for(request.user)
        .filter(campaign=found)
        .select_related(
            "organisation", "supervising_group", "reporter_enterprise", "campaign", "duplicate_of"
        )
        .order_by("-registered_at", "-id")
    )
    workbook = export.campaign_workbook(found, detail, problems)
    return xlsx_response(workbook, f"campaign-{timezone.localdate().isoformat()}.xlsx")
