"""Pages of Multi-agency hub (MASH)."""

from django.urls import URLPattern

app_name = "partnerships"

urlpatterns: list[URLPattern] = []
