"""Pages of a case's part: Case tasks (mounted under /cases/<case_id>/tasks/)."""

from django.urls import path

from safecase.cases.casetasks import views

app_name = "case_tasks"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<uuid:task_id>/status/", views.change_status, name="status"),
]
