from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "qinqing.accounts"
    label = "accounts"
    verbose_name = _("People and organisations")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin (listed in INSTALLED_APPS in its place) on the site whose login
    applies and stores the person's language (`admin_site.AdminSite`)."""

    # Not the accounts app's configuration: Django takes the one class of this module
    # that does not say default = False (hence also the module import above, not the class).
    default = False
    default_site = "qinqing.accounts.admin_site.AdminSite"
