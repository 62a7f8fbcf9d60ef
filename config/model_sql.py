"""Hand-written SQL over a model's own table and columns, built once.

A few hot statements are written by hand because the ORM cannot say them in one statement (a
counter's upsert that returns the count, a sent record run inside a data-modifying WITH) or
would compile the same statement on every call. They name the table and the columns through the
model (`_meta`), never as literals, so a renamed table or a `db_column` cannot silently miss;
and each is built once per process, not per call.
"""

import functools

from django.db import connection


class _Names(dict):
    """{table} is the model's table; any other {name} is the column of the field `name`."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def __missing__(self, name: str) -> str:
        quote = connection.ops.quote_name
        if name == "table":
            return quote(self.model._meta.db_table)
        return quote(self.model._meta.get_field(name).column)


@functools.cache
def model_sql(model, template: str) -> str:
    """`template` with {table} and {field_name} filled in, quoted, for `model`: e.g.
    `model_sql(Referral, "UPDATE {table} SET {slack_ts} = %s WHERE {id} = %s")`."""
    return template.format_map(_Names(model))
