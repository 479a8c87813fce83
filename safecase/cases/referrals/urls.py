"""Pages of a case's part: External referrals (mounted under /cases/<case_id>/)."""

from django.urls import URLPattern

app_name = "case_referrals"

urlpatterns: list[URLPattern] = []
