"""Pages of the casetasks part that are about no one case: My case tasks and overdue case work
(mounted at /cases/tasks/)."""

from django.urls import URLPattern

app_name = "case_tasks_org"

urlpatterns: list[URLPattern] = []
