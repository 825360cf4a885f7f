"""Logging filters: a patient's token never reaches a log line."""

import logging

from .private_paths import mask_tokens


class MaskTokens(logging.Filter):
    """Replaces the token in /my/<token>/, /intake/<token>/, /api/v1/bookings/<token>… with [token].

    Works on the formatted message, so it covers runserver's access line, django.request's
    "Not Found: <path>", gunicorn's access line (request line and referrer) and anything else.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logging module's to report
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
