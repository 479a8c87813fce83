"""Pages of the risk part that are about no one case: risk reviews due and approval-gate
settings (mounted at /cases/risk/)."""

from django.urls import URLPattern

app_name = "case_risk_org"

urlpatterns: list[URLPattern] = []
