from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "safecase.concerns"
    label = "concerns"
