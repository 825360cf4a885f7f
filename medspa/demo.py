"""Demo logins: known passwords, for `make run` only (demo_seed refuses to run with DEBUG off)."""

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django_otp.plugins.otp_totp.models import TOTPDevice


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


def demo_authenticator(user: AbstractUser) -> TOTPDevice:
    """The demo login's authenticator app, on a key derived from the username: the same key after
    every reseed, so an app it was added to keeps working. Kept as it is if the user set up their own."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        key = hashlib.sha256(f"demo-totp:{user.get_username()}".encode()).hexdigest()[:40]
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", key=key, confirmed=True)
    return device
