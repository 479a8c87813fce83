"""Pages of a case's part: Allegations against adults in positions of trust
(mounted under /cases/<case_id>/allegation/)."""

from django.urls import path

from safecase.cases.allegations import views

app_name = "case_allegations"

urlpatterns = [
    path("", views.allegation_index, name="index"),
    path("harm-test/", views.harm_test, name="harm_test"),
    path("lado/", views.lado, name="lado"),
    path("suspension/", views.suspension, name="suspension"),
    path(
        "suspension/<uuid:decision_id>/review/",
        views.suspension_review,
        name="suspension_review",
    ),
    path("referrals/", views.barring_refer, name="barring_refer"),
    path(
        "referrals/<uuid:referral_id>/outcome/",
        views.barring_outcome,
        name="barring_outcome",
    ),
]
