"""Pages of a case's part: Learning reviews (mounted under /cases/<case_id>/)."""

from django.urls import URLPattern

app_name = "case_learning"

urlpatterns: list[URLPattern] = []
