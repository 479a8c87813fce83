"""API endpoints (issue 5): filled in by the part that owns them."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
