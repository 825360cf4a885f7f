from django import forms


class CodeForm(forms.Form):
    """A code from the authenticator app, or a recovery code (the template draws the input)."""

    code = forms.CharField(label="Code", max_length=32)
