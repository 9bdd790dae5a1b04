"""The project's URLs and two throttled pages of the tests' own (test_throttle.py)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from qinqing.common.throttle import ANONYMOUS_SUBMIT, RECEIPT_LOOKUP, throttle

SEEN: list[str] = []


@throttle(RECEIPT_LOOKUP)
def lookup(request: HttpRequest) -> HttpResponse:
    SEEN.append(request.method or "")
    return HttpResponse("looked up")


@throttle(ANONYMOUS_SUBMIT, only_anonymous=True)
def submit(request: HttpRequest) -> HttpResponse:
    SEEN.append(request.method or "")
    return HttpResponse("sent")


urlpatterns = [
    path("throttle-test/lookup/", lookup),
    path("throttle-test/submit/", submit),
    *project_urlpatterns,
]
