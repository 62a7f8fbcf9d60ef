"""Find the referrals whose deadlines have passed and hand each to its service.

The services re-check the deadline under a row lock (SKIP LOCKED on PostgreSQL) and clear it in
the same transaction, so several workers never fire one twice and nothing fires early.
"""

from datetime import datetime

from referrals import services
from referrals.models import Referral

BATCH = 200


def run_due(now: datetime) -> dict[str, int]:
    """Send due 24-hour reminders, decline what has passed 48 hours, nudge holders who have not
    confirmed contact within CONTACT_WITHIN, then send the next routing wave of what nobody
    accepted in ROUTING_WAVE_AFTER. Returns counts."""
    counts = {"reminded": 0, "expired": 0, "nudged": 0, "waves": 0}
    for pk in (
        Referral.objects.filter(services.reminders_due(now))
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    ):
        counts["reminded"] += services.send_reminders(pk, now=now)
    for pk in (
        Referral.objects.awaiting_answer()
        .filter(expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:BATCH]
    ):
        counts["expired"] += services.expire_referral(pk, now=now)
    for pk in (
        Referral.objects.filter(
            contact_due_at__lte=now,
            status=Referral.Status.ACCEPTED,
            contacted_at__isnull=True,
        )
        .order_by("contact_due_at")
        .values_list("pk", flat=True)[:BATCH]
    ):
        counts["nudged"] += services.nudge_contact(pk, now=now)
    for pk in (
        Referral.objects.filter(next_wave_at__lte=now, status=Referral.Status.AVAILABLE)
        .order_by("next_wave_at")
        .values_list("pk", flat=True)[:BATCH]
    ):
        counts["waves"] += services.route_referral(pk, now=now)
    return counts
