"""The JSON API for integrations (the practice website, insurer feeds), mounted at /api/.

Every endpoint needs a bearer token (`manage.py create_api_token NAME`). The schema is served at
/api/openapi.json and browsable at /api/docs.
"""

from ninja import NinjaAPI

from api import directory, errors, referrals
from api.auth import BearerToken

DESCRIPTION = """\
Creates referrals for Referral Desk and reports where they stand.

**Authentication.** Every request sends `Authorization: Bearer <token>`; staff create tokens with
`python manage.py create_api_token NAME` and revoke them in admin. A missing, unknown or revoked
token is answered `401`.

**Errors.** `422` means the request broke a rule: `{"detail": [{"field": ..., "message": ...}]}`,
one entry per field. This schema states every such rule (lengths, patterns, the networks and
providers that exist now, which fields go together), so a request it allows is not refused.
Other errors are `{"detail": "..."}`: `400` malformed request (not JSON, bad `Idempotency-Key`),
`401`, `404`, `409` an `Idempotency-Key` reused with another body, `413` body too large. Nothing
is saved when a request fails.

**Retries.** Send an `Idempotency-Key` header with `POST /api/referrals`; a key is remembered for
24 hours. See that endpoint.

Status answers never include the client's name or contact details.
"""

api = NinjaAPI(
    title="Referral Desk API",
    version="1",
    description=DESCRIPTION,
    auth=BearerToken(),
    urls_namespace="api",
)
errors.install(api)
api.add_router("", referrals.router)
api.add_router("", directory.router)
