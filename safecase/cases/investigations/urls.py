"""Pages of a case's part: Internal investigations (mounted under /cases/<case_id>/)."""

from django.urls import path

from safecase.cases.investigations import views

app_name = "case_investigations"

urlpatterns = [
    path("", views.investigation_index, name="index"),
    path("edit/", views.investigation_edit, name="edit"),
    path("interviews/new/", views.interview_new, name="interview_new"),
    path(
        "interviews/<uuid:interview_id>/addendum/",
        views.interview_addendum,
        name="interview_addendum",
    ),
    path("evidence/new/", views.evidence_new, name="evidence_new"),
    path("evidence/<uuid:evidence_id>/custody/", views.custody_new, name="custody_new"),
    path(
        "evidence/<uuid:evidence_id>/download/", views.evidence_download, name="evidence_download"
    ),
    path("findings/new/", views.finding_new, name="finding_new"),
    path("report.pdf", views.investigation_report_pdf, name="report"),
]
