from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "safecase.partnerships.transfers"
    label = "transfers"
    verbose_name = "Record transfer"
