"""Channels behind one interface, like Django's email backends: `send(outgoing) -> provider id`."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Channel, ChannelError, Outgoing


def channel_for(name: str, *, email_connection=None) -> Channel:
    if name == "email":
        return import_string(settings.EMAIL_CHANNEL)(connection=email_connection)
    return import_string(settings.SMS_BACKEND)()


__all__ = ["Channel", "ChannelError", "Outgoing", "channel_for"]
