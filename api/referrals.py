"""Referrals over the API: create one (as the intake form does) and ask where one stands.

Thin on purpose: check the request against the practice's rules (`config.validation`, and
that the network and provider exist), then call `referrals.services.create_referral`, which
writes the referral, its audit event and its messages in one transaction. The status answer
names no client. Creating is limited per client address (INTAKE_RATE_LIMIT, like the intake
form): past it, 429 and nothing is made. A token is an integration staff issued, with
staff-level reach, so answers are not narrowed by `referrals.eligibility.visible_referrals`; that is why they carry no client details.
"""

from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Header, Router, Status
from ninja.errors import HttpError
from pydantic import WithJsonSchema

from api import idempotency
from api.errors import FieldErrors
from api.models import IDEMPOTENCY_KEY_MAX, ApiToken
from api.schemas import ErrorOut, FieldErrorsOut, ReferralIn, ReferralStatus
from config.client_ip import client_ip
from config.phones import parse_phone
from config.validation import clean_email, clean_name
from providers.availability import availability
from providers.models import InsuranceNetwork, Language, Provider, Specialty
from referrals import services
from referrals.errors import InactiveProvider, OutOfNetwork, ProviderUnavailable
from referrals.models import Referral
from referrals.numbers import parse_referral_number
from throttles.counters import over

router = Router(tags=["referrals"])

EMAIL_NEEDED = (
    "An email address is required: every client receives the referral's emails (confirmation, "
    "24-hour Reminder, Decline Notice)."
)
TOO_MANY = "Too many referrals from this address; try again later, or call the practice."
# What `idempotency.read_key` accepts, stated in the schema.
IdempotencyKeyHeader = Annotated[
    str | None,
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": IDEMPOTENCY_KEY_MAX,
            "pattern": idempotency.KEY_PATTERN,
        }
    ),
]
_KEY_HEADER = Header(None, alias=idempotency.HEADER, description="Makes retries safe; see above.")


def _message(exc: DjangoValidationError) -> str:
    return " ".join(exc.messages)


def _network(value: int | str | None) -> InsuranceNetwork | None:
    if value is None:
        return None
    lookup = {"pk": value} if isinstance(value, int) else {"name": value}
    network = InsuranceNetwork.objects.filter(**lookup).first()
    if network is None:
        raise DjangoValidationError(
            "No insurance network has that id or exact name; GET /api/networks lists them. "
            "Send null for self-pay or another insurance."
        )
    return network


def _provider(provider_id: int | None) -> Provider | None:
    if provider_id is None:
        return None
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise DjangoValidationError("No provider has that id; GET /api/providers lists them.")
    if not provider.is_active:
        raise DjangoValidationError(InactiveProvider.message)
    answer = availability(provider)
    if not answer.ok:
        raise DjangoValidationError(ProviderUnavailable.because(answer).message)
    return provider


def _checked(payload: ReferralIn) -> dict:
    """The arguments for `create_referral`, or FieldErrors naming every field that is wrong."""
    errors: dict[str, str] = {}
    values: dict = {}
    checks = {
        "first_name": lambda: clean_name(payload.first_name, "First name"),
        "last_name": lambda: clean_name(payload.last_name, "Last name"),
        "email": lambda: clean_email(payload.email),
        "phone": lambda: parse_phone(payload.phone),
        "insurance_network": lambda: _network(payload.insurance_network),
        "preferred_provider_id": lambda: _provider(payload.preferred_provider_id),
        "language_id": lambda: _language(payload.language_id),
        "focus_area_ids": lambda: _focus_areas(payload.focus_area_ids),
    }
    for field, check in checks.items():
        try:
            values[field] = check()
        except DjangoValidationError as exc:
            errors[field] = _message(exc)
    if values.get("email") == "":  # None when already wrong
        errors["email"] = EMAIL_NEEDED
    if values.get("phone") == "" and payload.consent_sms:
        errors["phone"] = "consent_sms is true but there is no phone number to text."
    if errors:
        raise FieldErrors(errors)
    return {
        "client": services.ClientDetails(
            first_name=values["first_name"],
            last_name=values["last_name"],
            email=values["email"],
            phone=values["phone"],
            consent_sms=payload.consent_sms,
        ),
        "insurance_network": values["insurance_network"],
        "preferred_provider": values["preferred_provider_id"],
        "out_of_network_confirmed": payload.out_of_network_confirmed,
        "needs": {
            "care_for": payload.care_for or "",
            "modality": payload.modality or "",
            "language": values["language_id"],
            "focus_areas": values["focus_area_ids"],
        },
    }


