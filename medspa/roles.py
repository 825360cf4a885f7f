"""Staff roles are Django groups, created by migrations with their permissions.

Each app's migration grants its own models' permissions to the roles (see `grant`), so a
role's rights grow with the apps without any app knowing about the others.
"""

from collections.abc import Iterable, Mapping
from typing import Any

FRONT_DESK = "Front desk"
INJECTOR = "Injector"
MANAGER = "Manager"
ROLES = (FRONT_DESK, INJECTOR, MANAGER)


def roles_of(user: Any) -> list[str]:
    """The role names a user has, in the order of ROLES."""
    if not user.is_authenticated:
        return []
    names = {group.name for group in user.groups.all()}
    return [role for role in ROLES if role in names]


def remember_roles(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """At sign-in, keep the role names in the session for the pages' header (no query per page)."""
    if request is not None and hasattr(request, "session"):
        request.session["staff_roles"] = roles_of(user)


def grant(apps: Any, app_label: str, grants: Mapping[str, Iterable[str]]) -> None:
    """In a data migration: give each role these permission codenames of `app_label`.

    Permissions are normally created after migrations run (post_migrate), so they are
    created here first for the app's models.
    """
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    # A migration's app config has no models module, which create_permissions takes to mean
    # "no models"; lend it one for the call.
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        codenames = list(codenames)
        permissions = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise LookupError(f"No such permissions in {app_label}: {sorted(missing)}")
        group.permissions.add(*permissions)


def revoke(apps: Any, app_label: str, grants: Mapping[str, Iterable[str]]) -> None:
    """The reverse of `grant`, for the migration's backwards step."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in grants.items():
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=list(codenames))
            )
