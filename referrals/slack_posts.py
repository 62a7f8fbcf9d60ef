"""Where a referral's Slack post lives: the referral's own `slack_channel` and `slack_ts`.

The Slack transport hands them back (as a statement for the dispatcher to commit with the post's
sent record) and asks for them through notifications/signals.py (it may
not import referrals); referrals/apps.py connects these receivers.
"""

from config.model_sql import model_sql
from referrals.models import Referral

POST_UPDATE = "UPDATE {table} SET {slack_channel} = %s, {slack_ts} = %s WHERE {id} = %s"


def remember_post(sender, *, referral_id: int, channel_id: str, ts: str, **kwargs):
    """The UPDATE storing the post's place, as (SQL, params): the dispatcher runs it with the
    post's sent record, in one statement on PostgreSQL (so it can be no more than one UPDATE)."""
    return model_sql(Referral, POST_UPDATE), [channel_id, ts, referral_id]


def thread_of(sender, *, referral_id: int, **kwargs) -> tuple[str, str] | None:
    row = Referral.objects.filter(pk=referral_id).values_list("slack_channel", "slack_ts").first()
    return tuple(row) if row else None
