from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from qinqing.common.permissions import require_admin

from .forms import LoginForm
from .home import home_sections
from .models import Organisation
from .scoping import scope_for


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    return render(request, "accounts/home.html", {"sections": home_sections(request.user, scope)})


@require_GET
@login_required
@require_admin
def organisations(request: HttpRequest) -> HttpResponse:
    nodes = Organisation.objects.select_related("parent").prefetch_related("supervised").order_by("path")
    return render(request, "accounts/organisations.html", {"nodes": nodes})
