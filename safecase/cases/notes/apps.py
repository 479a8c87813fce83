from django.apps import AppConfig


class CaseNotesConfig(AppConfig):
    name = "safecase.cases.notes"
    label = "case_notes"
    verbose_name = "Case notes and supervision"

    def ready(self) -> None:
        from safecase.cases.notes import seams

        seams.register()
