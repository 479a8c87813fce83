from django.apps import AppConfig


class KnownToConfig(AppConfig):
    name = "safecase.partnerships.knownto"
    label = "known_to"
    verbose_name = "Known-to check"
