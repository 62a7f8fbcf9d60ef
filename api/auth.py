"""Bearer-token authentication: `Authorization: Bearer <token>` names the integration calling.

The presented token is hashed and looked up by its hash; revoked tokens are refused. Refusals
are answered 401 by `api.errors`. `last_used_at` is written at most once a minute per token, so
reads do not each become a database write. Unlike ninja's own parser, a malformed header is
never logged: it may hold a real secret.
"""

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from api.models import ApiToken, hash_token

TOUCH_EVERY = timedelta(minutes=1)
_LONGEST_PLAUSIBLE_TOKEN = 200


class BearerToken(HttpBearer):
    def __call__(self, request) -> ApiToken | None:
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token)

    def authenticate(self, request, token: str) -> ApiToken | None:
        token = token.strip()
        if not token or len(token) > _LONGEST_PLAUSIBLE_TOKEN:
            return None
        found = ApiToken.objects.filter(token_hash=hash_token(token), revoked=False).first()
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= TOUCH_EVERY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
        return found
