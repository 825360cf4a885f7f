"""What every form of the project shares: it is drawn by django-crispy-forms' Bootstrap 5 pack.

Templates render a whole form with `{{ form|crispy }}` (or `{% crispy form %}` where a FormHelper
lays it out) and a field the page places itself with `{{ form.x|as_crispy_field }}`; the pack adds
the Bootstrap classes, `is-invalid` and the error and help text under each field.

A field's errors are shown in one element whose id is `<field id>-error`, and the field points at
it and at its help text with aria-describedby: the input itself, or the fieldset around a group of
radios or checkboxes, whose inputs carry aria-invalid. `Styled` gives a form that BoundField. Three
of the pack's templates are overridden in templates/bootstrap5/layout/: the two that draw errors
(for that id) and the group of radios or checkboxes (its hint first, its errors after the options).
"""

from crispy_forms.helper import FormHelper
from django import forms


def error_id(field: forms.BoundField) -> str:
    """The id of the element holding a field's errors."""
    return f"{field.auto_id}-error"


class BoundField(forms.BoundField):
    """Django's, describing a field by its own description, its help text and the project's error element."""

    @property
    def aria_describedby(self) -> str:
        # A description the widget has already (last visit's score, say) comes first.
        ids = self.field.widget.attrs.get("aria-describedby", "").split()
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(f"{self.auto_id}_helptext")
            if self.errors:
                ids.append(error_id(self))
        return " ".join(ids)


class Styled:
    """Mixin for a form drawn by crispy-forms: its errors are linked to their fields as above."""

    bound_field_class = BoundField


def fields_helper(**attributes) -> FormHelper:
    """A FormHelper that draws fields only: the page writes the <form> tag, the token and the buttons."""
    result = FormHelper()
    result.form_tag = False
    result.disable_csrf = True
    for name, value in attributes.items():
        setattr(result, name, value)
    return result
