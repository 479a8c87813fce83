"""Pages of Record transfer."""

from django.urls import URLPattern

app_name = "transfers"

urlpatterns: list[URLPattern] = []
