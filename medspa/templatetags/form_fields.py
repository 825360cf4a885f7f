"""What a page may add to a field crispy-forms draws: {% load form_fields %}

    {{ form.notes|described_by:"notes-last"|as_crispy_field }}

ties the field to text the page shows beside it (last visit's notes), before its help text and errors.
"""

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def described_by(field: BoundField, ids: str) -> BoundField:
    field.field.widget.attrs["aria-describedby"] = ids
    return field
