from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "safecase.people"
    label = "people"
