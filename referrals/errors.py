"""Why a referral action was refused. Each error carries a message fit to show the person; the
newer ones take their words from templates/referrals/refusals/ (`worded`)."""

from config.plain_text import render_plain


def worded(name: str, **context) -> str:
    """A refusal's words, from templates/referrals/refusals/<name>.txt, on one line."""
    return " ".join(render_plain(f"referrals/refusals/{name}.txt", context).split())


class ReferralError(Exception):
    message = "This referral cannot be changed right now."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message


class AlreadyAccepted(ReferralError):
    message = "This referral has already been accepted by another provider."


class NotOpen(ReferralError):
    message = "This referral is no longer waiting for an answer."


class NotEligible(ReferralError):
    message = "This provider cannot take this referral (preferred provider, insurance network, or already declined)."


class NotHolder(ReferralError):
    message = "Only the provider who accepted this referral, or staff, can decline it now."


class InactiveProvider(ReferralError):
    message = "This provider is inactive and cannot receive referrals."


class NotFound(ReferralError):
    message = "No such referral."


class ProviderUnavailable(ReferralError):
    """Not accepting new clients, away, or at their weekly limit (`providers.availability`)."""

    message = "This provider is not accepting new clients right now; choose another provider or “No preference”."

    @classmethod
    def because(cls, availability) -> "ProviderUnavailable":
        if availability.back_on:
            return cls(
                f"This provider is away and back on {availability.back_on:%-d %B}; "
                "choose another provider or “No preference”."
            )
        return cls()

    @classmethod
    def taking_no_referrals(cls, availability) -> "ProviderUnavailable":
        """Refusing to let the provider take a referral open to everyone (accepting it)."""
        return cls(worded("taking_no_referrals", availability=availability))


class OutOfNetwork(ReferralError):
    """A preferred provider outside the client's insurance network, not confirmed by the client.
    The same words on the intake form and in the API (templates/referrals/refusals/)."""

    @classmethod
    def naming(cls, provider, network) -> "OutOfNetwork":
        return cls(worded("out_of_network", provider=provider, network=network))


class CannotClose(ReferralError):
    """Closing refused; `why` names the case in templates/referrals/refusals/cannot_close.txt
    ("outcome": not with that outcome)."""

    def __init__(self, why: str = "outcome", **context):
        super().__init__(worded("cannot_close", why=why, **context))
        self.why = why


class CannotMerge(ReferralError):
    message = "These two referrals cannot be merged."
