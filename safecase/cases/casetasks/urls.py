"""Pages of a case's part: Case tasks (mounted under /cases/<case_id>/)."""

from django.urls import URLPattern

app_name = "case_tasks"

urlpatterns: list[URLPattern] = []
