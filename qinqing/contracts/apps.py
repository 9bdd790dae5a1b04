from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "qinqing.contracts"
    label = "contracts"
    verbose_name = _("Contract fulfilment")

    def ready(self) -> None:
        from . import ladders

        ladders.register()
