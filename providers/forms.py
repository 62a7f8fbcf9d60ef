"""The availability form a provider fills in the Provider Portal and staff on the desk: one set
of rules for both; `providers.services.set_availability` applies it and keeps the history."""

from django import forms

from providers.services import AVAILABILITY_FIELDS


class AvailabilityForm(forms.Form):
    accepting_new_clients = forms.BooleanField(
        label="Accepting new clients",
        required=False,
        help_text="Untick to get no new referrals. You stay on the provider page, marked "
        "“Not accepting new clients”; referrals you already have stay with you.",
    )
    away_from = forms.DateField(
        label="Away from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="First day away. No new referrals from that day.",
    )
    away_until = forms.DateField(
        label="Away until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Last day away. The provider page says “Back on” the day after.",
    )
    weekly_limit = forms.IntegerField(
        label="Weekly limit of new referrals",
        required=False,
        min_value=1,
        max_value=100,
        help_text="At most this many new referrals offered to you in any 7 days. Empty: no limit.",
    )

    @classmethod
    def for_provider(cls, provider, data=None):
        return cls(data, initial={name: getattr(provider, name) for name in AVAILABILITY_FIELDS})

    def clean(self):
        data = super().clean()
        start, end = data.get("away_from"), data.get("away_until")
        if "away_from" in self.errors or "away_until" in self.errors:
            return data
        if start and not end:
            self.add_error("away_until", "Enter the last day away too, or clear “Away from”.")
        elif end and not start:
            self.add_error("away_from", "Enter the first day away too, or clear “Away until”.")
        elif start and end and end < start:
            self.add_error("away_until", "The last day away must be on or after the first.")
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in AVAILABILITY_FIELDS}
