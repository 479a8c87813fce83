from django.urls import include, path

from safecase.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="open"),
    path("caseload/", views.caseload, name="caseload"),
    path("from-concern/<uuid:concern_id>/", views.concern_to_case, name="concern_to_case"),
    path("supervision/", include("safecase.cases.notes.urls_org")),
    path("learning/", include("safecase.cases.learning.urls_org")),
    path("allegations/", include("safecase.cases.allegations.urls_org")),
    path("tasks/", include("safecase.cases.casetasks.urls_org")),
    path("referrals/", include("safecase.cases.referrals.urls_org")),
    path("risk/", include("safecase.cases.risk.urls_org")),
    path("decisions/", include("safecase.cases.decisions.urls_org")),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/stage/", views.case_stage, name="stage"),
    path("<uuid:case_id>/bundle.pdf", views.case_bundle, name="bundle"),
    path("<uuid:case_id>/allocate/", views.case_allocate, name="allocate"),
    path("<uuid:case_id>/concerns/", views.case_add_concern, name="add_concern"),
    path("<uuid:case_id>/subjects/", views.case_add_subject, name="add_subject"),
    # The parts of a case, each an app of its own (cases/page.py).
    path("<uuid:case_id>/risk/", include("safecase.cases.risk.urls")),
    path("<uuid:case_id>/referrals/", include("safecase.cases.referrals.urls")),
    path("<uuid:case_id>/tasks/", include("safecase.cases.casetasks.urls")),
    path("<uuid:case_id>/investigation/", include("safecase.cases.investigations.urls")),
    path("<uuid:case_id>/decision/", include("safecase.cases.decisions.urls")),
    path("<uuid:case_id>/allegation/", include("safecase.cases.allegations.urls")),
    path("<uuid:case_id>/learning/", include("safecase.cases.learning.urls")),
    path("<uuid:case_id>/notes/", include("safecase.cases.notes.urls")),
]
