"""Managers' webhook pages: the endpoints, each one's secret and delivery log, resend and a test event."""

from django.conf import settings
from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from medspa.staff import require, staff_required

from .forms import WebhookEndpointForm
from .models import WebhookDelivery, WebhookEndpoint
from .webhooks.services import (
    ResendRefused,
    webhook_delivery_resend,
    webhook_endpoint_save,
    webhook_secret_rotate,
    webhook_test_send,
)

VIEW, CHANGE = "reminders.view_webhookendpoint", "reminders.change_webhookendpoint"
LOG_ROWS = 200


@staff_required
def webhooks(request: HttpRequest) -> HttpResponse:
    require(request, VIEW)
    endpoints = WebhookEndpoint.objects.all()
    return render(request, "reminders/staff/webhooks.html", {"endpoints": endpoints})


@staff_required
def webhook_new(request: HttpRequest) -> HttpResponse:
    require(request, CHANGE)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            endpoint = webhook_endpoint_save(**form.cleaned_data, actor=request.user)
            flash.success(request, "Webhook added. Copy its signing secret into the receiving system.")
            return redirect("reminders:webhook", pk=endpoint.pk)
        return render(request, "reminders/staff/webhook_new.html", {"form": form}, status=400)
    return render(request, "reminders/staff/webhook_new.html", {"form": form})


@staff_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The endpoint: its settings (a post changes them), its secret and its delivery log."""
    require(request, VIEW)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    status = 200
    if request.method == "POST":
        require(request, CHANGE)
        form = WebhookEndpointForm(request.POST)
        if form.is_valid():
            webhook_endpoint_save(endpoint=endpoint, **form.cleaned_data, actor=request.user)
            flash.success(request, "Saved.")
            return redirect("reminders:webhook", pk=endpoint.pk)
        status = 400
    else:
        form = WebhookEndpointForm(
            initial={"name": endpoint.name, "url": endpoint.url, "events": endpoint.events,
                     "is_active": endpoint.is_active}
        )  # fmt: skip
    log = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")[:LOG_ROWS]
    context = {
        "endpoint": endpoint,
        "form": form,
        "log": log,
        "zone": settings.CLINIC_TIME_ZONE,
        "in_doubt_before": timezone.now() - settings.MESSAGE_IN_DOUBT_AFTER,
    }
    return render(request, "reminders/staff/webhook_detail.html", context, status=status)


@require_POST
@staff_required
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, CHANGE)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    webhook_secret_rotate(endpoint=endpoint, now=timezone.now())
    flash.success(request, "New secret made: every delivery from now on is signed with it. Copy it across.")
    return redirect("reminders:webhook", pk=endpoint.pk)


@require_POST
@staff_required
def webhook_test(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, CHANGE)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    webhook_test_send(endpoint=endpoint, now=timezone.now())
    flash.success(request, "Test event queued: its delivery shows below in a moment.")
    return redirect("reminders:webhook", pk=endpoint.pk)


@require_POST
@staff_required
def webhook_resend(request: HttpRequest, pk: int) -> HttpResponse:
    require(request, CHANGE)
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    try:
        webhook_delivery_resend(delivery=delivery, now=timezone.now())
    except ResendRefused as exc:
        flash.warning(request, str(exc))
    else:
        flash.success(request, "Queued again as a new delivery.")
    return redirect("reminders:webhook", pk=delivery.endpoint_id)
