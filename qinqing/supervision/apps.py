from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "qinqing.supervision"
    label = "supervision"
