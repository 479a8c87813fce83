from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "safecase.sharing"
    label = "sharing"
    verbose_name = "Sharing, consent and break-glass"

    def ready(self) -> None:
        from safecase.access.permissions import Permission
        from safecase.cases import parts
        from safecase.sharing import selectors

        parts.register_home_panel(
            parts.HomePanel(
                key="sharing_shared_with_us",
                template="sharing/_home_panel.html",
                perm=Permission.SHARED_VIEW,
                order=15,
                context=selectors.home_panel,
            )
        )
