"""Pages of the risk part that are about no one case: risk reviews due and approval-gate
settings (mounted at /cases/risk/)."""

from django.urls import path

from safecase.cases.risk import views

app_name = "case_risk_org"

urlpatterns = [
    path("", views.reviews_due, name="reviews"),
    path("approvals/", views.approvals_pending, name="approvals"),
    path("approvals/<uuid:request_id>/", views.approval_decide, name="decide"),
    path("settings/", views.gates_settings, name="settings"),
]
