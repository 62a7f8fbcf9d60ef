"""Hand-written statements name a model's table and columns through the model: a field's own
column (a foreign key's `_id`), quoted, and a misspelt field is an error, not silent SQL."""

import pytest
from django.core.exceptions import FieldDoesNotExist

from config.model_sql import model_sql
from notifications.models import OutboxMessage


def test_a_statement_gets_the_models_table_and_each_fields_column():
    sql = model_sql(OutboxMessage, "UPDATE {table} SET {referral} = %s WHERE {id} = %s")

    assert sql == 'UPDATE "notifications_outboxmessage" SET "referral_id" = %s WHERE "id" = %s'


def test_a_field_the_model_does_not_have_is_an_error():
    with pytest.raises(FieldDoesNotExist):
        model_sql(OutboxMessage, "UPDATE {table} SET {sent_on} = %s")
