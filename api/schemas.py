"""The shapes of what the API accepts and returns, which are also its OpenAPI documentation.

Types are strict (a consent is a JSON boolean, an id a JSON integer) and unknown fields are
refused, so a typo such as "consentEmail" is an error rather than a silently missing consent.
Strings have generous caps and no control characters here; the practice's own rules (names,
phones, emails, which networks and providers exist) are checked in `api.referrals`, and stated
here in the schema too (patterns from `config.validation`, phones as the format "phone", the directory's
ids and names as
enums, the cross-field rules as `allOf`), so a request the schema allows is never refused.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
)

from config.phones import PHONE_MAX
from config.validation import EMAIL_MAX, NAME_MAX, NAME_PATTERN
from providers.models import InsuranceNetwork, Language, Provider, Specialty
from providers.needs import MAX_FOCUS_AREAS, CareFor, Modality
from referrals.models import Referral

_NOT_TEXT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _plain_text(value: str) -> str:
    if _NOT_TEXT.search(value):
        raise ValueError("Must not contain control characters (tab, newline, NUL and the like).")
    return value


Text = Annotated[str, StringConstraints(max_length=1000), AfterValidator(_plain_text)]
Id = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


def _stated(schema: dict):
    return WithJsonSchema({"type": "string", **schema})


_NAME_RULE = {
    "minLength": 1,
    "maxLength": NAME_MAX,
    "pattern": NAME_PATTERN,
    "description": "Letters and marks of any script, spaces, apostrophes (' ’ ʼ), hyphens and "
    "periods; at least one letter. Stored in Unicode NFC with spaces collapsed.",
}
Name = Annotated[Text, _stated(_NAME_RULE)]
Email = Annotated[
    Text,
    _stated(
        {
            "minLength": 1,
            "maxLength": EMAIL_MAX,
            "format": "email",
            "description": "Required: an address we can send to (ASCII before the @). Every "
            "client receives the referral's emails.",
        }
    ),
]
Phone = Annotated[
    Text,
    _stated(
        {
            "maxLength": PHONE_MAX,
            "anyOf": [{"maxLength": 0}, {"format": "phone"}],
            "description": "Empty, or a phone number in use: written any common way in the "
            "practice's region (PHONE_REGION, e.g. (201) 555-0123), or international with + "
            "and the country code (+44 20 7946 0958). Checked with libphonenumber; stored in "
            "E.164.",
        }
    ),
]


def _directory_and_cross_field_rules(schema: dict) -> None:
    """What exists right now (networks, providers taking new referrals, languages, specialties)
    and the rules tying fields together."""
    networks = list(InsuranceNetwork.objects.order_by("pk").values_list("pk", "name"))
    choices = [{"type": "null"}]
    if networks:
        choices += [
            {"type": "integer", "enum": [pk for pk, _ in networks]},
            {"type": "string", "enum": [name for _, name in networks]},
        ]
    schema["properties"]["insurance_network"] = {
        **_described(schema, "insurance_network"),
        "anyOf": choices,
    }
    providers = list(
        Provider.objects.taking_new_referrals().order_by("pk").values_list("pk", flat=True)
    )
    schema["properties"]["preferred_provider_id"] = {
        **_described(schema, "preferred_provider_id"),
        "anyOf": [{"type": "null"}]
        + ([{"type": "integer", "enum": providers}] if providers else []),
    }
    languages = list(Language.objects.order_by("pk").values_list("pk", flat=True))
    schema["properties"]["language_id"] = {
        **_described(schema, "language_id"),
        "anyOf": [{"type": "null"}]
        + ([{"type": "integer", "enum": languages}] if languages else []),
    }
    specialties = list(Specialty.objects.order_by("pk").values_list("pk", flat=True))
    schema["properties"]["focus_area_ids"] = {
        **_described(schema, "focus_area_ids"),
        "type": "array",
        "maxItems": MAX_FOCUS_AREAS,
        "items": {"type": "integer", "enum": specialties} if specialties else {"not": {}},
    }
    schema["allOf"] = [
        {  # consent_sms needs a phone
            "anyOf": [
                {"properties": {"consent_sms": {"const": False}}},
                {"required": ["phone"], "properties": {"phone": {"minLength": 1}}},
            ]
        },
    ]


def _described(schema: dict, name: str) -> dict:
    found = schema["properties"][name]
    return {k: found[k] for k in ("description", "default", "title") if k in found}


class ReferralIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_directory_and_cross_field_rules)

    first_name: Name
    last_name: Name
    email: Email = Field(description="Required: the client's emails go here.")
    phone: Phone = Field("", description="The client's phone; a mobile if consent_sms.")
    consent_email: StrictBool = Field(
        False,
        deprecated=True,
        description="Ignored: every client receives the referral's emails. Accepted so that "
        "older integrations keep working.",
    )
    consent_sms: StrictBool = Field(
        False,
        description="The client asked for text messages too (needs a phone): short texts with "
        "no health details for the confirmation, the 24-hour Reminder and the Decline Notice.",
    )
    insurance_network: Id | Text | None = Field(
        None,
        description="A network id or its exact name (see GET /api/networks); null for self-pay "
        "or another insurance.",
    )
    preferred_provider_id: Id | None = Field(
        None,
        description="An active provider (see GET /api/providers) for a Preferred Provider "
        "referral; null for a General referral.",
    )
    out_of_network_confirmed: StrictBool = Field(
        False,
        description="The client confirmed they may pay out of pocket for a preferred provider "
        "outside their insurance network. Without it such a request is refused (422, field "
        "out_of_network_confirmed), also when the client has a referral open; with it the "
        "referral is marked out_of_network.",
    )
    # What the client needs (optional), used only to order providers by fit.
    care_for: Literal[tuple(CareFor.values)] | None = Field(
        None, description="Who the care is for."
    )
    modality: Literal[tuple(Modality.values)] | None = Field(
        None, description="In person, by video, or either."
    )
    language_id: Id | None = Field(None, description="A language id the client prefers.")
    focus_area_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_FOCUS_AREAS,
        description=f"Up to {MAX_FOCUS_AREAS} specialty ids.",
    )


class ReferralStatus(Schema):
    """Where a referral stands. Deliberately nothing about the client."""

    number: str = Field(examples=["R-00012"])
    status: str = Field(description=", ".join(Referral.Status.values))
    kind: str = Field(description=", ".join(Referral.Kind.values))
    insurance_network: str | None = Field(description="Network name; null for self-pay/other.")
    created_at: UtcDatetime
    accepted_at: UtcDatetime | None
    expires_at: UtcDatetime | None = Field(
        description="When the current 48-hour offer round ends unless accepted or declined."
    )
    accepted_by: str | None = Field(description="Name of the provider who accepted it.")
    out_of_network: bool = Field(
        False,
        description="The preferred provider is outside the client's insurance network; the "
        "client confirmed they may pay out of pocket.",
    )
    outcome: str | None = Field(
        description="How it ended, once closed: " + ", ".join(Referral.Outcome.values)
    )
    duplicate: bool = Field(
        False,
        description="On create: true when the same person (email or phone) already had a "
        "referral that is not closed; this is that referral, and no new one was made (status 200).",
    )

    @staticmethod
    def resolve_outcome(referral: Referral) -> str | None:
        return referral.outcome or None

    @staticmethod
    def resolve_duplicate(referral: Referral) -> bool:
        return bool(getattr(referral, "asked_again", False))

    @staticmethod
    def resolve_insurance_network(referral: Referral) -> str | None:
        return referral.insurance_network.name if referral.insurance_network_id else None

    @staticmethod
    def resolve_accepted_by(referral: Referral) -> str | None:
        return referral.accepted_by.name if referral.accepted_by_id else None


class NetworkOut(Schema):
    id: int
    name: str


class ProviderOut(Schema):
    id: int
    name: str
    network_ids: list[int] = Field(description="Insurance networks the provider participates in.")
    taking_new_referrals: bool = Field(
        description="False: not accepting new clients, away, or at their weekly limit; "
        "they cannot be the preferred provider now (422)."
    )
    availability: str = Field(
        description='What to show clients when not taking new referrals: "Not accepting new '
        'clients" or "Back on 12 January"; empty otherwise.'
    )
    back_on: date | None = Field(description="When away: the first day back.")


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str = Field(
        description="The body field, or header, that is wrong; 'body' for all of it."
    )
    message: str


class FieldErrorsOut(Schema):
    detail: list[FieldErrorOut]
