"""One referral's story for staff: every event in order with who and when, the messages each
event sent (channel, recipient, delivered or failed and why), and the time between steps."""

from dataclasses import dataclass, field

from notifications.models import OutboxMessage
from referrals.models import Offer, Referral, ReferralEvent

Kind = ReferralEvent.Kind

# What "sent" means for the response figure beside an accept or a decline.
_ANSWER_VERB = {Kind.ACCEPTED: "accepted", Kind.DECLINED: "declined"}


@dataclass
class Step:
    event: ReferralEvent
    since_previous: float | None
    since_received: float
    answer: str = (
        ""  # e.g. "accepted" with event.response_seconds: "accepted 3 h after it was sent"
    )
    messages: list[OutboxMessage] = field(default_factory=list)


def build(referral: Referral) -> list[Step]:
    events = list(referral.events.select_related("provider", "actor").order_by("at", "id"))
    by_event: dict[int, list[OutboxMessage]] = {}
    for message in OutboxMessage.objects.filter(referral=referral).order_by("created_at", "id"):
        by_event.setdefault(message.event_id, []).append(message)
    steps, previous = [], None
    for event in events:
        steps.append(
            Step(
                event=event,
                since_previous=(event.at - previous).total_seconds() if previous else None,
                since_received=(event.at - referral.created_at).total_seconds(),
                answer=_ANSWER_VERB.get(event.kind, "")
                if event.response_seconds is not None
                else "",
                messages=by_event.get(event.pk, []),
            )
        )
        previous = event.at
    return steps


@dataclass
class WaveTrace:
    """One routing wave (or a replacement in it) for the desk: who was offered, in which order
    and why, how each offer ended, and who was left out and why."""

    event: ReferralEvent
    offers: list[Offer] = field(default_factory=list)


def routing_trace(referral: Referral) -> list[WaveTrace]:
    """Every wave and every "no eligible provider" of this referral, oldest first (two queries,
    however many waves)."""
    kinds = [Kind.WAVE, Kind.NO_PROVIDER]
    waves = [
        WaveTrace(event) for event in referral.events.filter(kind__in=kinds).order_by("at", "id")
    ]
    by_event = {w.event.pk: w for w in waves}
    for offer in Offer.objects.filter(referral=referral).select_related("provider"):
        if offer.event_id in by_event:
            by_event[offer.event_id].offers.append(offer)
    return waves
