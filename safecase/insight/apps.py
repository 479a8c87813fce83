from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "safecase.insight"
    label = "insight"
    verbose_name = "Insight: search, dashboards and reports"
