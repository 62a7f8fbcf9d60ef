"""The desk's "Needs attention": one function per category, each a queryset, so the list, its
counts and tests ask the same question. Who has an item is the referral's `attention_owner`
(`referrals.services.assign_attention`), read in the same query as the list.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from notifications.models import OutboxMessage
from providers.models import Provider
from referrals.models import Referral

Status = Referral.Status
EXPIRING_WITHIN = timedelta(hours=4)
SHOWN = 10


def owner(referral_path: str = "") -> F:
    """The user name of the staff member who has the referral (`referral_path` leads from the
    row to its referral), None when nobody has it. Set by `referrals.services.assign_attention`,
    which also records each change in the referral's trail."""
    return F(f"{referral_path}attention_owner__username")


def expiring_soon(now: datetime) -> QuerySet[Referral]:
    """Still waiting, and declined automatically within the next 4 hours."""
    return (
        Referral.objects.awaiting_answer()
        .filter(
            expires_at__gt=now,
            expires_at__lte=now + EXPIRING_WITHIN,
        )
        .order_by("expires_at", "pk")
    )


def contact_unconfirmed(now: datetime) -> QuerySet[Referral]:
    """Accepted, and the holder has not confirmed contacting the client within CONTACT_WITHIN."""
    return Referral.objects.filter(
        status=Status.ACCEPTED,
        contacted_at__isnull=True,
        accepted_at__lte=now - settings.CONTACT_WITHIN,
    ).order_by("accepted_at", "pk")


def no_eligible_provider(now: datetime) -> QuerySet[Referral]:
    """Routing found no eligible provider left to offer, or the referral waits in an insurance
    network where no provider is active."""
    active_in_network = Provider.objects.active().filter(
        insurance_networks=OuterRef("insurance_network_id")
    )
    routed_out = Q(status=Status.AVAILABLE, no_provider_at__isnull=False)
    uncovered = Q(
        status__in=Referral.OPEN_FOR_ACCEPTANCE, insurance_network__isnull=False
    ) & ~Exists(active_in_network)
    return Referral.objects.filter(routed_out | uncovered).order_by("created_at", "pk")


def expired_awaiting_decision(now: datetime) -> QuerySet[Referral]:
    """Declined automatically at 48 hours: staff decide (offer it again, or close it with an
    outcome). Whatever decides it clears `attention_since`."""
    return (
        Referral.objects.not_closed()
        .filter(attention_since__isnull=False)
        .order_by("attention_since", "pk")
    )


def asked_again(now: datetime) -> QuerySet[Referral]:
    """The same person asked again while this referral was open (`services.record_repeat_request`)."""
    return (
        Referral.objects.not_closed()
        .filter(asked_again_at__isnull=False)
        .order_by("-asked_again_at", "pk")
    )


def client_not_contacted(now: datetime) -> QuerySet[Referral]:
    """The client said on their status page that nobody has contacted them yet, since the
    provider who holds it accepted, and no contact has been confirmed since."""
    return Referral.objects.filter(
        status=Status.ACCEPTED,
        contacted_at__isnull=True,
        not_contacted_at__gte=F("accepted_at"),
    ).order_by("not_contacted_at", "pk")


def failed_messages(now: datetime) -> QuerySet[OutboxMessage]:
    """Messages the outbox gave up on."""
    return OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).order_by(
        "-created_at", "-pk"
    )


# In the order the desk lists them; the words are in templates/desk/_attention.html.
REFERRAL_CATEGORIES = [
    ("not_contacted", client_not_contacted),
    ("expiring", expiring_soon),
    ("contact", contact_unconfirmed),
    ("uncovered", no_eligible_provider),
    ("expired", expired_awaiting_decision),
    ("asked_again", asked_again),
]


def needs_attention(now: datetime, limit: int = SHOWN) -> list[dict]:
    """Each category: key, count and the first `limit` items with who has each (`owner`). Two
    queries per category, whatever the number of items."""
    found = []
    for key, category in REFERRAL_CATEGORIES:
        qs = category(now)
        items = list(
            qs.select_related("insurance_network", "accepted_by").annotate(owner=owner())[:limit]
        )
        found.append({"key": key, "count": qs.count(), "items": items, "messages": False})
    failed = failed_messages(now)
    found.append(
        {
            "key": "failed",
            "count": failed.count(),
            "items": list(
                failed.select_related("referral").annotate(owner=owner("referral__"))[:limit]
            ),
            "messages": True,
        }
    )
    return found
