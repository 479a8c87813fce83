from django.apps import AppConfig


class CaseDecisionsConfig(AppConfig):
    name = "safecase.cases.decisions"
    label = "case_decisions"
    verbose_name = "Decisions, sanctions and appeals"

    def ready(self) -> None:
        from safecase.access.permissions import Permission
        from safecase.cases import chronology, parts
        from safecase.cases.decisions import selectors

        # Decisions and appeals in the snapshot and the bundle, after the investigation.
        parts.register_section(
            parts.Section("decisions", "Decisions and appeals", 60, selectors.section_entries)
        )
        parts.register_stage_check("decisions.decision_recorded", selectors.check_stage_move)
        chronology.register(selectors.chronology_events)
        parts.register_home_panel(
            parts.HomePanel(
                "decisions.appeals",
                "case_decisions/_home_panel.html",
                Permission.CASE_DECIDE,
                60,
                selectors.home_panel,
            )
        )
