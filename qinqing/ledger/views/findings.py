"""Registering a problem the commission, a group or a department found themselves: on an
inspection tour (巡察), in a topic campaign (点题整治) or on a visit (下访), with its
evidence; the commission and the groups may assign it at once, a department's own
finding is assigned to the department. (Walk-throughs have their own form; enterprises
and observers report on `ledger:report`.)"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qinqing.accounts.models import Organisation, Role
from qinqing.accounts.pickers import organisation_choices
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import ApplicationError

from .. import selectors, services
from ..forms_office import FindingForm
from ..models import Campaign, CampaignStatus, CampaignTopic, Channel
from ..services.intake import DEPARTMENT_CHANNELS, KEY_REUSED, SUPERVISOR_CHANNELS
from .office import apply_errors, departments_for, problem_url, raise_refusal, render_office, require_office


def _choices(user: Any) -> dict[str, Any]:
    """What the user may choose: channels, campaigns and topics, departments."""
    scope = scope_for(user)
    supervisor = scope.is_supervisor
    # The channels the service lets each register through, in the channels' own order.
    allowed = SUPERVISOR_CHANNELS if supervisor else DEPARTMENT_CHANNELS
    channels = [c for c in Channel if c in allowed]
    campaigns: list[tuple[str, str]] = []
    active = (
        selectors.campaigns_for(user)
        .filter(status=CampaignStatus.ACTIVE, channel__in=channels)
        .order_by("-starts_on", "id")[:100]
    )
    for campaign in active:
        campaigns.append((f"c:{campaign.public_id}", f"{campaign.get_channel_display()} · {campaign.title}"))
        for topic in campaign.topics.all():
            campaigns.append((f"t:{topic.pk}", f"{campaign.title} · {topic.title}"))
    if supervisor:
        departments = departments_for(user)
    else:
        paths = scope.paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
        departments = organisation_choices(Organisation.objects.filter(path__in=paths))
    return {
        "channels": [(c.value, c.label) for c in channels],
        "campaigns": campaigns,
        "departments": departments,
        "department_required": not supervisor,
    }


def _campaign_and_topic(value: str) -> tuple[Campaign | None, CampaignTopic | None]:
    kind, _sep, key = value.partition(":")
    if kind == "t" and key.isdigit():
        topic = CampaignTopic.objects.select_related("campaign").filter(pk=int(key)).first()
        return (topic.campaign, topic) if topic else (None, None)
    if kind == "c" and key:
        return Campaign.objects.filter(public_id=key).first(), None
    return None, None


def _page(
    request: HttpRequest, form: FindingForm, *, status: int = 200, files_lost: bool = False
) -> HttpResponse:
    return render_office(
        request,
        "ledger/office/form_page.html",
        {
            "form": form,
            "heading": _("Register a problem found"),
            "lead": _(
                "A problem found on an inspection tour, in a topic campaign or on a visit. "
                "Walk-throughs have their own form."
            ),
            "submit": _("Register"),
            "cancel_url": reverse("ledger:problems"),
            "files_lost": files_lost,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
@require_office
def finding_new(request: HttpRequest) -> HttpResponse:
    choices = _choices(request.user)
    if request.method != "POST":
        return _page(request, FindingForm(**choices))
    form = FindingForm(request.POST, request.FILES, **choices)
    files_sent = bool(request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400, files_lost=files_sent)
    data = form.cleaned_data
    campaign, topic = _campaign_and_topic(data.get("campaign") or "")
    department = None
    if data.get("department"):
        department = Organisation.objects.filter(public_id=data["department"]).first()
    try:
        problem = services.problem_report(
            actor=request.user,
            channel=data["channel"],
            title=data["title"],
            description=data["description"],
            category=data["category"],
            subcategory=data.get("subcategory") or "",
            severity=data["severity"],
            institutional=data.get("institutional") or "",
            location=data.get("location") or "",
            campaign=campaign,
            topic=topic,
            department=department,
            deadline_mode=data["deadline_mode"] if department else None,
            deadline_days=data.get("deadline_days") if department else None,
            files=data["files"],
            idempotency_key=data.get("form_key", ""),
        )
    except ApplicationError as exc:
        raise_refusal(exc)
        apply_errors(form, exc)
        if exc.code == KEY_REUSED:
            form.renew_form_key()
        return _page(request, form, status=400, files_lost=files_sent)
    messages.success(request, _("Registered as %(reference)s.") % {"reference": problem.reference})
    return HttpResponseRedirect(problem_url(problem.public_id))
