"""API: Learning reviews (issue 4), mounted under /api/v1/cases/<case_id>/."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
