from django.apps import AppConfig


class CaseDecisionsConfig(AppConfig):
    name = "safecase.cases.decisions"
    label = "case_decisions"
    verbose_name = "Decisions, sanctions and appeals"
