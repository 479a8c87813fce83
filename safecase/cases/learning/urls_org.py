"""Pages of the learning part that are about no one case: Learning themes across cases
(mounted at /cases/learning/)."""

from django.urls import URLPattern

app_name = "case_learning_org"

urlpatterns: list[URLPattern] = []
