"""The manager's webhook page in Chromium: no serious axe violation, the secret behind a click, the log."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from reminders.models import MessageState
from tests.browser.conftest import DESKTOP, screenshot
from tests.conftest import StaffClient
from tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_webhook_page_shows_the_log_and_keeps_the_secret_behind_a_click(live_server, browser, axe, manager_user):
    endpoint = WebhookEndpointFactory(name="Practice CRM", url="https://crm.example.com/hooks/medspa")
    now = timezone.now()
    WebhookDeliveryFactory(
        endpoint=endpoint,
        event="appointment.booked",
        reference="K7M2XQ9P",
        state=MessageState.SENT,
        attempts=1,
        last_status=200,
        last_response="ok",
        sent_at=now,
    )
    WebhookDeliveryFactory(
        endpoint=endpoint,
        event="appointment.cancelled",
        reference="P3QW8RTN",
        state=MessageState.PENDING,
        attempts=2,
        last_status=503,
        due_at=now + timedelta(minutes=4),
        last_error="The receiver answered 503",
        last_response="Service Unavailable",
    )
    WebhookDeliveryFactory(endpoint=endpoint, state=MessageState.FAILED, attempts=5,
                           last_error="No answer from the receiver: ConnectionRefusedError")  # fmt: skip
    client = StaffClient()
    client.force_login(manager_user)
    context = browser.new_context(viewport={**DESKTOP, "width": 1280}, bypass_csp=True)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/staff/webhooks/{endpoint.pk}/")
    expect(page.get_by_role("heading", name="Practice CRM")).to_be_visible()
    expect(page.locator("#webhook-secret")).to_be_hidden()
    expect(page.get_by_role("button", name="Resend")).to_have_count(2)  # not the one still waiting
    axe.assert_no_serious(page, "the webhook page")
    page.get_by_text("Show the secret").click()
    expect(page.locator("#webhook-secret")).to_have_text(endpoint.secret)
    screenshot(page, "webhook-endpoint")  # docs/webhook-endpoint.png is this, made smaller
    context.close()
