"""Pages of a case's part: Risk assessments and approval gates (mounted under /cases/<case_id>/)."""

from django.urls import URLPattern

app_name = "case_risk"

urlpatterns: list[URLPattern] = []
