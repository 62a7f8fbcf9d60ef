"""The client intake form: what a client may type, checked with the same rules as the JSON API.

Names and emails go through `config.validation`, phones through `config.phones`; the rules that tie
fields together (an email always; texts need a phone) match `api.referrals`. The form only checks input:
`referrals.services.create_referral` makes the referral.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property

from config.phones import parse_phone
from config.validation import EMAIL_MAX, NAME_MAX, clean_email, clean_name
from providers.availability import availability
from providers.models import InsuranceNetwork, Language, Provider, Specialty
from providers.needs import MAX_FOCUS_AREAS, CareFor, Modality
from referrals.eligibility import in_network
from referrals.errors import InactiveProvider, ProviderUnavailable
from referrals.services import ClientDetails

SELF_PAY = "self-pay"
EMAIL_NEEDED = (
    "Please enter your email address: we send your confirmation and every update about your "
    "request there."
)
TEXTS_NEED_A_MOBILE = (
    "Enter your mobile number for text messages, or untick “Also send me short text messages”."
)
PICK_PROVIDER = "Choose a provider from the list, or “No preference”."


def provider_from_choice(value) -> Provider | None:
    """The active provider taking new referrals a submitted id names; None for "No preference".
    Read plainly: `availability` counts recent offers only for a provider with a weekly limit,
    and compiling the `with_availability` annotation for one row cost more than the read."""
    if value in (None, ""):
        return None
    try:
        provider = Provider.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError, OverflowError):
        provider = None
    if provider is None:
        raise ValidationError(PICK_PROVIDER)
    if not provider.is_active:
        raise ValidationError(InactiveProvider.message)
    answer = availability(provider)
    if not answer.ok:
        raise ValidationError(ProviderUnavailable.because(answer).message)
    return provider


class ProviderSelect(forms.Select):
    """A provider dropdown whose providers not taking new referrals are shown but disabled."""

    disabled_values: frozenset[str] = frozenset()  # set per form by provider_choices

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


def provider_choices(widget: ProviderSelect, first: str) -> list[tuple[str, str]]:
    """Active providers for a dropdown, those not taking new referrals labelled ("Not accepting
    new clients", "Back on 12 January") and disabled, in one query."""
    choices, disabled = [("", first)], set()
    for provider in Provider.objects.active().with_availability():
        answer = availability(provider)
        if answer.ok:
            choices.append((str(provider.pk), provider.name))
        else:
            choices.append((str(provider.pk), f"{provider.name} — {answer.label}"))
            disabled.add(str(provider.pk))
    widget.disabled_values = frozenset(disabled)  # this form's own copy of the widget
    return choices


class ClientContactRules:
    """The client's name, email and phone rules, shared by the intake form and admin corrections."""

    def clean_first_name(self):
        return clean_name(self.cleaned_data["first_name"], "First name")

    def clean_last_name(self):
        return clean_name(self.cleaned_data["last_name"], "Last name")

    def clean_email(self):
        return clean_email(self.cleaned_data["email"])

    def clean_phone(self):
        return parse_phone(self.cleaned_data["phone"])


class IntakeForm(ClientContactRules, forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=1000,
        error_messages={"required": "Please enter your first name."},
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "maxlength": NAME_MAX}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=1000,
        error_messages={"required": "Please enter your last name."},
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "maxlength": NAME_MAX}),
    )
    email = forms.CharField(  # not EmailField: `clean_email` says why an address is refused
        label="Email",
        error_messages={"required": EMAIL_NEEDED},
        max_length=1000,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": EMAIL_MAX}),
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=40,
        help_text="Optional. A provider may call you here; needed for text messages. A US number like (555) 234-5678, or an international number starting with +.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    insurance = forms.ChoiceField(
        label="Insurance",
        help_text="We will match you with a provider in your insurance network.",
        error_messages={
            "required": "Choose your insurance, or “Self-pay / other”.",
            "invalid_choice": "Choose your insurance from the list, or “Self-pay / other”.",
        },
    )
    preferred_provider = forms.CharField(
        label="Preferred provider",
        required=False,
        max_length=20,
        help_text="If you would like to see someone in particular. Otherwise the first available provider will contact you.",
        widget=ProviderSelect,
        error_messages={"max_length": PICK_PROVIDER},
    )
    # Asked only when the chosen preferred provider is outside the chosen insurance network.
    pay_out_of_network = forms.BooleanField(
        label="I understand this provider is not in my insurance network, and I may pay out of pocket.",
        required=False,
    )
    # What the client needs (optional): used only to match them with a provider.
    care_for = forms.ChoiceField(
        label="Who is the care for?",
        required=False,
        choices=[("", "No preference"), *CareFor.choices],
    )
    modality = forms.ChoiceField(
        label="In person or by video?",
        required=False,
        choices=[("", "No preference"), *Modality.choices],
    )
    language = forms.ModelChoiceField(
        label="Preferred language",
        required=False,
        queryset=Language.objects.all(),
        empty_label="No preference",
    )
    focus_areas = forms.ModelMultipleChoiceField(
        label="What would you like help with?",
        required=False,
        queryset=Specialty.objects.all(),
        help_text=f"Up to {MAX_FOCUS_AREAS}.",
        widget=forms.CheckboxSelectMultiple,
    )
    consent_sms = forms.BooleanField(
        label="Also send me short text messages about this request (optional).", required=False
    )
    # A trap for bots: hidden from people (and screen readers) by the page, so a value is a bot's.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, marks_for=None, **kwargs):
        """`marks_for`: the insurance and provider chosen so far (htmx, before submitting)."""
        super().__init__(*args, **kwargs)
        # Read once per request: the networks (the chosen one is taken from them), and the
        # providers only if the page shows their list: a submission that is accepted never
        # shows it and reads only the chosen provider.
        self._networks = {str(n.pk): n for n in InsuranceNetwork.objects.all()}
        self.fields["insurance"].choices = [
            ("", "Choose your insurance"),
            *((pk, n.name) for pk, n in self._networks.items()),
            (SELF_PAY, "Self-pay / other"),
        ]
        self._chosen_so_far = self.data if self.is_bound else marks_for or {}
        self.fields["preferred_provider"].widget.choices = lambda: self._provider_list[0]

    @cached_property
    def _provider_list(self) -> tuple[list[tuple[str, str]], str, bool]:
        """The provider dropdown's choices, the chosen provider's label, and whether to ask for
        the out-of-pocket confirmation. Once an insurance is chosen (the form came back, or
        htmx), each provider is marked "in your network" or "not in your network", and the
        confirmation is asked when the chosen one is outside it."""
        widget = self.fields["preferred_provider"].widget
        choices = provider_choices(widget, "No preference")
        chosen = str(self._chosen_so_far.get("insurance", ""))
        if not (chosen.isascii() and chosen.isdigit()) or len(chosen) > 18:
            return choices, "", False
        providers = in_network(Provider.objects.all(), int(chosen))
        in_network_ids = {str(pk) for pk in providers.values_list("pk", flat=True)}
        provider = str(self._chosen_so_far.get("preferred_provider", ""))
        chosen_provider = dict(choices).get(provider, "") if provider else ""
        marked = [
            (
                pk,
                label
                if not pk
                else f"{label} ({'' if pk in in_network_ids else 'not '}in your network)",
            )
            for pk, label in choices
        ]
        return marked, chosen_provider, bool(chosen_provider) and provider not in in_network_ids

    @property
    def chosen_provider(self) -> str:
        return self._provider_list[1]

    @property
    def asks_out_of_network(self) -> bool:
        return self._provider_list[2]

    def clean_insurance(self):
        value = self.cleaned_data["insurance"]
        if value == SELF_PAY:
            return None
        network = self._networks.get(value)
        if network is None:  # removed since the page was shown
            raise ValidationError("Choose your insurance from the list, or “Self-pay / other”.")
        return network

    def clean_preferred_provider(self):
        return provider_from_choice(self.cleaned_data["preferred_provider"])

    def clean(self):
        data = super().clean()
        if data.get("phone") == "" and data.get("consent_sms"):  # None when already wrong
            self.add_error("phone", TEXTS_NEED_A_MOBILE)
        # A provider outside the chosen network without the box ticked: refused by
        # `services.create_referral` (OutOfNetwork), the rule's one owner, in its words.
        return data

    def clean_focus_areas(self):
        areas = self.cleaned_data["focus_areas"]
        if len(areas) > MAX_FOCUS_AREAS:
            raise ValidationError(f"Choose up to {MAX_FOCUS_AREAS} areas.")
        return areas

    def needs(self) -> dict:
        """What the client asked for, for `services.create_referral(needs=...)`."""
        data = self.cleaned_data
        return {
            "care_for": data["care_for"],
            "modality": data["modality"],
            "language": data["language"],
            "focus_areas": list(data["focus_areas"]),
        }

    def caught_bot(self) -> bool:
        """The hidden trap field was filled in: only a bot does that."""
        return bool(self.data.get("website", "").strip())

    def client_details(self) -> ClientDetails:
        data = self.cleaned_data
        return ClientDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            consent_sms=data["consent_sms"],
        )
