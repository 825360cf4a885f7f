from dataclasses import dataclass, field


class ChannelError(Exception):
    """A send that failed and may succeed later (it is retried with backoff)."""


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    text: str
    html: str = ""
    message_id: str = ""  # the same on every try: the email Message-ID, and the SMS idempotency key
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


class Channel:
    def send(self, outgoing: Outgoing) -> str:
        """Deliver one message; return the provider's id for it. Raise ChannelError to retry."""
        raise NotImplementedError
