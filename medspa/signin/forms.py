from django import forms
from django.contrib.auth.forms import AuthenticationForm

from medspa.forms import Styled


class SignInForm(Styled, AuthenticationForm):
    """Username and password; the fields are "username" and "password", their errors "username-error"…"""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class CodeForm(Styled, forms.Form):
    """A code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"class": "form-control-lg", "autocomplete": "one-time-code", "autocapitalize": "none",
                   "spellcheck": "false", "autofocus": True}
        ),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)


class EnrolCodeForm(CodeForm):
    """The first code, read from the app just set up (the page shows the key above it, so no autofocus)."""

    code = forms.CharField(
        label="Code from the app",
        max_length=32,
        widget=forms.TextInput(
            attrs={"class": "form-control-lg", "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )
