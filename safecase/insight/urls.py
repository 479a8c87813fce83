from django.urls import path

from safecase.insight import views

app_name = "insight"

urlpatterns = [
    path("", views.search, name="search"),
]
