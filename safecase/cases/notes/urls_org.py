"""Pages of the notes part that are about no one case: Supervision schedules per worker
(mounted at /cases/supervision/)."""

from django.urls import URLPattern

app_name = "case_notes_org"

urlpatterns: list[URLPattern] = []
