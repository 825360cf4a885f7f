"""The treatment record's form: fixed numbers of lot and site rows (no JavaScript needed), parsed into
the checks' entries. The forms only read types; the checks say what is allowed (their messages land
on the same fields: `lots-0-expiry`, `sites-3-units`)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from medspa.forms import Styled, fields_helper
from medspa.middleware import CONTROL_MESSAGE, has_control_characters

from ..checks import LotEntry, SiteEntry
from ..models import Side
from ..services import RecordContent

LOT_ROWS_MIN, SITE_ROWS_MIN, SITE_ROWS_MAX, ADD_ROWS = 2, 8, 60, 6
TEXT_MAX = 5000  # notes, reasons and addenda: as the assessment's notes


def no_control_characters(value: str) -> None:
    """A lot number or a note is typed: a bell or an escape in it is a paste gone wrong (NUL is Django's)."""
    if has_control_characters(value):
        raise ValidationError(CONTROL_MESSAGE)


def _text(**kwargs) -> forms.CharField:
    return forms.CharField(max_length=TEXT_MAX, validators=[no_control_characters], **kwargs)


# Cells of a table row have no <label>: each control says its row and column (_label_cells).
CELL = fields_helper(form_show_labels=False)


def _label_cells(form: forms.Form, noun: str) -> None:
    """Each control of a table row says its row and column to a screen reader."""
    row = int(form.prefix.rsplit("-", 1)[1]) + 1
    for name, field in form.fields.items():
        select = isinstance(field.widget, forms.Select)
        field.widget.attrs.update(
            {"class": "form-select form-select-sm" if select else "form-control form-control-sm",
             "aria-label": f"{noun} {row}: {field.label or name.replace('_', ' ').capitalize()}",
             "data-field": name}
        )  # fmt: skip


class LotRowForm(Styled, forms.Form):
    helper = CELL
    product = forms.ChoiceField(required=False, label="Product")
    lot_number = forms.CharField(required=False, max_length=40, label="Lot number", validators=[no_control_characters])
    expiry = forms.DateField(required=False, label="Expiry", widget=forms.DateInput(attrs={"type": "date"}))
    dilution_ml = forms.DecimalField(
        required=False, min_value=Decimal("0.1"), max_value=Decimal(10), decimal_places=2, label="Saline mL per vial"
    )

    def __init__(self, *args, products=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "—"), *((str(p.pk), p.brand) for p in products)]
        self.fields["dilution_ml"].widget.attrs.update(step="0.1", inputmode="decimal")
        _label_cells(self, "Lot")

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(str(data.get(name) or "").strip() for name in self.fields)

    def clean(self):
        data = super().clean()
        if not self.is_blank() and data.get("dilution_ml") is None and "dilution_ml" not in self.errors:
            self.add_error("dilution_ml", "Enter the saline added per vial, in mL.")
        return data


class SiteRowForm(Styled, forms.Form):
    helper = CELL
    area = forms.ChoiceField(required=False, label="Area")
    side = forms.ChoiceField(required=False, label="Side", choices=[("", "—"), *Side.choices])
    units = forms.DecimalField(required=False, label="Units")
    points = forms.IntegerField(required=False, min_value=1, max_value=20, label="Points")
    lot = forms.ChoiceField(required=False, label="Lot row")

    def __init__(self, *args, areas=(), lot_rows: int = LOT_ROWS_MIN, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "—"), *((str(a.pk), a.name) for a in areas)]
        self.fields["lot"].choices = [("", "—"), *((str(i), f"Lot {i + 1}") for i in range(lot_rows))]
        self.fields["units"].widget.attrs.update(step="0.5", inputmode="decimal", min="0.5")
        self.fields["points"].widget.attrs.update(min="1", max="20")
        _label_cells(self, "Site")

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not any(str(data.get(name) or "").strip() for name in ("area", "side", "units", "points"))


