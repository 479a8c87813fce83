from django.urls import path

from safecase.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="open"),
    path("caseload/", views.caseload, name="caseload"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/stage/", views.case_stage, name="stage"),
    path("<uuid:case_id>/allocate/", views.case_allocate, name="allocate"),
    path("<uuid:case_id>/concerns/", views.case_add_concern, name="add_concern"),
    path("<uuid:case_id>/subjects/", views.case_add_subject, name="add_subject"),
]
