from django.apps import AppConfig


class CaseInvestigationsConfig(AppConfig):
    name = "safecase.cases.investigations"
    label = "case_investigations"
    verbose_name = "Internal investigations"
