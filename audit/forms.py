from django import forms

from bookings.models import Patient
from medspa.forms import Styled
from medspa.staff import DayField

DATE = {"type": "date"}


class TrailFilterForm(Styled, forms.Form):
    patient = forms.IntegerField(required=False, min_value=1, label="Patient number")
    since = DayField(required=False, label="From", widget=forms.DateInput(attrs=DATE))
    until = DayField(required=False, label="To", widget=forms.DateInput(attrs=DATE))

    def clean_patient(self) -> Patient | None:
        number = self.cleaned_data.get("patient")
        if number is None:
            return None
        patient = Patient.objects.filter(pk=number).first()
        if patient is None:
            raise forms.ValidationError("No patient has this number.")
        return patient

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", "The last day must be on or after the first.")
        return data


class EraseForm(Styled, forms.Form):
    confirm = forms.BooleanField(label="I have checked this is the patient who asked, and their request is on file.")
