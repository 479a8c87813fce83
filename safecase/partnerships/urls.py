"""Pages of the multi-agency hub (MASH), mounted at /hub/."""

from django.urls import path

from safecase.partnerships import views, views_agency, views_referrer, views_reports

app_name = "partnerships"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.enter, name="enter"),
    path("decided/", views.decided, name="decided"),
    path("refer/", views_referrer.refer, name="refer"),
    path("our-referrals/", views_referrer.our_referrals, name="our_referrals"),
    path("referrals/<str:referral_id>/", views.referral_page, name="referral"),
    path("referrals/<str:referral_id>/rate/", views.rate, name="rate"),
    path("referrals/<str:referral_id>/request/", views.request_information, name="request"),
    path("referrals/<str:referral_id>/decide/", views.decide, name="decide"),
    path("referrals/<str:referral_id>/audit/", views_reports.referral_audit, name="audit"),
    path("requests/", views_agency.our_requests, name="our_requests"),
    path("requests/<str:request_id>/", views_agency.answer, name="answer"),
    path("requests/<str:request_id>/release/", views_agency.release, name="release"),
    path("requests/<str:request_id>/files/", views_agency.add_file, name="add_file"),
    path("requests/<str:request_id>/go/", views.request_go, name="request_go"),
    path("requests/<str:request_id>/share/", views.share_section, name="share_section"),
    path("files/<str:file_id>/", views_agency.download, name="download"),
    path("settings/", views_reports.hub_settings, name="settings"),
    path("settings/agencies/", views_reports.add_agency, name="add_agency"),
    path("timeliness/", views_reports.timeliness, name="timeliness"),
]
