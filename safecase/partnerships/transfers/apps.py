from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "safecase.partnerships.transfers"
    label = "transfers"
    verbose_name = "Record transfer"

    def ready(self) -> None:
        from safecase.access.permissions import Permission
        from safecase.cases import parts
        from safecase.partnerships.transfers import selectors

        parts.register_home_panel(
            parts.HomePanel(
                key="transfers_waiting",
                template="transfers/_home_panel.html",
                perm=Permission.TRANSFER_RECEIVE,
                order=40,
                context=selectors.home_panel,
            )
        )
