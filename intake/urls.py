from django.urls import path

from .views import patient, staff

app_name = "intake"

urlpatterns = [
    path("intake/<str:token>/", patient.start, name="start"),
    path("intake/<str:token>/done/", patient.done, name="done"),
    path("intake/<str:token>/correct/", patient.correct, name="correct"),
    path("intake/<str:token>/verify/", patient.verify, name="verify"),
    path("intake/<str:token>/<slug:step>/", patient.step, name="step"),
    path("follow-up/<str:token>/", patient.follow_up, name="follow-up"),
    path("staff/review/", staff.queue, name="queue"),
    path("staff/review/<str:reference>/", staff.review, name="review"),
    path("staff/patients/<id:pk>/answers/", staff.patient_answers, name="patient-answers"),
    path("staff/consents/<id:pk>/signature.png", staff.consent_signature, name="consent-signature"),
    path("staff/follow-ups/", staff.follow_ups, name="follow-ups"),
    path("staff/access-log/", staff.access_log, name="access-log"),
]
