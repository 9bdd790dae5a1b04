from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from qinqing.common.permissions import require_admin

from .forms import LoginForm
from .home import home_sections, public_links
from .models import ApiToken, Organisation, User
from .scoping import scope_for
from .services import api_token_create, api_token_revoke, user_language_at_login, user_language_set


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also keeps a signed-in user's choice as their
    language: messages written for them later are rendered in it."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    # Only a language the platform offers (Django's view accepts any it has a catalogue of).
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(actor=cast(User, request.user), language=language)
    return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        language_at_login(self.request, cast(User, form.get_user()), response)
        return response


def language_at_login(request: HttpRequest, user: User, response: HttpResponse) -> str:
    """Once `user` has signed in (the platform's login page, the Django admin's): the
    platform speaks their own language, on this device too (the language cookie on
    `response`); a first login keeps the language they were reading in, stored as theirs."""
    current = getattr(request, "LANGUAGE_CODE", "") or translation.get_language() or ""
    language = user_language_at_login(actor=user, current=current)
    translation.activate(language)
    set_language_cookie(response, language)
    return language


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """The cookie Django's language switch sets, with the same settings."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A signed-in person's sections per role; anyone else the platform's public pages
    (policies, award notices, contract fulfilment, following a report) and the login."""
    if not request.user.is_authenticated:
        return render(request, "accounts/public_home.html", {"links": public_links()})
    scope = scope_for(request.user)
    return render(request, "accounts/home.html", {"sections": home_sections(request.user, scope)})


@require_GET
@login_required
@require_admin
def organisations(request: HttpRequest) -> HttpResponse:
    nodes = Organisation.objects.select_related("parent").prefetch_related("supervised").order_by("path")
    return render(request, "accounts/organisations.html", {"nodes": nodes})


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("What the token is for"), max_length=100)


@require_http_methods(["GET", "POST"])
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """A person's own API tokens: create one (its secret is shown once), list, revoke."""
    user = cast(User, request.user)  # login_required
    new_key = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_key = api_token_create(actor=user, user=user, name=form.cleaned_data["name"])
        form = TokenForm()
    own = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"form": form, "tokens": own, "new_key": new_key})


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")
