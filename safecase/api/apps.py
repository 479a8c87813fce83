from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safecase.api"
    label = "api"

    def ready(self) -> None:
        from safecase.api import schema  # noqa: F401 - registers the OpenAPI auth extensions
