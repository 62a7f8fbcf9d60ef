"""`Idempotency-Key`: a client that retries a POST gets the referral it already created.

A key belongs to the token that sent it. The first request with a key creates the referral and
records (token, key, fingerprint of the body, referral, status) in the same transaction. A later
request with that key and the same body is answered from that record: the original status (201),
the referral as it stands now, and `Idempotent-Replayed: true`. The same key with a different body
is refused with 409 Conflict: the request is well-formed (the IETF draft's 422 would tell a
client, and a schema-driven tester, that the body itself broke a rule) but conflicts with one
already made.

The record is written by one conditional INSERT inside the referral's own transaction
(`create_referral(within=...)`, no transaction or savepoint of ours around it): it inserts the
record, or replaces one older than RETENTION, and writes nothing when a live record holds the key.
Two simultaneous requests with one key both try it; the unique constraint makes the second wait
for the first, which commits; the second then writes nothing, its transaction (its referral
included) rolls back, and it answers from the winner's record.

A key is remembered for RETENTION (24 hours), as the endpoint's documentation says: after that
the same key is a new request and creates a new referral. The worker deletes expired records
(`purge_expired`); one it has not reached yet is replaced by the conditional insert, so the
answer never depends on when the worker last ran.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, connection
from django.utils import timezone
from ninja import Schema
from ninja.errors import HttpError

from api.models import IDEMPOTENCY_KEY_MAX, ApiToken, IdempotencyKey
from referrals.models import Referral

HEADER = "Idempotency-Key"
_VISIBLE_ASCII = re.compile(r"^[\x20-\x7e]+$")
# What the schema states: printable ASCII with at least one visible character.
KEY_PATTERN = r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$"
CREATED = 201
ASKED_AGAIN = 200  # the same person's open referral, not a new one (`ReferralStatus.duplicate`)
RETENTION = timedelta(hours=24)
PURGE_BATCH = 1000


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
    if len(raw) > IDEMPOTENCY_KEY_MAX:
        raise HttpError(400, f"{HEADER} must be at most {IDEMPOTENCY_KEY_MAX} characters.")
    if not _VISIBLE_ASCII.match(key):
        raise HttpError(400, f"{HEADER} must be printable ASCII, e.g. a UUID.")
    return key


def fingerprint(payload: Schema) -> str:
    """SHA-256 of the body as validated, keys sorted: spacing and key order do not matter."""
    canonical = json.dumps(payload.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _stored(token: ApiToken, key: str, body_fingerprint: str, now: datetime) -> Outcome | None:
    """The earlier answer for this key, None when there is none. The usual answer is none (a
    first request), so the key is looked up alone and the referral read only for a replay:
    joining the referral into the lookup cost every first request about three times the
    lookup's CPU (bench/intake_profile.py)."""
    record = (
        IdempotencyKey.objects.filter(token=token, key=key, created_at__gt=now - RETENTION)
        .values_list("fingerprint", "referral_id", "response_status")
        .first()
    )
    if record is None:
        return None
    fingerprint, referral_id, status = record
    if fingerprint != body_fingerprint:
        raise HttpError(
            409,
            f"This {HEADER} was already used with a different request body. Resend the same "
            "body to get the first result, or use a new key for a new referral.",
        )
    referral = Referral.objects.select_related("insurance_network", "accepted_by").get(
        pk=referral_id
    )
    return Outcome(referral, status, replayed=True)


class _KeyTaken(Exception):
    """A live record holds the key: the referral's transaction rolls back."""


def create_once(
    token: ApiToken,
    key: str | None,
    body_fingerprint: str,
    create: Callable[[Callable[[Referral], None] | None], Referral],
) -> Outcome:
    """Run `create` unless this token already did so with this key; see the module docstring.

    `create(within)` makes the referral and calls `within(referral)` inside its transaction."""
    if key is None:
        referral = create(None)
        return Outcome(referral, _status(referral), replayed=False)
    now = timezone.now()
    earlier = _stored(token, key, body_fingerprint, now)
    if earlier is not None:
        return earlier

    def record(referral: Referral) -> None:
        if not _insert_or_replace_expired(token, key, body_fingerprint, referral, now):
            raise _KeyTaken()

    try:
        referral = create(record)
    except (_KeyTaken, IntegrityError):
        # Another request with this key committed first; everything we wrote is rolled back.
        earlier = _stored(token, key, body_fingerprint, now)
        if earlier is None:
            raise
        return earlier
    return Outcome(referral, _status(referral), replayed=False)


def _insert_or_replace_expired(
    token: ApiToken, key: str, body_fingerprint: str, referral: Referral, now: datetime
) -> bool:
    """Record the key in one statement; False (nothing written) when a live record holds it."""
    quote = connection.ops.quote_name
    table = quote(IdempotencyKey._meta.db_table)
    columns = ["token_id", "key", "fingerprint", "referral_id", "response_status", "created_at"]
    replaced = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in columns[2:])
    field = IdempotencyKey._meta.get_field("created_at")
    stamp = [field.get_db_prep_value(t, connection) for t in (now, now - RETENTION)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
            f"VALUES (%s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT ({quote('token_id')}, {quote('key')}) DO UPDATE SET {replaced} "
            f"WHERE {table}.{quote('created_at')} <= %s",
            [token.pk, key, body_fingerprint, referral.pk, _status(referral), *stamp],
        )
        return cursor.rowcount == 1


def _status(referral: Referral) -> int:
    return ASKED_AGAIN if getattr(referral, "asked_again", False) else CREATED


def purge_expired(now: datetime) -> int:
    """Delete up to PURGE_BATCH records older than RETENTION; returns how many went.

    Safe with several workers: two may pick the same rows, and a row already deleted is simply
    not deleted again.
    """
    cutoff = now - RETENTION
    expired = list(
        IdempotencyKey.objects.filter(created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:PURGE_BATCH]
    )
    if not expired:
        return 0
    deleted, _ = IdempotencyKey.objects.filter(pk__in=expired, created_at__lte=cutoff).delete()
    return deleted
