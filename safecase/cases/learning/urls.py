"""Pages of a case's part: Learning reviews (mounted under /cases/<case_id>/learning/)."""

from django.urls import path

from safecase.cases.learning import views

app_name = "case_learning"

urlpatterns = [
    path("", views.learning_index, name="index"),
    path("review/", views.review_save, name="review"),
    path("recommendations/", views.recommendation_add, name="recommendation_add"),
    path(
        "recommendations/<uuid:recommendation_id>/status/",
        views.recommendation_status,
        name="recommendation_status",
    ),
]
