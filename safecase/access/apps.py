from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "safecase.access"
    label = "access"
