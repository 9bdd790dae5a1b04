from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "qinqing.deadlines"
    label = "deadlines"

    def ready(self) -> None:
        from qinqing.workdays.signals import calendar_changed

        from . import receivers

        calendar_changed.connect(
            receivers.calendar_changed, dispatch_uid="qinqing.deadlines.calendar_changed"
        )
