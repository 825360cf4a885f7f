"""No patient token reaches a log line: runserver's access log, django.request, gunicorn's access log."""

import logging
from datetime import date

import pytest
from django.utils import timezone

from bookings.models import Source
from bookings.services import PatientDetails, appointment_book
from bookings.tokens import manage_token
from medspa.log_filters import MaskTokens
from tests.bookings.conftest import at, next_weekday

pytestmark = pytest.mark.django_db

TOKEN_PATHS = ["/my/{t}/", "/my/{t}/calendar.ics", "/intake/{t}/history/", "/follow-up/{t}/", "/waitlist/{t}/",
               "/messages/stop/{t}/", "/api/v1/bookings/{t}", "/api/v1/bookings/{t}/cancel"]  # fmt: skip


def booked_with_token(clinic):
    """An online booking for next week, and the token of its manage and intake links."""
    ada = PatientDetails("Ada", "Park", "ada@example.com", "+19415550199", date(1990, 5, 6))
    start = at(next_weekday(0, at_least=9), 10)
    appointment = appointment_book(
        service=clinic.service, start=start, now=timezone.now(), source=Source.ONLINE, details=ada
    )
    return appointment, manage_token(appointment)


def test_a_404_on_a_token_link_is_logged_without_the_token(client, caplog):
    """Found: tokens appeared in full in the server's log."""
    token = "ABCD2345.s3cr3tSignatureValue"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        for path in TOKEN_PATHS:
            client.get(path.format(t=token))
    logged = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert len(logged) == len(TOKEN_PATHS)
    assert all("[token]" in line and "s3cr3t" not in line for line in logged), logged


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_the_runserver_access_line_masks_the_token(caplog, path, clinic):
    _appointment, token = booked_with_token(clinic)
    with caplog.at_level(logging.INFO, logger="django.server"):
        # What django.core.servers.basehttp.WSGIRequestHandler.log_message logs for each request.
        logging.getLogger("django.server").info('"%s" %s %s', f"GET {path.format(t=token)} HTTP/1.1", "200", "5120")
    (record,) = [r for r in caplog.records if r.name == "django.server"]
    assert token not in record.getMessage() and token.split(".")[0] not in record.getMessage()
    assert record.getMessage() == f'"GET {path.format(t="[token]")} HTTP/1.1" 200 5120'


def test_gunicorns_access_line_masks_the_request_line_and_the_referrer(caplog):
    token = "ABCD2345.s3cr3t"
    atoms = {"h": "203.0.113.5", "r": f"GET /my/{token}/ HTTP/1.1", "s": "200",
             "f": f"https://clinic.example/intake/{token}/done/"}  # fmt: skip
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(s)s "%(f)s"', atoms)
    (record,) = [r for r in caplog.records if r.name == "gunicorn.access"]
    assert record.getMessage() == (
        '203.0.113.5 "GET /my/[token]/ HTTP/1.1" 200 "https://clinic.example/intake/[token]/done/"'
    )


def test_the_console_handler_masks_anything_else_that_reaches_it():
    root_filters = [f for handler in logging.getLogger().handlers for f in handler.filters]
    assert any(isinstance(f, MaskTokens) for f in root_filters)
    record = logging.LogRecord("celery", logging.INFO, __file__, 1, "sent %s", ("/follow-up/XY.sig/",), None)
    MaskTokens().filter(record)
    assert record.getMessage() == "sent /follow-up/[token]/"


def test_paths_without_a_token_are_left_alone():
    for text in ("GET /book/waitlist/ HTTP/1.1", "GET /staff/waitlist/ HTTP/1.1", "POST /api/v1/bookings HTTP/1.1"):
        record = logging.LogRecord("django.server", logging.INFO, __file__, 1, text, None, None)
        MaskTokens().filter(record)
        assert record.getMessage() == text
