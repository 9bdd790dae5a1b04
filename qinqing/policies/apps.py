from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "qinqing.policies"
    label = "policies"
    verbose_name = _("Policy benefits")

    def ready(self) -> None:
        from . import ladders, receivers, tasks  # noqa: F401 - registers signals and periodic jobs

        ladders.register()
