from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safecase.cases"
    label = "cases"
