"""Pages of a case's part: Risk assessments and approval gates (mounted under /cases/<case_id>/)."""

from django.urls import path

from safecase.cases.risk import views

app_name = "case_risk"

urlpatterns = [
    path("", views.risk_index, name="index"),
    path("assess/", views.risk_assess, name="assess"),
    path("history/", views.risk_history, name="history"),
    path("approvals/new/", views.approval_request, name="request"),
]
