"""The case dossier (案卷) as a PDF, from the enterprise's and the officials' case pages.

Each view lets through exactly whom its case page lets through, by the same checks: the
enterprise its own cases (anyone else's is a 404; officials are sent on to theirs, as
the page sends them), officials and supervisors the cases of the departments in their
reach. The supervisors' copy, with the audit trail, is supervision's
(`supervision:policy_case_dossier`).
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from qinqing.accounts.models import Role
from qinqing.accounts.scoping import scope_for
from qinqing.common.errors import NotFound
from qinqing.policies.dossier import Audience, dossier_response
from qinqing.policies.selectors import access_case_by_public_id

from .enterprise import _own_case
from .officer_cases import require_case_readers


@never_cache
@require_GET
@login_required
def enterprise_dossier(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The enterprise's copy: what its case page shows, officials' names left out."""
    if Role.ENTERPRISE not in scope_for(request.user).roles:
        return HttpResponseRedirect(reverse("policies:officer_case_dossier", args=[public_id]))
    return dossier_response(_own_case(request.user, public_id), Audience.ENTERPRISE)


@never_cache
@require_GET
@login_required
@require_case_readers
def officer_dossier(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The issuing department's copy (supervisors read it too, as they read the page)."""
    try:
        case = access_case_by_public_id(request.user, public_id)
    except NotFound as exc:
        raise Http404 from exc
    return dossier_response(case, Audience.OFFICIALS)
