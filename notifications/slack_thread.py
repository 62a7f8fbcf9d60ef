"""Where a referral's Slack post lives, so replies go in its thread and updates edit it.

The referrals app keeps the post's channel and ts on the referral; this module hands them over
and asks for them through notifications/signals.py, so notifications never touches that row.
"""

from notifications.models import OutboxMessage
from notifications.signals import first_answer, slack_posted, slack_thread_wanted


def remember_post(referral_id: int | None, *, channel_id: str, ts: str) -> tuple[str, list] | None:
    """The statement (SQL, params) that stores where the referral's post lives, from its owner:
    the dispatcher commits it with the post's sent record, without a round trip of its own."""
    if not referral_id:
        return None
    return first_answer(slack_posted, None, referral_id=referral_id, channel_id=channel_id, ts=ts)


def thread_of(referral_id: int | None) -> tuple[str, str]:
    """(channel id, ts) of the referral's first post, or ("", "") if it is not posted yet."""
    if not referral_id:
        return "", ""
    return first_answer(slack_thread_wanted, ("", ""), referral_id=referral_id)


def post_failed(referral_id: int | None) -> bool:
    """True when the referral's first post failed for good, so replies to it never can succeed."""
    return OutboxMessage.objects.filter(
        referral_id=referral_id,
        channel=OutboxMessage.Channel.SLACK,
        payload__op="post",
        status=OutboxMessage.Status.FAILED,
    ).exists()
