from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "safecase.partnerships"
    label = "partnerships"
    verbose_name = "Multi-agency hub (MASH)"
