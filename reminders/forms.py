"""Forms of the reminders app's staff pages."""

from django import forms

from medspa.forms import Styled

from .models import SUBSCRIBABLE
from .webhooks.addresses import url_problem


class WebhookEndpointForm(Styled, forms.Form):
    name = forms.CharField(max_length=80, required=False, help_text="What it is, e.g. “Practice CRM”.")
    url = forms.URLField(
        max_length=500,
        label="URL",
        assume_scheme="https",
        help_text="Where we POST the events: https:// on a public address.",
    )
    events = forms.MultipleChoiceField(
        choices=SUBSCRIBABLE, widget=forms.CheckboxSelectMultiple, help_text="What it is told about."
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active: send it events")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        problem = url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
