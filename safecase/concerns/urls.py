from django.urls import path

from safecase.concerns import views

app_name = "concerns"

urlpatterns = [
    path("new/", views.concern_record, name="new"),
    path("mine/", views.my_concerns, name="mine"),
    path("queue/", views.triage_queue, name="queue"),
    path("alerts/<uuid:alert_id>/review/", views.alert_review, name="alert_review"),
    path("<uuid:concern_id>/", views.concern_detail, name="detail"),
    path("<uuid:concern_id>/edit/", views.concern_record, name="edit"),
    path("<uuid:concern_id>/addendum/", views.concern_addendum, name="addendum"),
    path("<uuid:concern_id>/link-person/", views.concern_link_person, name="link_person"),
    path("<uuid:concern_id>/actions/", views.concern_action_create, name="action_create"),
    path("<uuid:concern_id>/triage/", views.concern_triage, name="triage"),
    path("<uuid:concern_id>/significance/", views.concern_significance, name="significance"),
    path("actions/<uuid:action_id>/done/", views.action_complete, name="action_complete"),
    path(
        "attachments/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
