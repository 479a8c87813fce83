"""Pages of sharing, consent and break-glass (mounted at /sharing/)."""

from django.urls import path

from safecase.sharing import views

app_name = "sharing"

urlpatterns = [
    path("given/", views.given, name="given"),
    path("given/<uuid:grant_id>/revoke/", views.revoke, name="revoke"),
    path("grants/<uuid:grant_id>/", views.disclosure, name="disclosure"),
    path("received/", views.received, name="received"),
    path("received/<uuid:grant_id>/", views.received_item, name="received_item"),
    path("received/<uuid:grant_id>/file/", views.received_file, name="received_file"),
    path("share/<slug:kind>/<uuid:object_id>/", views.share, name="share"),
    path("extracts/new/<uuid:person_id>/", views.extract_new, name="extract_new"),
    path("extracts/<uuid:extract_id>/", views.extract_detail, name="extract_detail"),
    path("break-glass/", views.break_glass_report, name="break_glass_report"),
    path("break-glass/find/", views.break_glass_find, name="break_glass_find"),
    path("break-glass/<uuid:opening_id>/", views.break_glass_detail, name="break_glass_detail"),
    path(
        "break-glass/<uuid:opening_id>/review/",
        views.break_glass_review,
        name="break_glass_review",
    ),
    path("break-glass/<slug:kind>/<uuid:object_id>/", views.break_glass, name="break_glass"),
]
