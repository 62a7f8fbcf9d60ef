"""One shape for every error the API returns, and no request that can make it answer 500.

- 422: `{"detail": [{"field": ..., "message": ...}]}`, for schema errors found by ninja and for
  the practice's rules checked in `api.referrals` alike, so a client parses one format.
- 400, 401, 404, 413, 429: `{"detail": "..."}`.
"""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

# ninja's locations are ["body", "payload", "email"], ["header", "Idempotency-Key"], ...
_LOCATION_PARTS = {"body", "payload", "header", "path", "query"}
WHOLE_BODY = "The body must be a JSON object with the referral's fields."
UNAUTHORIZED = "Missing, unknown or revoked API token. Send 'Authorization: Bearer <token>'."


class FieldErrors(Exception):
    """The request is well-formed but breaks a rule: one message per field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def _field(location) -> str:
    parts = [str(p) for p in location if str(p) not in _LOCATION_PARTS]
    # The first part is the field; a union such as "int | str" appends the type it tried.
    return parts[0] if parts else "body"


def _message(error: dict) -> str:
    message = str(error.get("msg") or "Invalid value.")
    return message.removeprefix("Value error, ")


def _from_ninja(exc: ValidationError) -> list[dict]:
    by_field: dict[str, list[str]] = {}
    for error in exc.errors:
        field = _field(error.get("loc", ()))
        messages = by_field.setdefault(field, [])
        if _message(error) not in messages:
            messages.append(_message(error))
    return [
        {"field": f, "message": WHOLE_BODY if f == "body" else "; ".join(m)}
        for f, m in by_field.items()
    ]


def install(api: NinjaAPI) -> None:
    def respond(request, data, status, **headers):
        response = api.create_response(request, data, status=status)
        for name, value in headers.items():
            response[name] = value
        return response

    @api.exception_handler(ValidationError)
    def schema_errors(request, exc: ValidationError):
        return respond(request, {"detail": _from_ninja(exc)}, 422)

    @api.exception_handler(FieldErrors)
    def rule_errors(request, exc: FieldErrors):
        detail = [{"field": f, "message": m} for f, m in exc.errors.items()]
        return respond(request, {"detail": detail}, 422)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc: AuthenticationError):
        return respond(request, {"detail": UNAUTHORIZED}, 401, **{"WWW-Authenticate": "Bearer"})

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return respond(request, {"detail": exc.message}, exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return respond(request, {"detail": "The request body is too large."}, 413)

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return respond(request, {"detail": "Bad request."}, 400)
