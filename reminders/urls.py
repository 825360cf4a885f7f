from django.urls import path

from . import views, webhook_views

app_name = "reminders"

urlpatterns = [
    path("messages/stop/<str:token>/", views.opt_out, name="opt-out"),
    path("sms/inbound/", views.sms_inbound, name="sms-inbound"),
    path("staff/patients/<id:pk>/messages/", views.patient_messages, name="patient-messages"),
    path("staff/outbox/", views.outbox, name="outbox"),
    path("staff/outbox/<id:pk>/resend/", views.resend, name="resend"),
    path("staff/webhooks/", webhook_views.webhooks, name="webhooks"),
    path("staff/webhooks/new/", webhook_views.webhook_new, name="webhook-new"),
    path("staff/webhooks/<id:pk>/", webhook_views.webhook_detail, name="webhook"),
    path("staff/webhooks/<id:pk>/rotate/", webhook_views.webhook_rotate, name="webhook-rotate"),
    path("staff/webhooks/<id:pk>/test/", webhook_views.webhook_test, name="webhook-test"),
    path("staff/webhooks/deliveries/<id:pk>/resend/", webhook_views.webhook_resend, name="webhook-resend"),
]
