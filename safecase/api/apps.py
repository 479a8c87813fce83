from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safecase.api"
    label = "api"
