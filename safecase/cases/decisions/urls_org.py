"""Pages of the decisions part that are about no one case: the organisation's outcomes and
sanctions (mounted at /cases/decisions/)."""

from django.urls import path

from safecase.cases.decisions import views

app_name = "case_decisions_org"

urlpatterns = [
    path("options/", views.options, name="options"),
    path("options/<int:option_id>/in-use/", views.option_in_use, name="option_in_use"),
]
