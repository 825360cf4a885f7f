"""Forms of the front-desk screens. They validate input; the services do the work."""

from datetime import date, datetime

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from medspa.forms import Styled, fields_helper
from medspa.staff import DayField, MomentField
from treatments.models import Service, TreatmentArea

from .models import Location, Patient, PreferredChannel, Provider, Weekday, origin_normalise

# The one hint staff forms give for a phone number; any common way of writing it is accepted.
PHONE_HINT = "e.g. (941) 555-0142"


def normalise_phone(value: str) -> str:
    """E.164, or a ValidationError that says what we expect."""
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(f"Enter a valid phone number, {PHONE_HINT}.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class PatientContactForm(Styled, forms.ModelForm):
    """What front desk may see and edit of a patient: contact details and messaging consent."""

    class Meta:
        model = Patient
        fields = ["first_name", "last_name", "date_of_birth", "email", "phone", "preferred_channel",
                  "consent_email", "consent_sms"]  # fmt: skip
        widgets = {"date_of_birth": DateInput()}
        field_classes = {"date_of_birth": DayField}
        labels = {"consent_email": "Agrees to email", "consent_sms": "Agrees to text messages"}
        help_texts = {"phone": PHONE_HINT}

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean_date_of_birth(self) -> date:
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise ValidationError("Date of birth can't be in the future.")
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("preferred_channel") == PreferredChannel.SMS and not cleaned.get("consent_sms"):
            self.add_error("preferred_channel", "Text messages need the patient's consent first.")
        return cleaned


class NewPatientForm(PatientContactForm):
    """A patient booked by phone who is not on file yet."""

    class Meta(PatientContactForm.Meta):
        fields = ["first_name", "last_name", "date_of_birth", "email", "phone"]


class DeskBookingForm(Styled, forms.Form):
    """A phone booking: service, who, where, when. The time comes from the free slots shown."""

    service = forms.ModelChoiceField(queryset=Service.objects.active())
    location = forms.ModelChoiceField(queryset=Location.objects.filter(is_active=True))
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.filter(is_active=True).select_related("user"), required=False, empty_label="Anyone"
    )
    date = DayField(widget=DateInput())
    start = MomentField(required=False, widget=forms.HiddenInput)
    areas = forms.ModelMultipleChoiceField(
        queryset=TreatmentArea.objects.active(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean_start(self) -> datetime | None:
        value = self.cleaned_data.get("start")
        if value is not None and value.tzinfo is None:
            raise ValidationError("Pick a time from the list.")
        return value


class CancelForm(Styled, forms.Form):
    reason = forms.CharField(
        label="Cancel, with a reason",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Called to cancel: unwell"}),
        error_messages={"required": "Say why, for the record."},
    )


ANYONE = "anyone"


class MoveForm(Styled, forms.Form):
    """Where to move an appointment: the same provider, anyone free at its location, or a colleague."""

    provider = forms.ChoiceField(required=False)
    date = DayField(widget=DateInput())
    start = MomentField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.colleagues = {
            str(p.pk): p
            for p in Provider.objects.filter(is_active=True, services=appointment.service_id)
            .exclude(pk=appointment.provider_id)
            .select_related("user")
        }
        self.fields["provider"].choices = [
            ("", f"Same ({appointment.provider.name})"),
            (ANYONE, f"Anyone free at {appointment.location.name}"),
            *((pk, p.name) for pk, p in self.colleagues.items()),
        ]

    def clean_provider(self) -> Provider | str | None:
        """None: the same provider; ANYONE; or the colleague chosen."""
        value = self.cleaned_data["provider"]
        if value == ANYONE:
            return ANYONE
        return self.colleagues.get(value)


class HoursRowForm(Styled, forms.Form):
    """One block of a week. Every choice starts blank, so the formset's untouched extra row posts
    nothing and is ignored (a day defaulting to Monday made it look filled in)."""

    weekday = forms.TypedChoiceField(label="Day", choices=[("", "—"), *Weekday.choices], coerce=int, empty_value=None)
    location = forms.ModelChoiceField(queryset=Location.objects.filter(is_active=True), empty_label="—")
    start = forms.TimeField(label="From", widget=TimeInput())
    end = forms.TimeField(label="To", widget=TimeInput())
    helper = fields_helper(label_class="visually-hidden")  # a row of a table: its header shows the labels

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] >= cleaned["end"]:
            self.add_error("end", "The end must be after the start.")
        return cleaned


class BaseHoursFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove"


HoursFormSet = forms.formset_factory(HoursRowForm, formset=BaseHoursFormSet, extra=1, can_delete=True)


class TimeOffForm(Styled, forms.Form):
    """Time away, entered in a location's wall-clock time."""

    location = forms.ModelChoiceField(
        queryset=Location.objects.filter(is_active=True), label="Times are in the zone of", empty_label=None
    )
    start = MomentField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = MomentField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(max_length=120, required=False, widget=forms.TextInput(attrs={"placeholder": "Holiday"}))

    def clean(self):
        cleaned = super().clean()
        location, start, end = cleaned.get("location"), cleaned.get("start"), cleaned.get("end")
        if location and start and end:
            # The form parsed them in the clinic's zone; they mean the location's wall-clock time.
            cleaned["start"] = start.replace(tzinfo=None).replace(tzinfo=location.zone)
            cleaned["end"] = end.replace(tzinfo=None).replace(tzinfo=location.zone)
            if cleaned["start"] >= cleaned["end"]:
                self.add_error("end", "The end must be after the start.")
        return cleaned


class WaitlistForm(Styled, forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.active())
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.filter(is_active=True).select_related("user"), required=False, empty_label="Anyone"
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.filter(is_active=True), required=False, empty_label="Any location"
    )
    earliest = DayField(widget=DateInput(), label="From")
    latest = DayField(widget=DateInput(), label="Until")
    note = forms.CharField(max_length=200, required=False, label="Note (e.g. mornings only)")


class EmbedOriginForm(Styled, forms.Form):
    """A website allowed to show the booking embedded: its origin, as the browser names it."""

    origin = forms.CharField(
        label="Website",
        max_length=200,
        help_text="Scheme and host (and port), such as https://www.example.com: no path, no wildcards.",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off", "spellcheck": "false"}),
    )
    note = forms.CharField(label="Note", max_length=120, required=False, help_text="Whose site it is (optional).")

    def clean_origin(self) -> str:
        return origin_normalise(self.cleaned_data["origin"])
