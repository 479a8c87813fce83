from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safecase.core"
    label = "core"
