"""Pages of a case's part: Allegations against adults in positions of trust
(mounted under /cases/<case_id>/)."""

from django.urls import URLPattern

app_name = "case_allegations"

urlpatterns: list[URLPattern] = []