class RecordForm(Styled, forms.Form):
    notes = _text(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    touch_up_of = forms.ChoiceField(required=False, label="Touch-up of")

    def __init__(self, *args, candidates=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["touch_up_of"].choices = [
            ("", "Not a touch-up"),
            *((str(r.pk), f"Treatment of {r.appointment.local_start:%b %-d, %Y}") for r in candidates),
        ]


class ChartForm:
    """The record form with its lot and site rows; `content()` once valid; `add_errors` for refusals."""

    def __init__(self, data=None, *, products, areas, candidates, lot_rows: int, site_rows: int, initial=None):
        initial = initial or {}
        self.lot_rows = max(LOT_ROWS_MIN, min(lot_rows, 10))
        self.site_rows = max(SITE_ROWS_MIN, min(site_rows, SITE_ROWS_MAX))
        self.record = RecordForm(data, candidates=candidates, initial=initial.get("record"))
        lot_initial, site_initial = initial.get("lots", []), initial.get("sites", [])
        self.lots = [
            LotRowForm(data, prefix=f"lots-{i}", products=products,
                       initial=lot_initial[i] if i < len(lot_initial) else None)
            for i in range(self.lot_rows)
        ]  # fmt: skip
        self.sites = [
            SiteRowForm(data, prefix=f"sites-{i}", areas=areas, lot_rows=self.lot_rows,
                        initial=site_initial[i] if i < len(site_initial) else None)
            for i in range(self.site_rows)
        ]  # fmt: skip

    def is_valid(self) -> bool:
        results = [form.is_valid() for form in (self.record, *self.lots, *self.sites)]  # every row gets its errors
        return all(results)

    def content(self) -> RecordContent:
        lots = [
            LotEntry(
                index=i,
                product_id=int(form.cleaned_data["product"]) if form.cleaned_data["product"] else None,
                lot_number=form.cleaned_data["lot_number"] or "",
                expiry=form.cleaned_data["expiry"],
                dilution_ml=form.cleaned_data["dilution_ml"],
            )
            for i, form in enumerate(self.lots)
            if not form.is_blank()
        ]
        only_lot = lots[0].index if len(lots) == 1 else None
        sites = []
        for i, form in enumerate(self.sites):
            if form.is_blank():
                continue
            data = form.cleaned_data
            sites.append(
                SiteEntry(
                    index=i,
                    lot_index=int(data["lot"]) if data["lot"] else only_lot,
                    area_id=int(data["area"]) if data["area"] else None,
                    side=data["side"] or "",
                    units=data["units"],
                    points=data["points"] or 1,
                )
            )
        touch_up = self.record.cleaned_data["touch_up_of"]
        return RecordContent(
            lots=tuple(lots),
            sites=tuple(sites),
            notes=self.record.cleaned_data["notes"],
            touch_up_of=int(touch_up) if touch_up else None,
        )

    def add_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Put each refusal on its field; returns the messages that belong to no field of the form."""
        forms_by_prefix = {form.prefix: form for form in (*self.lots, *self.sites)}
        left = []
        for key, messages in errors.items():
            prefix, _, name = key.rpartition("-")
            form = forms_by_prefix.get(prefix) or (self.record if key in self.record.fields else None)
            name = key if form is self.record else name
            if form is None or name not in form.fields:
                left.extend(messages)
                continue
            for message in messages:
                form.add_error(name, message)
        return left


def initial_from(record, lots, sites) -> dict:
    """The saved draft as the form's initial rows (lots and sites in saved order)."""
    position = {lot.pk: i for i, lot in enumerate(lots)}
    return {
        "record": {"notes": record.notes, "touch_up_of": str(record.touch_up_of_id or "")},
        "lots": [
            {
                "product": str(lot.product_id),
                "lot_number": lot.lot_number,
                "expiry": lot.expiry,
                "dilution_ml": lot.dilution_ml,
            }
            for lot in lots
        ],
        "sites": [
            {
                "area": str(site.area_id),
                "side": site.side,
                "units": f"{site.units.normalize():f}",
                "points": site.points,
                "lot": str(position[site.lot_id]),
            }
            for site in sites
        ],
    }


class NotTreatedForm(Styled, forms.Form):
    reason = _text(widget=forms.Textarea(attrs={"rows": 2}), label="Why the patient was not treated")


class AddendumForm(Styled, forms.Form):
    text = _text(widget=forms.Textarea(attrs={"rows": 3}), label="Addendum")
