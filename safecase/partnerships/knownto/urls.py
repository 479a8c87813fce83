"""Pages of Known-to check."""

from django.urls import URLPattern

app_name = "known_to"

urlpatterns: list[URLPattern] = []
