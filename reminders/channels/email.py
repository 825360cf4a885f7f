"""Email through Django's configured backend (SMTP by EMAIL_URL, files in development, or Anymail)."""

import smtplib

from django.core.mail import EmailMultiAlternatives

from .base import Channel, ChannelError, Outgoing


class EmailChannel(Channel):
    """Sends through `connection` when given (a sweep shares one SMTP session), else opens its own."""

    def __init__(self, connection=None) -> None:
        self.connection = connection

    def send(self, outgoing: Outgoing) -> str:
        message = EmailMultiAlternatives(
            subject=outgoing.subject,
            body=outgoing.text,
            to=[outgoing.to],
            headers={"Message-ID": outgoing.message_id},
            connection=self.connection,
        )
        if outgoing.html:
            message.attach_alternative(outgoing.html, "text/html")
        for name, content, mimetype in outgoing.attachments:
            message.attach(name, content, mimetype)
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as exc:
            if self.connection is not None:
                self.connection.close()  # the next message opens a fresh session
            raise ChannelError(f"email: {exc}") from exc
        return outgoing.message_id
