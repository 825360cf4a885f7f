from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake and consent"

    def ready(self) -> None:
        from medspa.staff import banner_register

        from . import signals  # noqa: F401 (connects the receivers)
        from .banners import urgent_follow_ups_banner

        banner_register(urgent_follow_ups_banner)
