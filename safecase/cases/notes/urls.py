"""Pages of a case's part: Case notes and supervision (mounted under /cases/<case_id>/)."""

from django.urls import URLPattern

app_name = "case_notes"

urlpatterns: list[URLPattern] = []
