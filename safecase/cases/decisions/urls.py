"""Pages of a case's part: Decisions, sanctions and appeals (mounted under /cases/<case_id>/)."""

from django.urls import URLPattern

app_name = "case_decisions"

urlpatterns: list[URLPattern] = []
