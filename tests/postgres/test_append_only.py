"""On PostgreSQL the audit tables refuse UPDATE and DELETE whoever sends them (a raw query, a
shell), while adding rows and the test runner's TRUNCATE still work."""

import pytest
from django.db import DatabaseError, connection, transaction

from referrals.access_log import Page, record_views

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE referrals_referralevent SET note = 'rewritten'",
        "DELETE FROM referrals_referralevent",
        "UPDATE referrals_clientdataview SET who = 'nobody'",
        "DELETE FROM referrals_clientdataview",
    ],
)
@pytest.mark.usefixtures("routing_off")
def test_a_raw_update_or_delete_of_the_audit_tables_is_refused(
    statement, make_referral, aetna, django_user_model
):
    referral = make_referral(network=aetna)
    record_views(django_user_model.objects.create_user("intake"), [referral], Page.TIMELINE)

    with pytest.raises(DatabaseError, match="only ever added"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)

    event = referral.events.get()
    assert event.note == "" and referral.views.get().who == "intake"
