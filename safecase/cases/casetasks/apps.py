from django.apps import AppConfig


class CaseTasksConfig(AppConfig):
    name = "safecase.cases.casetasks"
    label = "case_tasks"
    verbose_name = "Case tasks"
