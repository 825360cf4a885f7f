from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Messages to patients"

    def ready(self) -> None:
        from . import signals  # noqa: F401 (connects the receivers)
