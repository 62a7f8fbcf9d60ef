"""Which of a provider's numbers a client is given (the "A provider will contact you" email and
the client's status page): asked here only, so a client-facing office line replaces the mobile
in one place."""


def phone_for_clients(provider) -> str:
    """The number a client should expect the provider's call from (E.164, or "")."""
    return provider.phone
