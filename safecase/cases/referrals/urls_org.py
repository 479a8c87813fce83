"""Pages of the referrals part that are about no one case: overdue responses and the agency
settings (mounted at /cases/referrals/)."""

from django.urls import path

from safecase.cases.referrals import views

app_name = "case_referrals_org"

urlpatterns = [
    path("overdue/", views.overdue, name="overdue"),
    path("agencies/", views.agencies, name="agencies"),
]
