from django.urls import path

from safecase.api.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_create, name="create"),
    path("<uuid:endpoint_id>/", views.endpoint_detail, name="detail"),
    path(
        "<uuid:endpoint_id>/rotate-secret/",
        views.endpoint_rotate_secret,
        name="rotate_secret",
    ),
    path("<uuid:endpoint_id>/deactivate/", views.endpoint_deactivate, name="deactivate"),
    path("<uuid:endpoint_id>/ping/", views.endpoint_ping, name="ping"),
    path(
        "deliveries/<uuid:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
