"""Who may call the JSON API, and which requests it has already carried out.

An `ApiToken` is stored as the SHA-256 of the secret only: the secret is shown once when
`manage.py create_api_token` makes it, and a stolen database does not yield working tokens. The
prefix is the first characters of the secret, so staff can tell tokens apart in admin.

An `IdempotencyKey` remembers, per token, the referral a keyed POST created, so a retried request
gets that referral back instead of creating a second one. Its unique (token, key) constraint is
what makes two simultaneous retries safe: the row is written in the referral's transaction, and
the loser's transaction rolls back whole. Keys are kept 24 hours (api.idempotency.RETENTION).
"""

import hashlib
import secrets

from django.db import models
from django.utils import timezone

TOKEN_PREFIX_LENGTH = 8
IDEMPOTENCY_KEY_MAX = 200


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class ApiToken(models.Model):
    # 36 characters keeps the referral's source, "api:<name>", within its 40.
    name = models.CharField(
        max_length=36, unique=True, help_text="Who uses it, e.g. 'website' or 'aetna-feed'."
    )
    token_hash = models.CharField("SHA-256 of the token", max_length=64, unique=True)
    prefix = models.CharField(
        max_length=TOKEN_PREFIX_LENGTH, help_text="The token's first characters, to recognise it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False, help_text="A revoked token is refused for good.")

    class Meta:
        ordering = ["name"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, name: str) -> tuple["ApiToken", str]:
        """Create a token; return it with its secret, which exists nowhere else afterwards."""
        secret = secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name, token_hash=hash_token(secret), prefix=secret[:TOKEN_PREFIX_LENGTH]
        )
        return token, secret

    @property
    def actor_label(self) -> str:
        return f"api:{self.name}"


class IdempotencyKey(models.Model):
    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="idempotency_keys")
    key = models.CharField(max_length=IDEMPOTENCY_KEY_MAX)
    fingerprint = models.CharField(
        "request fingerprint", max_length=64, help_text="SHA-256 of the canonical request body."
    )
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    response_status = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_once_per_token"),
        ]
        # The worker looks for expired keys every pass (api.idempotency.purge_expired).
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created")]

    def __str__(self):
        return f"{self.key} → {self.referral_id}"
