from django.apps import AppConfig


class MedspaConfig(AppConfig):
    """The project package as an app: the base templates, staff home and demo command."""

    name = "medspa"
    verbose_name = "Clinic"
