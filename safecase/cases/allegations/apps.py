from django.apps import AppConfig


class CaseAllegationsConfig(AppConfig):
    name = "safecase.cases.allegations"
    label = "case_allegations"
    verbose_name = "Allegations against adults in positions of trust"
