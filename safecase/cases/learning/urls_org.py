"""Pages of the learning part that are about no one case: Learning themes across cases
(mounted at /cases/learning/)."""

from django.urls import path

from safecase.cases.learning import views

app_name = "case_learning_org"

urlpatterns = [
    path("", views.learning_overview, name="index"),
    path("settings/", views.theme_settings, name="settings"),
]
