"""The Accept Referral page's two forms, in the words of the practice's user guide: search for
the client by First name and Last name, then pick a "Referral status" and the "Provider
Requested" and press "Accept Referral".
"""

from django import forms
from django.core.exceptions import ValidationError

from config.validation import NAME_MAX, name_words
from providers.models import Provider
from referrals import eligibility
from referrals.models import ReferralEvent

ACCEPT, DECLINE = "accept", "decline"
Reason = ReferralEvent.Reason

# The declines a provider makes (referrals.eligibility.DECLINE_REASONS), in their own words.
IN_THE_PROVIDERS_WORDS = {
    Reason.UNAVAILABLE: "I am not available to contact the client",
    Reason.NOT_A_FIT: "I contacted the client and we decided not to go ahead",
}
DECLINE_REASONS = [
    (reason, IN_THE_PROVIDERS_WORDS[reason]) for reason in eligibility.DECLINE_REASONS
]


class ClientSearchForm(forms.Form):
    first_name = forms.CharField(label="First name", required=False, max_length=NAME_MAX)
    last_name = forms.CharField(label="Last name", required=False, max_length=NAME_MAX)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("first_name") or data.get("last_name")):
            raise ValidationError("Enter the client's first name, last name, or both.")
        return data

    def matches(self, referrals):
        """Those of `referrals` (the ones the person may see) whose client has these names (case,
        extra spaces and Unicode composition ignored)."""
        lookups = {
            f"client__{name}__iexact": name_words(self.cleaned_data[name])
            for name in ("first_name", "last_name")
            if self.cleaned_data[name]
        }
        return referrals.filter(**lookups)


class _Answer(forms.Form):
    """Accept or Decline, and why when declining. `answer_field` names the Accept/Decline field."""

    answer_field = "status"
    reason = forms.ChoiceField(
        label="Why are you declining?",
        choices=DECLINE_REASONS,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the reasons for declining."},
    )

    def clean(self):
        data = super().clean()
        if data.get(self.answer_field) == DECLINE and not data.get("reason"):
            self.add_error("reason", "Choose why you are declining this referral.")
        return data


class _ProviderField(forms.ModelChoiceField):
    """A provider of `queryset`; the signed-in provider (`known`, read already this request) is
    taken as read rather than asked of the database again."""

    known: Provider | None = None

    def to_python(self, value):
        if self.known is not None and value not in self.empty_values:
            if str(value) == str(self.known.pk):
                return self.known
        return super().to_python(value)


class DecisionForm(_Answer):
    """Accept or decline one referral for one provider. The view decides who may act for whom."""

    referral = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    round = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    status = forms.ChoiceField(
        label="Referral status",
        choices=[(ACCEPT, "Accept"), (DECLINE, "Decline")],
        error_messages={"invalid_choice": "Choose “Accept” or “Decline”."},
    )
    provider = _ProviderField(
        label="Provider Requested",
        queryset=Provider.objects.none(),
        empty_label="Choose a provider",
        error_messages={
            "required": "Choose the provider in “Provider Requested”.",
            "invalid_choice": "Choose a provider from the “Provider Requested” list.",
        },
    )
    field_order = ["referral", "round", "status", "reason", "provider"]

    def __init__(
        self, *args, providers, referral_id=None, preferred=True, signed_in=None, **kwargs
    ):
        # Each result on the page has its own form; distinct ids keep every label tied to its input.
        kwargs.setdefault("auto_id", f"r{referral_id}-%s" if referral_id else "id_%s")
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["provider"].known = signed_in
        if not preferred:  # nobody was requested: it is just who accepts or declines
            self.fields["provider"].label = "Provider"


class LinkDecisionForm(_Answer):
    """The confirm buttons behind a provider's emailed Accept/Decline link."""

    answer_field = "choice"
    choice = forms.ChoiceField(
        choices=[(ACCEPT, "Accept"), (DECLINE, "Decline")],
        error_messages={"invalid_choice": "Press “Accept” or “Decline”."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].initial = Reason.UNAVAILABLE  # the usual reason before any contact
