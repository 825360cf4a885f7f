from django.apps import AppConfig


class MedspaConfig(AppConfig):
    """The project package as an app: the base templates, staff home and demo command."""

    name = "medspa"
    verbose_name = "Clinic"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .roles import remember_roles
        from .signin.middleware import on_sign_in

        user_logged_in.connect(remember_roles, dispatch_uid="medspa.remember_roles")
        user_logged_in.connect(on_sign_in, dispatch_uid="medspa.signin.on_sign_in")
