from django.urls import path

from safecase.accounts import views, views_auth

app_name = "accounts"

urlpatterns = [
    path("login/", views_auth.login_view, name="login"),
    path("logout/", views_auth.logout_view, name="logout"),
    path("mfa/enrol/", views_auth.mfa_enrol, name="mfa_enrol"),
    path("mfa/verify/", views_auth.mfa_verify, name="mfa_verify"),
    path("account/step-up/", views_auth.step_up, name="step_up"),
    path("password/reset/", views_auth.password_reset_request, name="password_reset"),
    path(
        "password/reset/<uidb64>/<token>/",
        views_auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/change/", views_auth.password_change, name="password_change"),
    path("account/", views_auth.account, name="account"),
    path("account/sessions/end/", views_auth.end_other_sessions, name="end_other_sessions"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("organisation/settings/", views.organisation_settings, name="organisation_settings"),
    path("organisation/members/", views.member_list, name="member_list"),
    path("organisation/members/invite/", views.member_invite, name="member_invite"),
    path("organisation/members/<uuid:membership_id>/", views.member_detail, name="member_detail"),
    path(
        "organisation/members/<uuid:membership_id>/deactivate/",
        views.member_deactivate,
        name="member_deactivate",
    ),
    path(
        "organisation/members/<uuid:membership_id>/reactivate/",
        views.member_reactivate,
        name="member_reactivate",
    ),
    path(
        "organisation/members/<uuid:membership_id>/end-sessions/",
        views.member_end_sessions,
        name="member_end_sessions",
    ),
    path(
        "organisation/members/<uuid:membership_id>/reset-mfa/",
        views.member_reset_mfa,
        name="member_reset_mfa",
    ),
]
