"""Channels behind one interface, like Django's email backends: `send(outgoing) -> provider id`."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Channel, ChannelError, Outgoing


def channel_for(name: str) -> Channel:
    path = settings.EMAIL_CHANNEL if name == "email" else settings.SMS_BACKEND
    return import_string(path)()


__all__ = ["Channel", "ChannelError", "Outgoing", "channel_for"]
