from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "safecase.api.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"
