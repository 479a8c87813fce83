"""Pages of the allegation part that are about no one case: the organisation's harm tests
(mounted at /cases/allegations/)."""

from django.urls import path

from safecase.cases.allegations import views

app_name = "case_allegations_org"

urlpatterns = [
    path("settings/", views.harm_test_settings, name="settings"),
]
