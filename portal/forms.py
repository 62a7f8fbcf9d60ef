"""The forms of the Provider Portal: declining with a reason, closing a referral one holds with
an outcome, recording an attempt to reach the client, and editing one's profile."""

from django import forms

from config.phones import PHONE_MAX, parse_phone
from notifications.slack_ids import validate_slack_user_id
from providers.models import BIO_MAX, Language, Specialty
from providers.photos import photo_from_upload
from referrals.eligibility import DECLINE_REASONS, PROVIDER_OUTCOMES
from referrals.models import ReferralEvent

Reason = ReferralEvent.Reason


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why are you declining?",
        choices=[(reason.value, reason.label) for reason in DECLINE_REASONS],
    )
    note = forms.CharField(label="Note for staff (optional)", required=False, max_length=500)
    round = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=[(o.value, o.label) for o in PROVIDER_OUTCOMES])
    first_session_on = forms.DateField(label="First session on", required=False)
    note = forms.CharField(label="Note for staff (optional)", required=False, max_length=500)


class ContactAttemptForm(forms.Form):
    note = forms.CharField(label="What happened (optional)", required=False, max_length=500)


class ProfileForm(forms.Form):
    phone = forms.CharField(
        label="Mobile phone (alerts)",
        required=False,
        max_length=PHONE_MAX,
        help_text="We text you here when a referral is sent to you, and your text replies come "
        "from it; never shown to clients. Changes at once.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    office_phone = forms.CharField(
        label="Office phone for clients",
        required=False,
        max_length=PHONE_MAX,
        help_text="The line clients should call: shown in your clients' 24-hour Reminder email. "
        "Empty: clients are given the practice's number. Changes at once.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    slack_user_id = forms.CharField(
        label="Slack user ID",
        required=False,
        max_length=32,
        validators=[validate_slack_user_id],
        help_text="So the #referrals post can @-mention you: in Slack, open your profile, "
        "choose ⋮ and “Copy member ID” (like U024BE7LH). Changes at once.",
    )
    bio = forms.CharField(
        label="Biography",
        required=False,
        max_length=BIO_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What clients read on the provider page. Staff approve changes.",
    )
    photo = forms.FileField(
        label="New photo",
        required=False,
        help_text="A JPEG, PNG or WebP headshot; it is cropped square. Staff approve changes.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    specialties = forms.ModelMultipleChoiceField(
        Specialty.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.ModelMultipleChoiceField(
        Language.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean_phone(self):
        return parse_phone(self.cleaned_data["phone"])

    def clean_office_phone(self):
        return parse_phone(self.cleaned_data["office_phone"])

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return photo_from_upload(upload) if upload else None
