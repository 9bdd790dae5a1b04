from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "qinqing.deadlines"
    label = "deadlines"
