from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake and consent"

    def ready(self) -> None:
        from . import signals  # noqa: F401 (connects the receivers)
