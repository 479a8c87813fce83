"""Pages of a case's part: External referrals (mounted under /cases/<case_id>/referrals/)."""

from django.urls import path

from safecase.cases.referrals import views

app_name = "case_referrals"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<uuid:referral_id>/response/", views.respond, name="respond"),
    path("<uuid:referral_id>/escalate/", views.escalate, name="escalate"),
]
