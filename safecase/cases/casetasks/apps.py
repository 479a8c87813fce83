from django.apps import AppConfig


class CaseTasksConfig(AppConfig):
    name = "safecase.cases.casetasks"
    label = "case_tasks"
    verbose_name = "Case tasks"

    def ready(self) -> None:
        from safecase.access.permissions import Permission
        from safecase.cases import parts
        from safecase.cases.casetasks import sections, selectors

        parts.register_section(parts.Section("tasks", "Tasks", 80, sections.read))
        parts.register_home_panel(
            parts.HomePanel(
                key="case_tasks_overdue",
                template="case_tasks/_home_panel.html",
                perm=Permission.CASE_VIEW,
                order=40,
                context=selectors.home_panel,
            )
        )
