from django.urls import include, path

from .views import public

app_name = "policies"

urlpatterns = [
    path("", public.policy_list, name="list"),
    path("<uuid:public_id>/", public.policy_detail, name="detail"),
    # Each audience's pages keep their own URL module (see views/__init__.py).
    path("", include("qinqing.policies.urls_enterprise")),
    path("", include("qinqing.policies.urls_officer")),
]
