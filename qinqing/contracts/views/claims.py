"""The committee's work list: fulfilment claims waiting for an answer, the longest
waiting first, with how long each has waited and who is to answer it (the committee
for the enterprise's obligations and for disputes, the enterprise for the
government's). Supervisors read it too."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from qinqing.contracts import selectors
from qinqing.contracts.models import ObligorSide
from qinqing.contracts.worklist import claim_row

from .browse import (
    PAGE_SIZE,
    _render_results,
    obligation_url,
    optional_url,
    require_committee_or_supervisor,
)


@dataclass(frozen=True)
class ClaimFilters:
    stage: str
    side: str
    q: str

    @classmethod
    def from_request(cls, request: HttpRequest) -> ClaimFilters:
        stage = request.GET.get("stage", "")
        side = request.GET.get("side", "")
        return cls(
            stage=stage if stage in selectors.CLAIM_STAGES else "claimed",
            side=side if side in ObligorSide.values else "",
            q=request.GET.get("q", "").strip()[:100],
        )

    def query(self) -> str:
        pairs = (("stage", "" if self.stage == "claimed" else self.stage), ("side", self.side), ("q", self.q))
        return urlencode({k: v for k, v in pairs if v})


@require_GET
@login_required
@require_committee_or_supervisor
def claims(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    filters = ClaimFilters.from_request(request)
    listed = selectors.claims_waiting(request.user, stage=filters.stage, side=filters.side, q=filters.q)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [claim_row(claim, today) for claim in page.object_list]
    for row in rows:
        setattr(row.claim, "url", obligation_url(row.obligation))  # noqa: B010
    query = filters.query()
    export_url = optional_url("contracts:export_claims")
    return _render_results(
        request,
        "contracts/claims.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "query": query,
            "sides": ObligorSide.choices,
            "export_url": f"{export_url}?{query}" if export_url and query else export_url,
            "today": today,
        },
    )
