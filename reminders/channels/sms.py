"""Text messages: console, file (development), in-memory (tests) and Twilio's REST API (production)."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings

from .base import Channel, ChannelError, Outgoing

outbox: list[Outgoing] = []  # the in-memory backend's sent messages, for tests


class ConsoleSMS(Channel):
    def send(self, outgoing: Outgoing) -> str:
        print(f"SMS to {outgoing.to}: {outgoing.text}")
        return f"console-{uuid.uuid4().hex[:12]}"


class FileSMS(Channel):
    """One file per message in VAR_DIR/sms, shown in the staff message log too."""

    def send(self, outgoing: Outgoing) -> str:
        folder = Path(settings.VAR_DIR) / "sms"
        folder.mkdir(parents=True, exist_ok=True)
        sid = f"file-{uuid.uuid4().hex[:12]}"
        (folder / f"{sid}.txt").write_text(f"To: {outgoing.to}\n\n{outgoing.text}\n", encoding="utf-8")
        return sid


class MemorySMS(Channel):
    def send(self, outgoing: Outgoing) -> str:
        outbox.append(outgoing)
        return f"memory-{len(outbox)}"


class TwilioSMS(Channel):
    """POST /2010-04-01/Accounts/{sid}/Messages.json with basic auth; 2xx returns the message sid."""

    def send(self, outgoing: Outgoing) -> str:
        account, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        url = f"{settings.TWILIO_API_BASE.rstrip('/')}/2010-04-01/Accounts/{account}/Messages.json"
        body = urllib.parse.urlencode({"To": outgoing.to, "From": settings.TWILIO_FROM, "Body": outgoing.text}).encode()
        if not url.startswith(("https://", "http://")):
            raise ChannelError("TWILIO_API_BASE must be an http(s) URL")
        request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 (checked just above)
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{account}:{token}".encode()).decode())
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        # The same key on every try of one message (its Message-ID). Providers and gateways that honour
        # Idempotency-Key drop a repeat; Twilio's Messages API does not document de-duplication, so a
        # retried text that was in doubt may arrive twice there.
        if outgoing.message_id:
            request.add_header("Idempotency-Key", outgoing.message_id.strip("<>"))
        try:
            # A configured http(s) URL, checked above: not a file:// or custom scheme (ruff S310, bandit B310).
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310  # nosec B310
                return json.loads(response.read())["sid"]
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode(errors="replace")
            raise ChannelError(f"twilio {exc.code}: {detail}") from exc
        except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
            raise ChannelError(f"twilio: {exc}") from exc
