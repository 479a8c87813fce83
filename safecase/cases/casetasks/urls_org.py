"""Pages of the casetasks part that are about no one case: My case tasks (mounted at
/cases/tasks/)."""

from django.urls import path

from safecase.cases.casetasks import views

app_name = "case_tasks_org"

urlpatterns = [
    path("", views.my_tasks, name="mine"),
]
