from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "safecase.partnerships"
    label = "partnerships"
    verbose_name = "Multi-agency hub (MASH)"

    def ready(self) -> None:
        from safecase.access.permissions import Permission
        from safecase.cases import parts
        from safecase.partnerships import selectors

        # Model 1 of M5: an agency practitioner's home shows their open requests and due times.
        parts.register_home_panel(
            parts.HomePanel(
                key="hub_information_requests",
                template="partnerships/_home_panel.html",
                perm=Permission.HUB_ANSWER,
                order=5,
                context=selectors.home_panel,
            )
        )
