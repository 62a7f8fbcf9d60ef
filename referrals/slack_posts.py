"""Where a referral's Slack post lives: the referral's own `slack_channel` and `slack_ts`.

The Slack transport hands them back and asks for them through notifications/signals.py (it may
not import referrals); referrals/apps.py connects these receivers.
"""

from referrals.models import Referral


def remember_post(sender, *, referral_id: int, channel_id: str, ts: str, **kwargs) -> None:
    Referral.objects.filter(pk=referral_id).update(slack_channel=channel_id, slack_ts=ts)


def thread_of(sender, *, referral_id: int, **kwargs) -> tuple[str, str] | None:
    row = Referral.objects.filter(pk=referral_id).values_list("slack_channel", "slack_ts").first()
    return tuple(row) if row else None
