"""Webhooks: one signed JSON POST to the endpoint's URL, with the standard library's http.client.

The connection goes to the address `target_resolve` checked (never a fresh lookup of the name),
with the name kept for the Host header and the TLS certificate. A 2xx answer is success; any
other status (a redirect too: it is not followed), a timeout or a refused connection is a failure
the sender retries with backoff. Every socket operation waits at most WEBHOOK_TIMEOUT_SECONDS and
the whole request at most three times that, so a receiver that answers a byte at a time cannot
hold the sender.
"""

import contextlib
import http.client
import socket
import ssl
import threading
from dataclasses import dataclass

from django.conf import settings

from ..webhooks.addresses import AddressRefused, Target, target_resolve
from ..webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature_header
from .base import ChannelError

RESPONSE_KEPT = 500  # characters of the receiver's answer kept in the delivery log
USER_AGENT = "Medspa-Webhooks/1"


class WebhookFailed(ChannelError):
    """A try that failed and may succeed later; `status` is the receiver's HTTP status, if it answered."""

    def __init__(self, message: str, *, status: int | None = None, response: str = "") -> None:
        super().__init__(message)
        self.status, self.response = status, response


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    body: str
    secret: str
    event: str
    delivery_id: str
    timestamp: int


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    response: str


class WebhookChannel:
    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout

    def send(self, request: WebhookRequest) -> WebhookAnswer:
        """POST it. Raises AddressRefused (never retried) or WebhookFailed (retried)."""
        try:
            target = target_resolve(request.url)
        except AddressRefused:
            raise
        except (OSError, UnicodeError) as exc:
            raise WebhookFailed(f"The receiver's name does not resolve: {exc}") from exc
        connection = self._connection(target)
        cut = threading.Event()
        watchdog = threading.Timer(self.timeout * 3, _cut, args=(connection, cut))
        watchdog.daemon = True
        watchdog.start()
        try:
            connection.request("POST", target.path, body=request.body.encode(), headers=_headers(request))
            response = connection.getresponse()
            text = response.read(RESPONSE_KEPT * 4).decode("utf-8", errors="replace")[:RESPONSE_KEPT]
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise WebhookFailed(f"No answer from the receiver: {type(exc).__name__}: {exc}"[:300]) from exc
        finally:
            watchdog.cancel()
            connection.close()
        if cut.is_set():  # what was read before the cut may parse as an answer: it is none
            raise WebhookFailed(f"No answer from the receiver within {self.timeout * 3:g} s")
        if not 200 <= response.status < 300:
            moved = " (redirects are not followed)" if 300 <= response.status < 400 else ""
            raise WebhookFailed(f"The receiver answered {response.status}{moved}", status=response.status,
                                response=text)  # fmt: skip
        return WebhookAnswer(response.status, text)

    def _connection(self, target: Target) -> http.client.HTTPConnection:
        if target.scheme == "https":
            connection = http.client.HTTPSConnection(
                target.host, target.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(target.host, target.port, timeout=self.timeout)

        # http.client connects through this attribute; pointing it at the checked address keeps the
        # host name for the Host header and the certificate check, and makes no second lookup.
        def connect_checked(address, timeout=None, source_address=None):
            return socket.create_connection((target.address, address[1]), timeout, source_address)

        connection._create_connection = connect_checked
        return connection


def _cut(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    """The whole request took too long: end it (the blocked read then returns at once)."""
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _headers(request: WebhookRequest) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: request.event,
        DELIVERY_HEADER: request.delivery_id,
        SIGNATURE_HEADER: signature_header(request.secret, request.timestamp, request.body),
    }
