from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("messages/stop/<str:token>/", views.opt_out, name="opt-out"),
    path("sms/inbound/", views.sms_inbound, name="sms-inbound"),
    path("staff/patients/<id:pk>/messages/", views.patient_messages, name="patient-messages"),
    path("staff/outbox/", views.outbox, name="outbox"),
    path("staff/outbox/<id:pk>/resend/", views.resend, name="resend"),
]
