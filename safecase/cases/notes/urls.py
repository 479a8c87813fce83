"""Pages of a case's part: Case notes and supervision (mounted under /cases/<case_id>/)."""

from django.urls import path

from safecase.cases.notes import views

app_name = "case_notes"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.note_new, name="new"),
    path("<uuid:note_id>/edit/", views.note_edit, name="edit"),
    path("<uuid:note_id>/addendum/", views.note_addendum, name="addendum"),
    path("supervision/new/", views.supervision_new, name="supervision_new"),
]
