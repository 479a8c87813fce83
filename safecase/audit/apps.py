from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safecase.audit"
    label = "audit"