def _language(pk: int | None):
    if pk is None:
        return None
    language = Language.objects.filter(pk=pk).first()
    if language is None:
        raise DjangoValidationError("No language has that id.")
    return language


def _focus_areas(ids: list[int]) -> list:
    found = list(Specialty.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise DjangoValidationError("Every focus area must be a specialty id.")
    return found


def _create(payload: ReferralIn, token: ApiToken, within=None) -> Referral:
    try:
        return services.create_referral(
            **_checked(payload),
            actor=services.Actor(token.actor_label),
            source=token.actor_label[:40],
            within=within,
        )
    except OutOfNetwork as exc:
        raise FieldErrors({"out_of_network_confirmed": exc.message}) from exc
    except (InactiveProvider, ProviderUnavailable, Provider.DoesNotExist) as exc:
        # The provider was made inactive, unavailable (or removed) between our check and the lock.
        message = (
            "No provider has that id." if isinstance(exc, Provider.DoesNotExist) else exc.message
        )
        raise FieldErrors({"preferred_provider_id": message}) from exc


@router.post(
    "/referrals",
    response={
        200: ReferralStatus,
        201: ReferralStatus,
        400: ErrorOut,
        401: ErrorOut,
        413: ErrorOut,
        409: ErrorOut,
        422: FieldErrorsOut,
        429: ErrorOut,
    },
    summary="Create a referral",
    description="Creates a Preferred Provider referral when `preferred_provider_id` is given, a "
    "General referral otherwise, and queues the messages the practice sends on receipt.\n\n"
    "Send an `Idempotency-Key` header (any printable ASCII up to 200 characters, e.g. a UUID) "
    "to retry safely: a repeat with the same key and body returns the referral created the first "
    "time, with the original status 201 and the header `Idempotent-Replayed: true`; the same key "
    "with a different body is refused with 409. A key is remembered for 24 hours from the first "
    "request: after that it is forgotten, and a request with it creates a new referral.\n\n"
    "Each client address may create INTAKE_RATE_LIMIT referrals (10 an hour unless the practice "
    "sets otherwise); past that the answer is 429 and nothing is made.\n\n"
    "If the same person (the same email, in any case, or the same phone) already has a referral "
    "that is not closed, no new referral is made: the request is attached to that referral as "
    '"asked again" for the intake staff, the client is emailed that their request is in hand, '
    "and no provider is messaged again. The answer is then 200 (not 201) with that referral and "
    "`duplicate: true`. A token is an integration the practice's staff issued, so naming the "
    "existing referral to it reveals nothing staff could not see.",
)
def create_referral(
    request: HttpRequest,
    response: HttpResponse,
    payload: ReferralIn,
    idempotency_key: IdempotencyKeyHeader = _KEY_HEADER,
):
    token: ApiToken = request.auth
    if over("api-create", client_ip(request), settings.INTAKE_RATE_LIMIT):
        raise HttpError(429, TOO_MANY)
    outcome = idempotency.create_once(
        token,
        idempotency.read_key(request),
        idempotency.fingerprint(payload),
        lambda within: _create(payload, token, within),
    )
    response["Location"] = reverse(
        "api:referral_status", kwargs={"number": outcome.referral.number}
    )
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"
        outcome.referral.asked_again = outcome.status == idempotency.ASKED_AGAIN
    return Status(outcome.status, outcome.referral)


@router.get(
    "/referrals/{number}",
    response={200: ReferralStatus, 401: ErrorOut, 404: ErrorOut},
    url_name="referral_status",
    summary="Where a referral stands",
    description="`number` is the referral number (`R-00012`) or its integer id. The answer "
    "carries no client details.",
)
def referral_status(request: HttpRequest, number: str):
    referral_id = parse_referral_number(number)
    referral = (
        Referral.objects.select_related("insurance_network", "accepted_by")
        .filter(pk=referral_id)
        .first()
        if referral_id is not None
        else None
    )
    if referral is None:
        raise HttpError(404, "No such referral.")
    return referral
