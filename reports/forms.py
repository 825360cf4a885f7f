from datetime import date, timedelta

from django import forms

from bookings.models import Location, Provider
from medspa.staff import EARLIEST_DAY, LATEST_DAY

DATE = {"type": "date", "class": "form-control"}
SELECT = {"class": "form-select"}
LONGEST = timedelta(days=731)  # two years, a leap day included
DEFAULT_DAYS = 30


class ProviderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Provider) -> str:
        return obj.name


class ReportFilterForm(forms.Form):
    """The period and who it is about. Missing dates mean the last 30 days up to `today`."""

    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs=DATE))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs=DATE))
    location = forms.ModelChoiceField(
        Location.objects.order_by("sort_order", "name"),
        required=False,
        empty_label="All locations",
        widget=forms.Select(attrs=SELECT),
    )
    provider = ProviderChoice(
        Provider.objects.select_related("user"),
        required=False,
        empty_label="All providers",
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["since"].widget.attrs.update(min=EARLIEST_DAY.isoformat(), max=LATEST_DAY.isoformat())
        self.fields["until"].widget.attrs.update(min=EARLIEST_DAY.isoformat(), max=LATEST_DAY.isoformat())

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-describedby"] = f"id_{name}-error"
                attrs["aria-invalid"] = "true"

    @classmethod
    def default_period(cls, today: date) -> tuple[date, date]:
        return today - timedelta(days=DEFAULT_DAYS - 1), today

    def _in_range(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise forms.ValidationError(
                f"Choose a day between {EARLIEST_DAY:%Y} and {LATEST_DAY:%Y}.", code="out_of_range"
            )
        return day

    def clean_since(self) -> date | None:
        return self._in_range("since")

    def clean_until(self) -> date | None:
        return self._in_range("until")

    def clean(self) -> dict:
        data = super().clean()
        if "since" not in data or "until" not in data:
            return data  # a field error already says what is wrong
        first, last = self.default_period(self.today)
        since, until = data.get("since"), data.get("until")
        if since is None and until is None:
            since, until = first, last
        elif since is None:
            since = until - timedelta(days=DEFAULT_DAYS - 1)
        elif until is None:
            until = min(since + timedelta(days=DEFAULT_DAYS - 1), LATEST_DAY)
        if since > until:
            self.add_error("until", "The last day must be on or after the first.")
        elif until - since >= LONGEST:
            self.add_error("until", "A report covers two years at most: choose a shorter period.")
        data["since"], data["until"] = since, until
        return data
