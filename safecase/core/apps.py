from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safecase.core"
    label = "core"

    def ready(self) -> None:
        from safecase.core import scanning  # noqa: F401 - registers its system check
