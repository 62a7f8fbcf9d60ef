"""`Idempotency-Key`: a client that retries a POST gets the referral it already created.

A key belongs to the token that sent it. The first request with a key creates the referral and
records (token, key, fingerprint of the body, referral, status) in the same transaction. A later
request with that key and the same body is answered from that record: the original status (201),
the referral as it stands now, and `Idempotent-Replayed: true`. The same key with a different body
is refused (422), following the IETF httpapi "Idempotency-Key" draft.

Two simultaneous requests with one key both try to insert the record; the unique constraint lets
one commit, the other's transaction (its referral included) rolls back, and it answers from the
winner's record.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from ninja import Schema
from ninja.errors import HttpError

from api.errors import FieldErrors
from api.models import IDEMPOTENCY_KEY_MAX, ApiToken, IdempotencyKey
from referrals.models import Referral

HEADER = "Idempotency-Key"
_VISIBLE_ASCII = re.compile(r"^[\x20-\x7e]+$")
CREATED = 201


@dataclass(frozen=True)
class Outcome:
    referral: Referral
    status: int
    replayed: bool


def read_key(request) -> str | None:
    """The request's key, None when it sent none; 400 when the key is unusable."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key:
        raise HttpError(400, f"{HEADER} must not be empty.")
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise HttpError(400, f"{HEADER} must be at most {IDEMPOTENCY_KEY_MAX} characters.")
    if not _VISIBLE_ASCII.match(key):
        raise HttpError(400, f"{HEADER} must be printable ASCII, e.g. a UUID.")
    return key


def fingerprint(payload: Schema) -> str:
    """SHA-256 of the body as validated, keys sorted: spacing and key order do not matter."""
    canonical = json.dumps(payload.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _stored(token: ApiToken, key: str, body_fingerprint: str) -> Outcome | None:
    record = (
        IdempotencyKey.objects.select_related(
            "referral__insurance_network", "referral__accepted_by"
        )
        .filter(token=token, key=key)
        .first()
    )
    if record is None:
        return None
    if record.fingerprint != body_fingerprint:
        raise FieldErrors(
            {
                HEADER: "This key was already used with a different request body. Resend the "
                "same body to get the first result, or use a new key for a new referral."
            }
        )
    return Outcome(record.referral, record.response_status, replayed=True)


def create_once(
    token: ApiToken, key: str | None, body_fingerprint: str, create: Callable[[], Referral]
) -> Outcome:
    """Run `create` unless this token already did so with this key; see the module docstring."""
    if key is None:
        return Outcome(create(), CREATED, replayed=False)
    earlier = _stored(token, key, body_fingerprint)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            referral = create()
            IdempotencyKey.objects.create(
                token=token,
                key=key,
                fingerprint=body_fingerprint,
                referral=referral,
                response_status=CREATED,
            )
    except IntegrityError:
        # Another request with this key committed first; everything we wrote is rolled back.
        earlier = _stored(token, key, body_fingerprint)
        if earlier is None:
            raise
        return earlier
    return Outcome(referral, CREATED, replayed=False)
