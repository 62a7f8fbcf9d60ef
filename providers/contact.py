"""Which of a provider's numbers a client is given (the "A provider will contact you" email, the
24-hour Reminder and the client's status page): the client-facing office line, never the mobile
used for alerts. Asked here only."""


def phone_for_clients(provider) -> str:
    """The number a client should expect the provider's call from (E.164, or "": then the client
    is pointed to the practice's number)."""
    return provider.office_phone
