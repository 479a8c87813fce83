from django.urls import path

from safecase.api import views_web

app_name = "api_tokens"

urlpatterns = [
    path("", views_web.token_list, name="list"),
    path("<uuid:token_id>/revoke/", views_web.token_revoke, name="revoke"),
]
