from django.apps import AppConfig


class CaseReferralsConfig(AppConfig):
    name = "safecase.cases.referrals"
    label = "case_referrals"
    verbose_name = "External referrals"

    def ready(self) -> None:
        from safecase.access.permissions import Permission
        from safecase.cases import parts

        # Importing the chronology module registers its source of chronology events.
        from safecase.cases.referrals import chronology, sections, selectors  # noqa: F401

        parts.register_section(parts.Section("referrals", "External referrals", 30, sections.read))
        parts.register_home_panel(
            parts.HomePanel(
                key="case_referrals_overdue",
                template="case_referrals/_home_panel.html",
                perm=Permission.CASE_VIEW,
                order=30,
                context=selectors.home_panel,
            )
        )
