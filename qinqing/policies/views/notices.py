"""公示: awards under public notice, for anyone (no login), each open to objections.

A visitor who is not logged in leaves a way to be reached (the service insists); the
objection goes to the issuing department's officials who took no part in the case.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from qinqing.common.errors import ApplicationError
from qinqing.policies.models import Case
from qinqing.policies.selectors import award_notices
from qinqing.policies.services.cases import objection_lodge
from qinqing.policies.summaries import yuan

PAGE_SIZE = 30


class NoticeObjectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Grounds of your objection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    contact = forms.CharField(
        label=gettext_lazy("How to reach you (phone or e-mail)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "tel"}),
    )

    def __init__(self, *args: Any, anonymous: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].required = anonymous


def _page(
    request: HttpRequest,
    *,
    bound: NoticeObjectionForm | None = None,
    bound_case: Case | None = None,
    status: int = 200,
) -> HttpResponse:
    anonymous = not request.user.is_authenticated
    page = Paginator(award_notices(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        form = (
            bound
            if bound is not None and bound_case is not None and case.pk == bound_case.pk
            else NoticeObjectionForm(anonymous=anonymous, prefix=f"n-{case.public_id}")
        )
        rows.append({"case": case, "award": yuan(case.award), "form": form, "open": form is bound})
    if bound is not None and bound_case is not None and not any(r["open"] for r in rows):
        # The notice objected to is on another page: it comes first, with what was typed.
        rows.insert(0, {"case": bound_case, "award": yuan(bound_case.award), "form": bound, "open": True})
    return render(
        request,
        "policies/notices/list.html",
        {"page": page, "rows": rows, "anonymous": anonymous},
        status=status,
    )


@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
def notice_objection(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    case = award_notices().filter(public_id=public_id).first()
    if case is None:
        raise Http404
    anonymous = not request.user.is_authenticated
    form = NoticeObjectionForm(request.POST, anonymous=anonymous, prefix=f"n-{public_id}")
    if form.is_valid():
        try:
            objection_lodge(
                actor=None if anonymous else request.user,
                case=case,
                text=form.cleaned_data["text"],
                contact=form.cleaned_data["contact"],
            )
        except ApplicationError as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, str(error))
            if not exc.fields:
                form.add_error(None, str(exc.message))
            return _page(request, bound=form, bound_case=case, status=exc.http_status)
        messages.success(
            request,
            _(
                "Your objection to the award for %(enterprise)s was received; the department will look into it."
            )
            % {"enterprise": case.enterprise.name},
        )
        return HttpResponseRedirect(reverse("policies:notices"))
    return _page(request, bound=form, bound_case=case, status=400)
