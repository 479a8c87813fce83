"""Pages of Sharing, consent and break-glass."""

from django.urls import URLPattern

app_name = "sharing"

urlpatterns: list[URLPattern] = []
