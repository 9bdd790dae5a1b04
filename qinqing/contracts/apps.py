from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "qinqing.contracts"
    label = "contracts"
    verbose_name = _("Contract fulfilment")

    def ready(self) -> None:
        from qinqing.workdays.signals import calendar_changed

        from . import ladders, receivers

        ladders.register()
        calendar_changed.connect(
            receivers.calendar_changed, dispatch_uid="qinqing.contracts.calendar_changed"
        )
