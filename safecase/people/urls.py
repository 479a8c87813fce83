from django.urls import path

from safecase.people import views, views_export

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("<uuid:person_id>/", views.person_detail, name="detail"),
    path("<uuid:person_id>/edit/", views.person_edit, name="edit"),
    path("<uuid:person_id>/merge/", views.person_merge, name="merge"),
    path(
        "<uuid:person_id>/chronology.csv",
        views_export.person_chronology_csv,
        name="chronology_csv",
    ),
    path(
        "<uuid:person_id>/chronology.pdf",
        views_export.person_chronology_pdf,
        name="chronology_pdf",
    ),
]
