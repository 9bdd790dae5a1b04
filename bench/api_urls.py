"""The platform's URLs plus what only the API benchmark needs:

- /bench/minimal/: the smallest Django view (a few bytes, no template, no query), served
  through the same middleware by the same server: the peer the pages are compared with;
- /bench/frame/: the platform's empty page (base.html: navigation, inbox badge, language
  form, no content) for a logged-in user, through the same middleware: what any page of
  the platform costs before its own content;
- /bench/my-cases/ and /bench/queue/: the selectors behind the enterprise's "my cases"
  page and the officer's work queue through a bare view, used only when the real pages
  (policies:my_cases, policies:officer_queue) do not exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.html import escape
from django.views.decorators.http import require_GET

from config.urls import urlpatterns as platform_urlpatterns


@require_GET
def minimal(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
@login_required
def frame(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html", {})


@require_GET
@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    from qinqing.policies.selectors import enterprise_cases

    rows = enterprise_cases(request.user)[:20]
    body = "".join(
        f"<li>{escape(c.reference)} {escape(c.policy.title)} {c.status} {c.award}</li>" for c in rows
    )
    return HttpResponse(f"<ul>{body}</ul>")


@require_GET
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    from qinqing.policies.selectors import work_queue

    rows = work_queue(request.user)[:50]
    body = "".join(
        f"<li>{escape(s.case.reference)} {escape(s.case.enterprise.name)} {s.key} {s.due_date}</li>"
        for s in rows
    )
    return HttpResponse(f"<ul>{body}</ul>")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/frame/", frame, name="bench_frame"),
    path("bench/my-cases/", my_cases, name="bench_my_cases"),
    path("bench/queue/", queue, name="bench_queue"),
    *platform_urlpatterns,
]
