from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "qinqing.workdays"
    label = "workdays"
