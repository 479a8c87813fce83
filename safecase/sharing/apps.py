from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "safecase.sharing"
    label = "sharing"
    verbose_name = "Sharing, consent and break-glass"
