import datetime as dt

from django import forms

from accounts.formkit import filter_helper, iso_date_options


class ChargeRangeForm(forms.Form):
    """The date range of the charge lines (`?from=YYYY-MM-DD&to=YYYY-MM-DD`, both included).
    Validates and converts only."""

    def __init__(self, data=None, *, today: dt.date, **kwargs):
        # "from" is a Python keyword, so the fields are added here rather than declared.
        first = today.replace(day=1)
        values = {
            "from": (data or {}).get("from") or first.isoformat(),
            "to": (data or {}).get("to") or today.isoformat(),
        }
        super().__init__(values, **kwargs)
        for name, label in (("from", "Served from"), ("to", "Served to")):
            self.fields[name] = forms.DateField(**iso_date_options(label))
        self.helper = filter_helper(
            "charge_lines", ("from", "col-6 col-md-3"), ("to", "col-6 col-md-3")
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.add_error("to", "Enter a date on or after the From date.")
        return cleaned

    @property
    def range(self) -> tuple[dt.date, dt.date]:
        return self.cleaned_data["from"], self.cleaned_data["to"]
