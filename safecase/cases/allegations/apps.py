from django.apps import AppConfig


class CaseAllegationsConfig(AppConfig):
    name = "safecase.cases.allegations"
    label = "case_allegations"
    verbose_name = "Allegations against adults in positions of trust"

    def ready(self) -> None:
        from safecase.access.permissions import Permission
        from safecase.cases import chronology, parts
        from safecase.cases.allegations import chronology as lines
        from safecase.cases.allegations import seams

        chronology.register(lines.allegation_events)
        parts.register_section(parts.Section("allegation", "Allegation", 10, seams.section))
        parts.register_home_panel(
            parts.HomePanel(
                key="allegation_suspension_reviews",
                template="case_allegations/_home_panel.html",
                # Shown to the team; its context is empty for those who neither manage cases
                # nor watch caseloads (case.manage or case.view_caseload).
                perm=Permission.CASE_VIEW,
                order=30,
                context=seams.panel,
            )
        )
