from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from qinqing.accounts import views as account_views

from .api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("qinqing.accounts.urls")),
    path("enterprises/", include("qinqing.enterprises.urls")),
    path("calendar/", include("qinqing.workdays.urls")),
    path("deadlines/", include("qinqing.deadlines.urls")),
    path("inbox/", include("qinqing.notifications.urls")),
    path("supervision/", include("qinqing.supervision.urls")),
    path("policies/", include("qinqing.policies.urls")),
    path("integrity/", include("qinqing.integrity.urls")),
    path("payments/", include("qinqing.payments.urls")),
    path("contracts/", include("qinqing.contracts.urls")),
    path("ledger/", include("qinqing.ledger.urls")),
    # Django's own view, which also stores a signed-in user's choice (accounts).
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "qinqing.common.views.bad_request"
handler403 = "qinqing.common.views.permission_denied"
handler404 = "qinqing.common.views.page_not_found"
handler500 = "qinqing.common.views.server_error"
