"""Pages of the known-to check (mounted at /known-to/)."""

from django.urls import path

from safecase.partnerships.knownto import views

app_name = "known_to"

urlpatterns = [
    path("", views.index, name="index"),
    path("checks/<str:check_id>/", views.check, name="check"),
    path("contact/", views.contact, name="contact"),
]
