"""The project's URLs with the payments pages mounted at /payments/ (config/urls.py
mounts them there too once the line is added)."""

from django.urls import include, path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as project

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    *[p for p in project if str(getattr(p, "pattern", "")) != "payments/"],
    path("payments/", include("qinqing.payments.urls")),
]
