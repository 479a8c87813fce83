"""Pages of a case's part: Internal investigations (mounted under /cases/<case_id>/)."""

from django.urls import URLPattern

app_name = "case_investigations"

urlpatterns: list[URLPattern] = []
