"""Forms of the staff desk: queue filters, analytics filters and the staff actions.

Every choice list is built from the database, so a tampered value is a form error, never a 500.
"""

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from desk.queue import AGE_BANDS
from providers.models import InsuranceNetwork, Provider
from referrals.eligibility import DECLINE_REASONS, STAFF_OUTCOMES
from referrals.models import Referral
from referrals.numbers import parse_referral_number

NOTE_MAX = 2000


def _network_choices():
    return [("", "Any network"), ("self", "Self-pay / other")] + [
        (str(n.pk), n.name) for n in InsuranceNetwork.objects.all()
    ]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label="Client name", required=False, max_length=80)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Referral.Status.choices]
    )
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *Referral.Kind.choices]
    )
    network = forms.ChoiceField(label="Insurance network", required=False)
    provider = forms.ChoiceField(label="Provider", required=False)
    age = forms.ChoiceField(
        label="Age",
        required=False,
        choices=[("", "Any age")] + [(k, label) for k, (label, _, _) in AGE_BANDS.items()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = _network_choices()
        self.fields["provider"].choices = [("", "Any provider")] + [
            (str(p.pk), p.name) for p in Provider.objects.all()
        ]


DEFAULT_WEEKS = 12


def period(data: dict):
    """The dates chosen in a cleaned AnalyticsFilterForm, defaulting to the last 12 weeks up to
    today (display time zone)."""
    end = data.get("end") or timezone.localdate()
    start = data.get("start") or end - timedelta(weeks=DEFAULT_WEEKS)
    return start, end


# Dates the figures can use: a period and its day after (or 12 weeks before) stay in the calendar.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)
_IN_RANGE = [
    MinValueValidator(EARLIEST, f"Choose a date between {EARLIEST} and {LATEST}."),
    MaxValueValidator(LATEST, f"Choose a date between {EARLIEST} and {LATEST}."),
]


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        validators=_IN_RANGE,
        widget=forms.DateInput(attrs={"type": "date", "min": EARLIEST, "max": LATEST}),
    )


class AnalyticsFilterForm(forms.Form):
    start = _date_field("From")
    end = _date_field("To")
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *Referral.Kind.choices]
    )
    network = forms.ChoiceField(label="Insurance network", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = _network_choices()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("“From” must be on or before “To”.")
        return data


class OfferForm(forms.Form):
    provider = forms.ModelChoiceField(
        label="Offer to provider",
        queryset=Provider.objects.none(),
        empty_label="Choose a provider",
        error_messages={"invalid_choice": "Choose one of the providers listed."},
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=NOTE_MAX, widget=forms.Textarea
    )

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = (
            providers if providers is not None else Provider.objects.none()
        )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason",
        choices=[(reason.value, reason.label) for reason in DECLINE_REASONS],
    )
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=NOTE_MAX, widget=forms.Textarea
    )


def staff_members():
    """Who can be given a referral that needs attention: active staff, by user name."""
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Who has it",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Nobody",
        error_messages={"invalid_choice": "Choose one of the staff members listed."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_members()


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", max_length=NOTE_MAX, widget=forms.Textarea)

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Write the note first.")
        return note


class CloseForm(forms.Form):
    """Staff close a referral with any outcome (a duplicate is merged instead) and a note."""

    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(o.value, o.label) for o in STAFF_OUTCOMES],
        error_messages={"invalid_choice": "Choose one of the outcomes listed."},
    )
    first_session_on = forms.DateField(
        label="First session on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only for “First session scheduled”.",
    )
    note = forms.CharField(label="Note", max_length=NOTE_MAX, widget=forms.Textarea)

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Write a note saying why the referral is closed.")
        return note


class MergeForm(forms.Form):
    """This referral is the same person's as another one: it closes as a duplicate of that one."""

    into = forms.CharField(label="Merge into referral", max_length=24)
    note = forms.CharField(
        label="Note (optional)", required=False, max_length=NOTE_MAX, widget=forms.Textarea
    )

    def clean_into(self):
        pk = parse_referral_number(self.cleaned_data["into"])
        if pk is None:
            raise forms.ValidationError("Give the other referral's number, like R-00012.")
        return pk
