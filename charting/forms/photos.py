"""The photo set form: one camera field per expression of the assessment, free photos, and the phase.

Each file is read and re-encoded here (charting.imaging), so a file that is not a photo, is too
big in bytes or in pixels, is refused on its own field before anything is stored.
"""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from medspa.forms import Styled

from ..imaging import Encoded, ImageRefused, photo_reencode
from ..models import Expression
from ..photo_models import Phase
from ..services.photos import PhotoInput

MAX_FREE = 8
CAMERA = {"accept": "image/*", "capture": "environment", "class": "photo-input"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; cleaned to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        # No `capture`: a phone then offers its gallery as well as the camera, where several can be picked.
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*", "class": "photo-input", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(file, initial) for file in files if file]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


def photo_read(file: UploadedFile) -> Encoded:
    """The upload re-encoded, or a ValidationError saying why not (size first: nothing big is decoded)."""
    limit = settings.PHOTO_MAX_BYTES
    if file.size is None or file.size > limit:
        raise forms.ValidationError(
            f"“{file.name}” is {_megabytes(file.size or 0)}; a photo may be at most {_megabytes(limit)}.",
            code="too_big",
        )
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise forms.ValidationError(f"“{file.name}” is over {_megabytes(limit)}.", code="too_big")
    try:
        return photo_reencode(data)
    except ImageRefused as exc:
        raise forms.ValidationError(f"“{file.name}”: {exc}", code="not_a_photo") from None


class PhotoSetForm(Styled, forms.Form):
    phase = forms.ChoiceField(choices=Phase.choices, widget=forms.RadioSelect, label="These photos are")
    free = MultipleFileField(required=False, label="Other photos (optional)",
                             help_text=f"Up to {MAX_FREE}: a close-up, a profile…")  # fmt: skip
    caption = forms.CharField(required=False, max_length=120, label="Caption for the other photos")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Expression.choices:
            self.fields[value] = forms.FileField(
                required=False, label=label, widget=forms.FileInput(attrs={**CAMERA, "data-expression": label})
            )
        self.encoded: dict[str, Encoded] = {}
        self.encoded_free: list[Encoded] = []

    @property
    def expression_fields(self) -> list[forms.BoundField]:
        return [self[value] for value in Expression.values]

    def clean(self):
        cleaned = super().clean()
        for value in Expression.values:
            file = cleaned.get(value)
            if file:
                try:
                    self.encoded[value] = photo_read(file)
                except forms.ValidationError as exc:
                    self.add_error(value, exc)
        free = cleaned.get("free") or []
        if len(free) > MAX_FREE:
            self.add_error("free", f"Choose at most {MAX_FREE} other photos at a time.")
        else:
            for file in free:
                try:
                    self.encoded_free.append(photo_read(file))
                except forms.ValidationError as exc:
                    self.add_error("free", exc)
        if not self.errors and not self.encoded and not self.encoded_free:
            raise forms.ValidationError("Take or choose at least one photo.", code="empty")
        return cleaned

    def photos(self) -> list[PhotoInput]:
        caption = self.cleaned_data.get("caption", "")
        return [PhotoInput(value, self.encoded[value]) for value in Expression.values if value in self.encoded] + [
            PhotoInput("", encoded, caption) for encoded in self.encoded_free
        ]
