"""Where a referral's Slack post lives, so replies go in its thread and updates edit it."""

from notifications.models import OutboxMessage
from referrals.models import Referral


def remember_post(referral_id: int | None, *, channel_id: str, ts: str) -> None:
    if referral_id:
        Referral.objects.filter(pk=referral_id).update(slack_channel=channel_id, slack_ts=ts)


def thread_of(referral_id: int | None) -> tuple[str, str]:
    """(channel id, ts) of the referral's first post, or ("", "") if it is not posted yet."""
    if not referral_id:
        return "", ""
    row = Referral.objects.filter(pk=referral_id).values_list("slack_channel", "slack_ts").first()
    return row if row else ("", "")


def post_failed(referral_id: int | None) -> bool:
    """True when the referral's first post failed for good, so replies to it never can succeed."""
    return OutboxMessage.objects.filter(
        referral_id=referral_id,
        channel=OutboxMessage.Channel.SLACK,
        payload__op="post",
        status=OutboxMessage.Status.FAILED,
    ).exists()
