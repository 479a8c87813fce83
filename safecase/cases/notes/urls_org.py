"""Pages of the notes part that are about no one case: Supervision schedules per worker
(mounted at /cases/supervision/)."""

from django.urls import path

from safecase.cases.notes import views

app_name = "case_notes_org"

urlpatterns = [
    path("", views.schedules, name="index"),
    path("mine/", views.my_schedule, name="mine"),
    path("schedule/", views.schedule_set, name="schedule"),
]
