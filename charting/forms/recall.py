from django import forms

from treatments.models import Product

from ..models import LotUse

LOT_MAX_LENGTH = LotUse._meta.get_field("lot_number").max_length


class RecallForm(forms.Form):
    lot = forms.CharField(
        label="Lot number",
        max_length=LOT_MAX_LENGTH,
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
