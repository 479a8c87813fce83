from django.apps import AppConfig


class CaseLearningConfig(AppConfig):
    name = "safecase.cases.learning"
    label = "case_learning"
    verbose_name = "Learning reviews"

    def ready(self) -> None:
        from safecase.access.permissions import Permission
        from safecase.cases import chronology, parts
        from safecase.cases.learning import chronology as lines
        from safecase.cases.learning import seams

        chronology.register(lines.learning_events)
        parts.register_section(parts.Section("learning", "Learning", 90, seams.section))
        parts.register_home_panel(
            parts.HomePanel(
                key="learning_overdue_recommendations",
                template="case_learning/_home_panel.html",
                # Shown to the team; its context is empty for those who neither manage cases
                # nor watch caseloads (case.manage or case.view_caseload).
                perm=Permission.CASE_VIEW,
                order=80,
                context=seams.panel,
            )
        )
