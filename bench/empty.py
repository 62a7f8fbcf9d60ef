"""Empty the referral tables between benchmark runs.

The audit tables refuse UPDATE and DELETE on PostgreSQL (an append-only trigger), so there they
are emptied with TRUNCATE, which only an operator's script like this one issues.
"""


def empty_referrals() -> None:
    from django.db import connection

    from notifications.models import OutboxMessage
    from referrals.models import Client, ClientDataView, Referral, ReferralEvent

    models = [OutboxMessage, ClientDataView, ReferralEvent, Referral, Client]
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        return
    for model in models:
        model.objects.all().delete()
