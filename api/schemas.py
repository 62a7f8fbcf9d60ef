"""The shapes of what the API accepts and returns, which are also its OpenAPI documentation.

Types are strict (a consent is a JSON boolean, an id a JSON integer) and unknown fields are
refused, so a typo such as "consentEmail" is an error rather than a silently missing consent.
Strings have generous caps and no control characters here; the practice's own rules (names,
phones, emails, which networks and providers exist) are checked in `api.referrals`.
"""

import re
from datetime import UTC, datetime
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

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


class ReferralIn(Schema):
    model_config = ConfigDict(extra="forbid")

    first_name: Text
    last_name: Text
    email: Text = Field("", description="Needed for the client's emails; email or phone required.")
    phone: Text = Field("", description="US number in any common format, or E.164 (+44…).")
    consent_email: StrictBool = Field(False, description="The client agrees to be emailed.")
    consent_sms: StrictBool = Field(False, description="The client agrees to text messages.")
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


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str = Field(
        description="The body field, or header, that is wrong; 'body' for all of it."
    )
    message: str


class FieldErrorsOut(Schema):
    detail: list[FieldErrorOut]
