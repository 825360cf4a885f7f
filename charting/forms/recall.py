from django import forms

from medspa.forms import Styled
from treatments.models import Product

from ..models import LotUse

LOT_MAX_LENGTH = LotUse._meta.get_field("lot_number").max_length


class ShortEcho(forms.TextInput):
    """A refused value is shown again, but no more of it than a lot number could be."""

    def format_value(self, value):
        text = super().format_value(value)
        return text[:60] if text else text


class RecallForm(Styled, forms.Form):
    lot = forms.CharField(
        label="Lot number",
        max_length=LOT_MAX_LENGTH,
        widget=ShortEcho(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter the lot number printed on the vial or the recall notice.",
            "max_length": f"A lot number is at most {LOT_MAX_LENGTH} characters.",
        },
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any product",
        error_messages={"invalid_choice": "Choose a product from the list."},
    )
