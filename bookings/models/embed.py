"""The websites allowed to show the booking embedded in their pages (a manager lists them).

An origin is a scheme, a host and maybe a port: exactly what a browser compares for
`frame-ancestors` and for `postMessage`. https only, except http for the developer's own machine
(localhost, 127.0.0.1, [::1], *.localhost). No paths (frame-ancestors ignores them and a manager
would think they limit something), no wildcards: each site is listed on its own, so a forgotten
subdomain on somebody else's hosting can never frame the booking.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
ORIGIN_MAX_LENGTH = 200


def _is_local(host: str) -> bool:
    return host in LOCAL_HOSTS or host.endswith(".localhost")


def origin_normalise(value: str) -> str:
    """`value` as the browser writes the origin ("https://www.example.com", lower case, no default
    port, no slash), or a ValidationError saying what is wrong with it."""
    text = (value or "").strip()
    if not text:
        raise ValidationError("Enter the address of the website, such as https://www.example.com.")
    if len(text) > ORIGIN_MAX_LENGTH:
        raise ValidationError(f"An origin is at most {ORIGIN_MAX_LENGTH} characters.")
    if "*" in text:
        raise ValidationError("No wildcards: list each website on its own, such as https://www.example.com.")
    if any(c.isspace() for c in text) or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValidationError("An origin has no spaces or control characters.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValidationError("That is not a website address, such as https://www.example.com.") from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in ("https", "http") or not host or not parts.netloc:
        raise ValidationError("Start with https:// and the website's host, such as https://www.example.com.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError("Leave out a user name or password: just the scheme and host.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValidationError("Just the scheme, host and port: no path, query or fragment (the page doesn't matter).")
    if scheme == "http" and not _is_local(host):
        raise ValidationError("Use https:// (plain http only for localhost while developing).")
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValidationError("That host name is not valid.") from exc
    if ":" in host:  # an IPv6 literal
        try:
            ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise ValidationError("That host name is not valid.") from exc
        host = f"[{host}]"
    elif not all(label and len(label) <= 63 and label.replace("-", "").isalnum() for label in host.split(".")):
        raise ValidationError("That host name is not valid.")
    default = {"https": 443, "http": 80}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


class EmbedOrigin(models.Model):
    origin = models.CharField(max_length=ORIGIN_MAX_LENGTH, unique=True, help_text="Such as https://www.example.com.")
    note = models.CharField(max_length=120, blank=True, help_text="Whose site it is, for the next manager.")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["origin"]
        verbose_name = "embed origin"

    def __str__(self) -> str:
        return self.origin

    def clean(self) -> None:
        try:
            self.origin = origin_normalise(self.origin)
        except ValidationError as exc:
            raise ValidationError({"origin": exc.messages}) from exc
