from django.urls import path

from safecase.concerns import views, views_config

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
    # The lead's safeguarding settings (issue 3).
    path("config/", views_config.config_index, name="config"),
    path("config/categories/", views_config.config_categories, name="config_categories"),
    path("config/categories/add/", views_config.config_category_add, name="config_category_add"),
    path(
        "config/categories/<int:category_id>/rename/",
        views_config.config_category_rename,
        name="config_category_rename",
    ),
    path(
        "config/categories/<int:category_id>/retire/",
        views_config.config_category_retire,
        name="config_category_retire",
    ),
    path(
        "config/categories/<int:category_id>/reinstate/",
        views_config.config_category_reinstate,
        name="config_category_reinstate",
    ),
    path(
        "config/categories/<int:category_id>/move/",
        views_config.config_category_move,
        name="config_category_move",
    ),
    path("config/timings/", views_config.config_timings, name="config_timings"),
    path("config/levels/", views_config.config_levels, name="config_levels"),
    path("config/patterns/", views_config.config_patterns, name="config_patterns"),
    path(
        "config/patterns/<slug:kind>/",
        views_config.config_pattern_edit,
        name="config_pattern_edit",
    ),
    path(
        "attachments/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
]
