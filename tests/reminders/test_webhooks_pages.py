"""The managers' webhook pages: add and change an endpoint (bad URLs are field errors and a 400), the
secret and its rotation, the test event, the delivery log and its Resend; nobody else gets in."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from reminders.models import MessageState, WebhookDelivery, WebhookEndpoint
from reminders.services import messages_send_due
from reminders.webhooks.addresses import url_problem
from tests.conftest import StaffClient
from tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.reminders.webhook_receiver import readme_verify

pytestmark = pytest.mark.django_db

verify = readme_verify()
GOOD = {"name": "Practice CRM", "url": "https://hooks.example.com/medspa",
        "events": ["appointment.booked", "intake.completed"], "is_active": "on"}  # fmt: skip


@pytest.fixture
def manager(client, manager_user):
    client.force_login(manager_user)
    return client


def test_a_manager_adds_an_endpoint_and_sees_its_secret(manager, manager_user):
    response = manager.post(reverse("reminders:webhook-new"), GOOD)
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reminders:webhook", args=[endpoint.pk])
    assert endpoint.events == ["appointment.booked", "intake.completed"] and endpoint.is_active
    assert endpoint.created_by == manager_user and endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    page = manager.get(response["Location"]).content.decode()
    assert endpoint.secret in page and "Practice CRM" in page
    assert "Webhooks" in manager.get(reverse("reminders:webhooks")).content.decode()


BAD_URLS = [
    ("", "required"),
    ("not a url", "valid URL"),
    ("ftp://hooks.example.com/x", "https://"),
    ("http://hooks.example.com/x", "https://"),
    ("https://10.0.0.1/x", "private or reserved"),
    ("https://192.168.1.20/x", "private or reserved"),
    ("https://169.254.169.254/latest/meta-data/", "private or reserved"),
    ("https://[fd00::1]/x", "private or reserved"),
    ("https://[::ffff:10.0.0.1]/x", "private or reserved"),
    ("https://0.0.0.0/x", "private or reserved"),
    ("https://2130706433/x", "valid URL"),  # 127.0.0.1 in another spelling
    ("https://0x7f.1/x", "valid URL"),
    ("https://user:secret@hooks.example.com/x", "password"),
    ("https://hooks.example.com:99999/x", "valid"),
    ("https://hooks.example.com/" + "x" * 600, "at most 500"),
]


@pytest.mark.parametrize(("url", "says"), BAD_URLS)
def test_a_bad_url_is_a_field_error_and_a_400_and_nothing_is_saved(manager, url, says):
    response = manager.post(reverse("reminders:webhook-new"), {**GOOD, "url": url})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["url"] and says in " ".join(errors["url"]), errors
    assert 'id="id_url-error"' in response.content.decode() and "Practice CRM" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@override_settings(WEBHOOK_ALLOW_LOCAL=False)
@pytest.mark.parametrize("url", ["http://127.0.0.1:8001/x", "https://localhost/x", "https://[::1]/x",
                                 "https://127.0.0.2/x", "https://app.localhost/x"])  # fmt: skip
def test_in_production_the_server_itself_is_refused(url):
    assert url_problem(url)


@override_settings(WEBHOOK_ALLOW_LOCAL=True)
@pytest.mark.parametrize("url", ["http://127.0.0.1:8001/x", "http://localhost:9/x", "http://[::1]:9/x"])
def test_in_development_a_receiver_on_this_machine_is_allowed(url):
    assert url_problem(url) is None


@override_settings(WEBHOOK_ALLOW_LOCAL=True)
@pytest.mark.parametrize("url", ["http://10.0.0.1/x", "https://10.0.0.1/x", "https://169.254.169.254/"])
def test_even_in_development_private_and_link_local_addresses_are_refused(url):
    assert url_problem(url)


@pytest.mark.parametrize("url", ["https://2130706433/x", "https://0x7f.1/x", "https://017700000001/x"])
def test_an_ip_address_in_an_odd_spelling_is_refused_even_past_the_form(url):
    assert "usual way" in url_problem(url)


def test_no_events_chosen_is_a_field_error(manager):
    response = manager.post(reverse("reminders:webhook-new"), {**GOOD, "events": []})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["events"]
    response = manager.post(reverse("reminders:webhook-new"), {**GOOD, "events": ["webhook.test"]})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["events"]


def test_a_huge_name_is_a_field_error(manager):
    response = manager.post(reverse("reminders:webhook-new"), {**GOOD, "name": "x" * 100_000})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["name"]


def test_a_change_with_a_bad_url_keeps_the_endpoint_as_it_was(manager):
    endpoint = WebhookEndpointFactory()
    before = (endpoint.url, endpoint.events)
    response = manager.post(reverse("reminders:webhook", args=[endpoint.pk]), {**GOOD, "url": "https://10.1.2.3/"})
    assert response.status_code == 400 and "private or reserved" in response.content.decode()
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == before
    response = manager.post(reverse("reminders:webhook", args=[endpoint.pk]), {**GOOD, "is_active": ""})
    endpoint.refresh_from_db()
    assert response.status_code == 302 and endpoint.url == GOOD["url"] and not endpoint.is_active


def test_rotating_the_secret_signs_the_next_delivery_with_the_new_one(manager, receiver):
    hook = receiver()
    endpoint = WebhookEndpointFactory(url=hook.url)
    old = endpoint.secret
    assert manager.post(reverse("reminders:webhook-rotate", args=[endpoint.pk])).status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret_rotated_at is not None
    assert manager.post(reverse("reminders:webhook-test", args=[endpoint.pk])).status_code == 302
    messages_send_due()
    (request,) = hook.requests
    assert verify(endpoint.secret, request.body, request.headers["x-medspa-signature"])["event"] == "webhook.test"
    with pytest.raises(ValueError, match="bad signature"):
        verify(old, request.body, request.headers["x-medspa-signature"])
    with pytest.raises(ValueError, match="too old"):
        verify(
            endpoint.secret, request.body, request.headers["x-medspa-signature"], now=timezone.now().timestamp() + 301
        )
    tampered = request.body.replace(b"webhook.test", b"webhook.tesT")
    with pytest.raises(ValueError, match="bad signature"):
        verify(endpoint.secret, tampered, request.headers["x-medspa-signature"])


def test_the_log_shows_each_delivery_and_resend_sends_it_again_as_a_new_delivery(manager, receiver):
    hook = receiver()
    endpoint = WebhookEndpointFactory(url=hook.url)
    failed = WebhookDeliveryFactory(endpoint=endpoint, state=MessageState.FAILED, attempts=5, last_status=503,
                                    last_error="The receiver answered 503")  # fmt: skip
    page = manager.get(reverse("reminders:webhook", args=[endpoint.pk])).content.decode()
    assert "Test event" in page and "HTTP 503" in page and "The receiver answered 503" in page and "Failed" in page
    resend = reverse("reminders:webhook-resend", args=[failed.pk])
    assert manager.post(resend).status_code == 302
    assert manager.post(resend).status_code == 302  # a double click: queued once
    again = WebhookDelivery.objects.exclude(pk=failed.pk).get()
    assert (again.body, again.event_id, again.resend_of) == (failed.body, failed.event_id, failed)
    assert again.delivery_id != failed.delivery_id and again.state == MessageState.PENDING
    messages_send_due()
    (request,) = hook.requests
    assert request.headers["x-medspa-delivery"] == str(again.delivery_id)
    assert verify(endpoint.secret, request.body, request.headers["x-medspa-signature"])["id"] == failed.event_id
    failed.refresh_from_db()
    assert failed.state == MessageState.FAILED and failed.attempts == 5  # its own log is kept
    assert manager.post(resend).status_code == 302  # sent now: it may be resent again
    assert WebhookDelivery.objects.count() == 3


def test_a_resend_of_a_delivery_still_waiting_is_refused(manager):
    waiting = WebhookDeliveryFactory()
    response = manager.post(reverse("reminders:webhook-resend", args=[waiting.pk]), follow=True)
    assert "already waiting" in response.content.decode() and WebhookDelivery.objects.count() == 1


WEBHOOK_URLS = ["webhooks", "webhook-new", "webhook", "webhook-rotate", "webhook-test", "webhook-resend"]


def _url(name, endpoint, delivery):
    if name in ("webhooks", "webhook-new"):
        return reverse(f"reminders:{name}")
    return reverse(f"reminders:{name}", args=[delivery.pk if name == "webhook-resend" else endpoint.pk])


@pytest.mark.parametrize("role", ["front_desk_user", "injector_user", None])
def test_nobody_but_a_manager_opens_or_changes_webhooks(client, role, request):
    delivery = WebhookDeliveryFactory(state=MessageState.FAILED)
    endpoint = delivery.endpoint
    if role:
        client.force_login(request.getfixturevalue(role))
    for name in WEBHOOK_URLS:
        for method in ("get", "post"):
            url = _url(name, endpoint, delivery)
            response = getattr(client, method)(url, GOOD if method == "post" else None)
            if role:
                assert response.status_code in (403, 405), (name, method, response.status_code)
            else:
                signing_in = response.status_code == 302 and "/login/" in response["Location"]
                assert signing_in or response.status_code == 405, (name, method)
            assert endpoint.secret not in response.content.decode()
    endpoint_before = WebhookEndpoint.objects.get()
    assert (endpoint_before.url, endpoint_before.secret) == (endpoint.url, endpoint.secret)
    assert WebhookEndpoint.objects.count() == 1 and WebhookDelivery.objects.count() == 1


def test_a_post_without_the_csrf_token_is_refused(manager_user):
    client = StaffClient(enforce_csrf_checks=True)
    client.force_login(manager_user)
    delivery = WebhookDeliveryFactory(state=MessageState.FAILED)
    for name in ("webhook-new", "webhook", "webhook-rotate", "webhook-test", "webhook-resend"):
        response = client.post(_url(name, delivery.endpoint, delivery), GOOD)
        assert response.status_code == 403, name
    assert WebhookEndpoint.objects.count() == 1 and WebhookDelivery.objects.count() == 1


def test_gets_on_the_post_only_urls_are_refused_and_odd_ids_are_404(manager):
    endpoint = WebhookEndpointFactory()
    assert manager.get(reverse("reminders:webhook-rotate", args=[endpoint.pk])).status_code == 405
    assert manager.get(reverse("reminders:webhook", args=[endpoint.pk + 1000])).status_code == 404
    assert manager.post(reverse("reminders:webhook-resend", args=[987654])).status_code == 404


def test_the_outbox_leads_managers_to_the_webhooks_and_nobody_else(client, manager_user, front_desk_user):
    link = reverse("reminders:webhooks")
    client.force_login(manager_user)
    assert link in client.get(reverse("reminders:outbox")).content.decode()
    client.force_login(front_desk_user)
    assert link not in client.get(reverse("reminders:outbox")).content.decode()
