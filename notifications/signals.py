"""What the delivery side hands back to, and asks of, the apps that own the rows.

`notifications` sits below `providers` and `referrals` (tests/test_import_layers.py), so it never
reads or writes their rows; it sends these signals and the owners answer (their AppConfig.ready
connects the receivers):

- `slack_posted` (referral_id, channel_id, ts): a referral's first Slack post is up; referrals
  answers the statement (SQL, params) that stores where it lives, which the dispatcher commits
  with the post's sent record (in the same statement on PostgreSQL).
- `slack_thread_wanted` (referral_id): a receiver answers (channel_id, ts) of that post, or None.
- `slack_user_found` (provider_id, user_id): a provider's Slack user ID was looked up by email;
  providers stores it when they have none.
- `sms_refused` (phones): a receiver answers the set of those numbers that must not be texted
  (they texted STOP); replies keeps those numbers. Asked once per batch of texts.
"""

from django.dispatch import Signal

slack_posted = Signal()
slack_thread_wanted = Signal()
slack_user_found = Signal()
sms_refused = Signal()


def first_answer(signal: Signal, default, **kwargs):
    """The first receiver's answer that is not None, else `default`."""
    for _, answer in signal.send(sender=None, **kwargs):
        if answer is not None:
            return answer
    return default
