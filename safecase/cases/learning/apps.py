from django.apps import AppConfig


class CaseLearningConfig(AppConfig):
    name = "safecase.cases.learning"
    label = "case_learning"
    verbose_name = "Learning reviews"
