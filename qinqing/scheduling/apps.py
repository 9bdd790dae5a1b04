from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "qinqing.scheduling"
    label = "scheduling"
