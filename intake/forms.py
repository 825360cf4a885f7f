"""The intake steps and the follow-up questionnaire, built from the screening table."""

import base64
import binascii

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.forms import DateInput, normalise_phone
from medspa.forms import Styled
from medspa.staff import DayField
from treatments.models import TreatmentArea

from .models import Decision, PhotoUse, SignatureMethod
from .screening import RULES, Severity, decision_refusal
from .services import URGENT_SYMPTOMS
from .typed_signature import typed_signature_png

YES_NO = (("no", "No"), ("yes", "Yes"))
PNG_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_BYTES = 400_000


class ContactForm(Styled, forms.Form):
    email = forms.EmailField(label="Email")
    phone = forms.CharField(label="Mobile phone", max_length=32)

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])


class IdentityCodeForm(Styled, forms.Form):
    code = forms.CharField(
        label="The 6-digit code from the email",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise ValidationError("Enter the 6 digits from the email.")
        return code


class HistoryForm(Styled, forms.Form):
    """One yes/no per screening rule, with the details a yes needs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = []
        for rule in RULES:
            answer = forms.ChoiceField(
                label=rule.question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                help_text=rule.hint,
                error_messages={"required": "Please answer yes or no."},
            )
            self.fields[rule.code] = answer
            details = []
            for follow_up in rule.follow_ups:
                name = f"{rule.code}.{follow_up.name}"
                if follow_up.kind == "date":
                    field = DayField(label=follow_up.label, required=False, widget=DateInput())
                elif follow_up.kind == "choice":
                    field = forms.ChoiceField(label=follow_up.label, required=False,
                                              choices=[("", "Choose…"), *follow_up.choices])  # fmt: skip
                else:
                    field = forms.CharField(label=follow_up.label, required=False, max_length=300)
                self.fields[name] = field
                details.append(name)
            self.groups.append((rule.code, details))

    def rows(self):
        """(answer field, [detail fields]) per question, for the template."""
        return [(self[code], [self[name] for name in details]) for code, details in self.groups]

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for code, details in self.groups:
            if cleaned.get(code) != "yes":
                continue
            for name in details:
                value = cleaned.get(name)
                if value in (None, ""):
                    self.add_error(name, "Please tell us a little more.")
                elif hasattr(value, "year"):
                    if value > today:
                        self.add_error(name, "That date is in the future.")
                    elif value.year < 1990:
                        self.add_error(name, "Please check the year.")
        return cleaned

    def answers(self) -> dict:
        """JSON-ready answers: dates as ISO strings, details kept only for a yes."""
        result = {}
        for code, details in self.groups:
            result[code] = self.cleaned_data[code]
            if result[code] == "yes":
                for name in details:
                    value = self.cleaned_data.get(name)
                    result[name] = value.isoformat() if hasattr(value, "isoformat") else (value or "")
        return result


SIDES = (("left", "My left side"), ("right", "My right side"), ("both", "Both about the same"), ("unsure", "Not sure"))


class GoalsForm(Styled, forms.Form):
    areas = forms.ModelMultipleChoiceField(
        queryset=TreatmentArea.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Which areas would you like to talk about?",
        to_field_name="slug",
    )
    stronger_side = forms.ChoiceField(
        choices=SIDES, widget=forms.RadioSelect, required=False,
        label="Which side looks stronger, higher or more lined to you?",
    )  # fmt: skip
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        label="Anything else you'd like your injector to know?",
    )  # fmt: skip

    def goals(self) -> dict:
        return {
            "areas": [area.slug for area in self.cleaned_data["areas"]],
            "stronger_side": self.cleaned_data.get("stronger_side") or "",
            "notes": self.cleaned_data.get("notes") or "",
        }


class ConsentForm(Styled, forms.Form):
    agree = forms.BooleanField(label="I have read and agree to the consent above.",
                               error_messages={"required": "Please tick to agree before signing."})  # fmt: skip
    typed_name = forms.CharField(label="Type your full name", max_length=160)
    sign_by_typing = forms.BooleanField(
        required=False, label="Sign with my typed name instead of drawing",
        help_text="Your typed name becomes your signature, as binding as a drawn one. "
        "For signing with a keyboard or without a touch screen.",
    )  # fmt: skip
    photo_use = forms.ChoiceField(
        label="Your before-and-after photos", choices=PhotoUse.choices, widget=forms.RadioSelect,
        initial=PhotoUse.CLINICAL, required=False,
        help_text="Your injector photographs your face to compare visits. You can change this when you next sign.",
    )  # fmt: skip
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    strokes = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, full_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.full_name = full_name

    def clean_typed_name(self) -> str:
        typed = " ".join(self.cleaned_data["typed_name"].split())
        if typed.casefold() != " ".join(self.full_name.split()).casefold():
            raise ValidationError(f"Type your full name as on your booking: {self.full_name}.")
        return typed

    def clean_photo_use(self) -> str:
        # Nothing chosen means the narrower use: the clinical record only.
        return self.cleaned_data.get("photo_use") or PhotoUse.CLINICAL

    def clean_signature(self) -> bytes:
        if self.cleaned_data.get("sign_by_typing"):
            return b""  # drawn from the typed name in clean(), whatever the box holds
        value = self.cleaned_data.get("signature") or ""
        if not value.startswith(PNG_PREFIX):
            raise ValidationError("Please sign in the box with your finger or mouse.")
        try:
            data = base64.b64decode(value.removeprefix(PNG_PREFIX), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("The signature didn't come through. Please sign again.") from None
        if not data.startswith(b"\x89PNG\r\n\x1a\n") or len(data) > MAX_SIGNATURE_BYTES:
            raise ValidationError("The signature didn't come through. Please sign again.")
        return data

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sign_by_typing"):
            cleaned["signature_method"] = SignatureMethod.TYPED
            if "typed_name" in cleaned:
                cleaned["signature"] = typed_signature_png(cleaned["typed_name"])
            return cleaned
        cleaned["signature_method"] = SignatureMethod.DRAWN
        if "signature" in cleaned and not (cleaned.get("strokes") or 0) > 0:
            self.add_error("signature", "The signature box is empty. Please sign in the box.")
        return cleaned


LOOKS = (("great", "Great"), ("good", "Good"), ("uneven", "Uneven"), ("too-little", "Too little effect"),
         ("too-much", "Too strong"))  # fmt: skip
SIDE_EFFECTS = (
    ("eyelid-droop", "A drooping eyelid"),
    ("heavy-brow", "A heavy or low brow"),
    ("spock-brow", "A raised, arched outer brow"),
    ("headache", "Headache"),
    ("bruising", "Bruising"),
    ("uneven-smile", "An uneven smile"),
    ("lip-trouble", "Trouble with the lips (straws, drinking, speaking)"),
)


class FollowUpForm(Styled, forms.Form):
    looks = forms.ChoiceField(choices=LOOKS, widget=forms.RadioSelect, label="How does your result look?")
    side_effects = forms.MultipleChoiceField(
        choices=SIDE_EFFECTS, widget=forms.CheckboxSelectMultiple, required=False,
        label="Have you noticed any of these?",
    )  # fmt: skip
    urgent = forms.MultipleChoiceField(
        choices=URGENT_SYMPTOMS, widget=forms.CheckboxSelectMultiple, required=False,
        label="Since your treatment, have you had any of these?",
    )  # fmt: skip
    satisfaction = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in range(1, 6)], coerce=int, widget=forms.RadioSelect,
        label="How happy are you overall? (1 = not at all, 5 = very)",
    )  # fmt: skip
    touch_up = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, label="Would you like a small touch-up?")
    comments = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                               label="Anything else?")  # fmt: skip


class DecisionForm(Styled, forms.Form):
    """The injector's decision on the hits of the history shown (`severities`): an absolute hit is
    not offered "Cleared to treat"; the note is asked for where the rules need one. The service
    applies the same rule (`screening.decision_refusal`) whatever is posted."""

    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect, label="Decision")
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Note")

    def __init__(self, *args, severities: set[str] | frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.severities = set(severities)
        if Severity.ABSOLUTE in self.severities:
            refusal = decision_refusal(self.severities, clears=True, note="")
            self.fields["decision"].choices = [c for c in Decision.choices if c[0] != Decision.CLEARED]
            self.fields["decision"].error_messages["invalid_choice"] = refusal[1] if refusal else ""
            self.fields["decision"].help_text = "An absolute contraindication can't be cleared."
        elif Severity.REVIEW in self.severities:
            self.fields["note"].label = "Note (required)"
            self.fields["note"].help_text = "What you checked and why you decided so."
        if Severity.DEFER in self.severities and Severity.ABSOLUTE not in self.severities:
            self.fields["note"].help_text = "To clear: why it no longer applies (for example, it has healed)."

    def clean(self):
        cleaned = super().clean()
        if "decision" in cleaned:
            refusal = decision_refusal(self.severities, clears=cleaned["decision"] == Decision.CLEARED,
                                       note=cleaned.get("note") or "")  # fmt: skip
            if refusal is not None:
                self.add_error(*refusal)
        return cleaned
