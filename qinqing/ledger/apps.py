from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "qinqing.ledger"
    label = "ledger"
    verbose_name = _("Problem ledger")

    def ready(self) -> None:
        from . import ladders

        ladders.register()
