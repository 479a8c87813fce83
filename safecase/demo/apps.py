from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "safecase.demo"
    label = "demo"
