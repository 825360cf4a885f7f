"""Demo logins: known passwords, for `make run` only (demo_seed refuses to run with DEBUG off)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group


def demo_password(username: str) -> str:
    return f"{username}-demo"


def staff_user(*, username: str, first_name: str, last_name: str, role: str) -> AbstractUser:
    """The staff login `username` in `role`, created with the demo password if missing."""
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": True,
            "email": f"{username}@stillwater.example",
        },
    )
    if created:
        user.set_password(demo_password(username))
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=role))
    return user
