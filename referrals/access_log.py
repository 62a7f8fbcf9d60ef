"""Who looked at which client's details: one call per page that shows them.

Each page that shows a client's name or contact details calls `record_views` once with the
referrals it shows; they are written in one INSERT. The records are read by staff (the "Viewed by"
part of the desk timeline, and admin's list filtered by person and date), never changed.
"""

from collections.abc import Iterable

from django.utils import timezone

from referrals.models import ClientDataView, Referral

Page = ClientDataView.Page

# The timeline shows the newest views; admin's list has them all.
TIMELINE_VIEWS = 50


def record_views(user, referrals: Iterable[Referral | int], page: str, *, who: str = "") -> int:
    """Record that `user` (a signed-in user, or None for a link's provider without a sign-in)
    saw the client details of each of `referrals` (rows or ids) on `page`, in one INSERT.
    Returns how many were recorded."""
    ids = list(dict.fromkeys(getattr(r, "pk", r) for r in referrals))
    ids = [pk for pk in ids if pk]
    if not ids:
        return 0
    at = timezone.now()
    if user is not None and not user.is_authenticated:
        user = None
    label = (who or (user.get_username() if user is not None else ""))[:160]
    ClientDataView.objects.bulk_create(
        ClientDataView(referral_id=pk, user=user, who=label, page=page, at=at) for pk in ids
    )
    return len(ids)


def recent_views(referral: Referral, limit: int = TIMELINE_VIEWS) -> list[ClientDataView]:
    """The newest views of one referral's client details, newest first (one query)."""
    return list(referral.views.order_by("-at", "-id")[:limit])
