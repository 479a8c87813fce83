from django.apps import AppConfig


class CaseRiskConfig(AppConfig):
    name = "safecase.cases.risk"
    label = "case_risk"
    verbose_name = "Risk assessments and approval gates"
