"""Where a referral's Slack post lives: the referral's own `slack_channel` and `slack_ts`.

The Slack transport hands them back (as a statement for the dispatcher to commit with the post's
sent record) and asks for them through notifications/signals.py (it may
not import referrals); referrals/apps.py connects these receivers.
"""

import functools

from django.db import connection

from referrals.models import Referral


def remember_post(sender, *, referral_id: int, channel_id: str, ts: str, **kwargs):
    """The UPDATE storing the post's place, as (SQL, params): the dispatcher runs it with the
    post's sent record, in one statement on PostgreSQL (so it can be no more than one UPDATE)."""
    return _post_update(), [channel_id, ts, referral_id]


@functools.cache
def _post_update() -> str:
    q = connection.ops.quote_name
    return (
        f"UPDATE {q(Referral._meta.db_table)} SET {q('slack_channel')} = %s, {q('slack_ts')} = %s "
        f"WHERE {q('id')} = %s"
    )


def thread_of(sender, *, referral_id: int, **kwargs) -> tuple[str, str] | None:
    row = Referral.objects.filter(pk=referral_id).values_list("slack_channel", "slack_ts").first()
    return tuple(row) if row else None
