from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "safecase.web"
    label = "web"
