from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "safecase.api.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from safecase.api.webhooks import delivery
        from safecase.core import events

        # Every domain event becomes deliveries in the publishing transaction (the outbox).
        events.subscribe(delivery.on_event)
