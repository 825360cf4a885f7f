"""The assessment grid: one block per muscle, a row per side, a 0–3 select per expression.

The muscles travel with the form as hidden fields (m0-muscle, m0-area, m1-…), so a posted grid
re-renders exactly as it was sent, and "Add" can append a muscle without losing what was entered.
"""

from dataclasses import dataclass

from django import forms

from medspa.forms import Styled, fields_helper
from treatments.models import TreatmentArea

from ..models import Expression, Side
from ..services import MAX_MUSCLES, MUSCLE_MAX_LENGTH, RowInput

SIDES = ((Side.LEFT, "Left"), (Side.RIGHT, "Right"))
SCORE_CHOICES = [("", "–"), ("0", "0"), ("1", "1"), ("2", "2"), ("3", "3")]
SHORT = {"rest": "Rest", "frown": "Frown", "smile": "Smile", "brows": "Brows", "squint": "Squint", "clench": "Clench"}


@dataclass(frozen=True)
class Muscle:
    name: str
    area: TreatmentArea | None


def muscles_posted(data, areas_by_slug: dict[str, TreatmentArea]) -> tuple[list[Muscle], list[str]]:
    """The muscles a posted grid carries, and errors about them (unknown area, blank or long name)."""
    muscles, errors = [], []
    for index in range(MAX_MUSCLES + 1):
        if f"m{index}-muscle" not in data:
            break
        if index == MAX_MUSCLES:
            errors.append(f"Assess at most {MAX_MUSCLES} muscles at one visit.")
            break
        name = data.get(f"m{index}-muscle", "").strip()
        slug = data.get(f"m{index}-area", "").strip()
        area = areas_by_slug.get(slug) if slug else None
        if slug and area is None:
            errors.append(f"Unknown area “{slug[:40]}”.")
            continue
        if not name or len(name) > MUSCLE_MAX_LENGTH:
            errors.append(f"Each muscle needs a name of at most {MUSCLE_MAX_LENGTH} characters.")
            continue
        muscles.append(Muscle(name, area))
    return muscles, errors


class Fresh:
    """An "Add" control starts empty every time: what it asked for is on the grid now."""

    def format_value(self, value):
        return super().format_value(None)


class FreshSelect(Fresh, forms.Select):
    pass


class FreshInput(Fresh, forms.TextInput):
    pass


class AssessmentForm(Styled, forms.Form):
    helper = fields_helper(form_show_labels=False)  # a grid: the page writes each label where it fits
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Notes on the assessment"
    )
    add_area = forms.ModelChoiceField(
        queryset=TreatmentArea.objects.active(), to_field_name="slug", required=False, label="Area",
        empty_label="(none)", widget=FreshSelect(attrs={"class": "form-select-sm"}),
    )  # fmt: skip
    add_muscle = forms.CharField(required=False, max_length=MUSCLE_MAX_LENGTH, label="Muscle (optional)",
                                 widget=FreshInput(attrs={"class": "form-control-sm"}))  # fmt: skip

    def __init__(self, *args, muscles: list[Muscle], last: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.muscles, self.last = muscles, last or {}
        for index, muscle in enumerate(muscles):
            for side, side_label in SIDES:
                before = self.last.get((muscle.name.lower(), side))
                for expression, label in Expression.choices:
                    name = f"m{index}-{side}-{expression}"
                    attrs = {"class": "form-select form-select-sm"}
                    if before is not None:
                        attrs["aria-describedby"] = f"id_{name}-last"
                    self.fields[name] = forms.TypedChoiceField(
                        choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False,
                        label=f"{muscle.name}, {side_label.lower()}, {label.lower()}",
                        widget=forms.Select(attrs=attrs),
                        error_messages={"invalid_choice": "Choose 0, 1, 2 or 3, or leave it blank."},
                    )  # fmt: skip
                self.fields[f"m{index}-{side}-dominant"] = forms.BooleanField(
                    required=False, label=f"{muscle.name}, {side_label.lower()}: dominant driver",
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )  # fmt: skip

    def rows(self) -> list[RowInput]:
        data = self.cleaned_data
        return [
            RowInput(
                muscle=muscle.name,
                side=side,
                area=muscle.area,
                scores={expression: data.get(f"m{index}-{side}-{expression}") for expression in Expression.values},
                dominant=bool(data.get(f"m{index}-{side}-dominant")),
            )
            for index, muscle in enumerate(self.muscles)
            for side, _ in SIDES
        ]

    def blocks(self) -> list[dict]:
        """What the template draws: per muscle, per side, each field beside last visit's value."""
        last, blocks = self.last, []
        for index, muscle in enumerate(self.muscles):
            sides = []
            for side, side_label in SIDES:
                before = last.get((muscle.name.lower(), side))
                cells = [
                    {"field": self[f"m{index}-{side}-{expression}"], "last": getattr(before, expression, None)}
                    for expression in Expression.values
                ]
                sides.append({
                    "side": side, "label": side_label, "cells": cells,
                    "dominant": self[f"m{index}-{side}-dominant"],
                    "last_dominant": getattr(before, "dominant", False), "has_last": before is not None,
                })  # fmt: skip
            blocks.append({"index": index, "muscle": muscle, "sides": sides})
        return blocks
