from django.apps import AppConfig


class CaseInvestigationsConfig(AppConfig):
    name = "safecase.cases.investigations"
    label = "case_investigations"
    verbose_name = "Internal investigations"

    def ready(self) -> None:
        # The investigation's lines in its subjects' chronologies, and its section of the
        # decision's snapshot and the case bundle.
        from safecase.cases import chronology, parts
        from safecase.cases.investigations.events import investigation_events
        from safecase.cases.investigations.sections import investigation_entries

        chronology.register(investigation_events)
        parts.register_section(
            parts.Section("investigation", "Investigation", 40, investigation_entries)
        )
