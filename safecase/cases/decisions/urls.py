"""Pages of a case's part: Decisions, sanctions and appeals (mounted under /cases/<case_id>/)."""

from django.urls import path

from safecase.cases.decisions import views

app_name = "case_decisions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.decision_new, name="new"),
    path("<uuid:decision_id>/", views.decision_detail, name="detail"),
    path("appeal/", views.appeal_new, name="appeal_new"),
    path("appeal/<uuid:appeal_id>/panel/", views.appeal_panel, name="appeal_panel"),
    path("appeal/<uuid:appeal_id>/outcome/", views.appeal_outcome, name="appeal_outcome"),
]
