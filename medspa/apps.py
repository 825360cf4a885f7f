from django.apps import AppConfig


class MedspaConfig(AppConfig):
    """The project package as an app: the base templates, staff home and demo command."""

    name = "medspa"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.urls import register_converter

        from .roles import remember_roles
        from .signin.middleware import on_sign_in
        from .staff import IdConverter

        user_logged_in.connect(remember_roles, dispatch_uid="medspa.remember_roles")
        user_logged_in.connect(on_sign_in, dispatch_uid="medspa.signin.on_sign_in")
        # `<id:pk>` in every app's URLs: ready() runs before any URLconf is read.
        register_converter(IdConverter, "id")
