"""The referral policy: every change to a referral happens here, and only here.

Each function is one decision: it locks the referral row, checks the rule, changes the state,
appends the audit event and writes the outgoing messages, all in one transaction. Views, the API,
admin actions and the worker call these functions and nothing else changes a referral.

Times are UTC; deadlines are elapsed durations from settings (48h is 172,800 seconds).
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.wakeup import wake_worker
from providers.availability import availability
from providers.models import InsuranceNetwork, Provider
from referrals import notify
from referrals.eligibility import is_eligible
from referrals.errors import (
    AlreadyAccepted,
    InactiveProvider,
    NotEligible,
    NotFound,
    NotHolder,
    NotOpen,
    ProviderUnavailable,
)
from referrals.models import Client, Referral, ReferralEvent

Status = Referral.Status
Reason = ReferralEvent.Reason


@dataclass(frozen=True)
class Actor:
    """Who asked for a change: a signed-in user, a link holder, the API, or the worker."""

    label: str
    user: object | None = None
    is_staff: bool = False

    @classmethod
    def for_user(cls, user) -> "Actor":
        return cls(label=user.get_username(), user=user, is_staff=bool(user.is_staff))


WORKER = Actor(label="worker")


@dataclass(frozen=True)
class ClientDetails:
    first_name: str
    last_name: str
    email: str
    phone: str
    consent_email: bool
    consent_sms: bool


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _event(
    referral,
    kind,
    actor: Actor,
    at,
    provider=None,
    reason="",
    note="",
    response_seconds=None,
    changes=None,
) -> ReferralEvent:
    wake_worker()  # every decision may move a deadline; the worker looks again after the commit
    return ReferralEvent.objects.create(
        response_seconds=response_seconds,
        changes=changes or {},
        referral=referral,
        kind=kind,
        provider=provider,
        actor=actor.user,
        actor_label=actor.label[:80],
        reason=reason,
        note=note,
        at=at,
    )


def _record_answer(referral: Referral, at: datetime, *, accepted: bool) -> int | None:
    """Note the first provider answer (and first accept) on the referral for analytics.

    Returns how long the provider took to answer *their* offer (seconds since it reached them),
    for the audit event; None when the referral was open to everyone (an accept of an available
    referral answers no offer), so per-provider figures time only what was asked of them.
    """
    since_received = max(0, int((at - referral.created_at).total_seconds()))
    if referral.first_response_at is None:
        referral.first_response_at = at
        referral.response_seconds = since_received
    if accepted and referral.accept_seconds is None:
        referral.accept_seconds = since_received
    if referral.status != Status.PENDING:
        return None
    return max(0, int((at - referral.offered_at).total_seconds()))


def _start_round(referral: Referral, at: datetime) -> None:
    """Open a new offer round: a fresh 48-hour clock, and old action links stop working."""
    referral.offered_at = at
    referral.expires_at = at + settings.REFERRAL_EXPIRE_AFTER
    referral.round += 1


def _lock(referral_id: int) -> Referral:
    try:
        return (
            Referral.objects.select_for_update(of=("self",))
            .select_related(
                "client", "preferred_provider", "offered_to", "insurance_network", "accepted_by"
            )
            .get(pk=referral_id)
        )
    except Referral.DoesNotExist as exc:
        raise NotFound() from exc


def _refuse_if_expired(referral: Referral, at: datetime) -> None:
    """An answer given at or after the 48-hour deadline loses to the automatic decline.

    That holds whichever ran first: before the worker, the deadline has passed; after it, the
    answer is no later than the expiry it raced (it waited for the row lock), so it is refused
    rather than applied on top of the Decline Notice the client was just sent.
    """
    if (referral.expires_at is not None and referral.expires_at <= at) or (
        referral.expired_at is not None and referral.expired_at >= at
    ):
        raise NotOpen("This referral's 48 hours have passed; it is being declined automatically.")


def _refuse_if_unavailable(provider: Provider, at: datetime) -> None:
    """Not accepting new clients, away, or at the weekly limit: no new offer for them."""
    answer = availability(provider, at)
    if not answer.ok:
        raise ProviderUnavailable.because(answer)


def create_referral(
    *,
    client: ClientDetails,
    insurance_network: InsuranceNetwork | None,
    preferred_provider: Provider | None,
    actor: Actor,
    source: str = "web",
    now: datetime | None = None,
) -> Referral:
    """A client asks to be seen. Preferred if they named a provider, General otherwise."""
    at = _now(now)
    with transaction.atomic():
        if preferred_provider is not None:
            preferred_provider = Provider.objects.select_for_update().get(pk=preferred_provider.pk)
            if not preferred_provider.is_active:
                raise InactiveProvider()
            _refuse_if_unavailable(preferred_provider, at)
        client_row = Client.objects.create(**client.__dict__)
        referral = Referral.objects.create(
            client=client_row,
            insurance_network=insurance_network,
            kind=Referral.Kind.PREFERRED if preferred_provider else Referral.Kind.GENERAL,
            preferred_provider=preferred_provider,
            status=Status.PENDING if preferred_provider else Status.AVAILABLE,
            offered_to=preferred_provider,
            source=source[:40],
            created_at=at,
            offered_at=at,
            # The Referral Reminder goes to a provider it waits for; the client's 24-hour
            # Reminder goes to every client not yet contacted by then.
            remind_at=at + settings.REFERRAL_REMINDER_AFTER if preferred_provider else None,
            client_remind_at=at + settings.REFERRAL_REMINDER_AFTER,
            link_sent_at=at if preferred_provider else None,
            expires_at=at + settings.REFERRAL_EXPIRE_AFTER,
            slack_channel=settings.SLACK_CHANNEL,
        )
        event = _event(
            referral, ReferralEvent.Kind.RECEIVED, actor, at, provider=preferred_provider
        )
        notify.on_received(referral, event)
    return referral


def accept_referral(
    referral_id: int,
    provider: Provider,
    *,
    actor: Actor,
    expected_round: int | None = None,
    now: datetime | None = None,
) -> Referral:
    """The provider agrees to contact the client. One provider holds a referral at a time.

    The contact clock starts: without a confirmed contact within `CONTACT_WITHIN` (the policy's
    12 hours) the holder is nudged (`nudge_contact`)."""
    at = _now(now)
    with transaction.atomic():
        referral = _lock(referral_id)
        if referral.status == Status.ACCEPTED:
            if referral.accepted_by_id == provider.pk:
                return referral  # a double click: already done, nothing more to do
            raise AlreadyAccepted()
        if expected_round is not None and expected_round != referral.round:
            raise NotOpen()
        _refuse_if_expired(referral, at)
        provider = Provider.objects.get(pk=provider.pk)
        if not provider.is_active:
            raise InactiveProvider()
        if not is_eligible(referral, provider, at):
            raise NotEligible()
        waited = _record_answer(referral, at, accepted=True)
        referral.status = Status.ACCEPTED
        referral.offered_to = None
        referral.accepted_by = provider
        referral.accepted_at = at
        referral.remind_at = None
        referral.expires_at = None
        referral.contact_due_at = at + settings.CONTACT_WITHIN
        if referral.first_accepted_at is None:
            referral.first_accepted_at = at
            referral.first_accepted_by = provider
        referral.round += 1
        referral.save()
        event = _event(
            referral,
            ReferralEvent.Kind.ACCEPTED,
            actor,
            at,
            provider=provider,
            response_seconds=waited,
        )
        notify.on_accepted(referral, event)
    return referral


def decline_referral(
    referral_id: int,
    provider: Provider | None,
    *,
    reason: str,
    actor: Actor,
    note: str = "",
    expected_round: int | None = None,
    now: datetime | None = None,
) -> Referral:
    """The provider is unavailable, or contacted the client and they will not go ahead.

    The client gets the Decline Notice and the referral becomes available to other providers,
    with a fresh 48-hour clock. `provider` None (nobody holds it) is refused like anyone else
    who does not hold it.
    """
    at = _now(now)
    if reason not in Reason.values or reason == Reason.EXPIRED:
        raise ValueError(f"not a decline reason: {reason!r}")
    with transaction.atomic():
        referral = _lock(referral_id)
        if expected_round is not None and expected_round != referral.round:
            raise NotOpen()
        _refuse_if_expired(referral, at)
        if referral.status == Status.ACCEPTED:
            if referral.accepted_by_id != provider.pk:
                raise NotHolder() if not actor.is_staff else AlreadyAccepted()
        elif referral.status == Status.PENDING:
            if referral.offered_to_id != provider.pk:
                raise NotEligible()
        else:
            # Available to anyone: only the preferred provider (while waiting) or the holder
            # declines, so a client is not sent a Decline Notice by someone who never held it.
            raise NotHolder("Nobody holds this referral; there is nothing to decline.")
        # Only a provider's answer to an offer is a response: not a decline after contact, and
        # not staff declining for a provider being made inactive.
        answering = referral.status == Status.PENDING and reason != Reason.PROVIDER_INACTIVE
        waited = _record_answer(referral, at, accepted=False) if answering else None
        referral.declines += 1
        if answering:
            referral.declined_offers += 1
        elif referral.status == Status.ACCEPTED and reason != Reason.PROVIDER_INACTIVE:
            referral.declined_after_accepting += 1
        _make_available(referral, at)
        event = _event(
            referral,
            ReferralEvent.Kind.DECLINED,
            actor,
            at,
            provider=provider,
            reason=reason,
            note=note,
            response_seconds=waited,
        )
        notify.on_declined(referral, event)
    return referral


def _make_available(referral: Referral, at: datetime) -> None:
    referral.status = Status.AVAILABLE
    referral.offered_to = None
    referral.accepted_by = None
    referral.accepted_at = None
    referral.contacted_at = None
    referral.contact_due_at = None
    referral.last_declined_at = at
    referral.remind_at = None
    _start_round(referral, at)
    referral.save()


def expire_referral(referral_id: int, *, now: datetime | None = None) -> bool:
    """Not accepted or declined within 48 hours: declined automatically.

    Returns False when there is nothing to do (not due yet, already handled, or another worker
    holds the row). The client gets the Decline Notice; the referral stays available to others
    but starts no new clock, so an unanswered referral is announced once, not every 48 hours.
    """
    at = _now(now)
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client", "preferred_provider", "offered_to", "insurance_network")
            .filter(pk=referral_id, expires_at__lte=at, status__in=Referral.OPEN_FOR_ACCEPTANCE)
            .first()
        )
        if referral is None:
            return False
        provider = referral.offered_to if referral.status == Status.PENDING else None
        referral.status = Status.AVAILABLE
        referral.offered_to = None
        referral.expired_at = at
        referral.last_declined_at = at
        referral.remind_at = None
        referral.expires_at = None
        referral.round += 1
        referral.save()
        event = _event(
            referral,
            ReferralEvent.Kind.EXPIRED,
            WORKER,
            at,
            provider=provider,
            reason=Reason.EXPIRED,
        )
        notify.on_declined(referral, event)
    return True


def send_reminders(referral_id: int, *, now: datetime | None = None) -> bool:
    """24 hours: the Referral Reminder to the provider a referral still waits for (with a fresh
    link), and the 24-hour Reminder to the client if nobody has contacted them yet, accepted or
    not. Each goes once; they share one audit event when both are due together."""
    at = _now(now)
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client", "preferred_provider", "offered_to", "insurance_network")
            .filter(pk=referral_id)
            .filter(reminders_due(at))
            .first()
        )
        if referral is None:
            return False
        remind_provider = referral.status == Status.PENDING and _due(referral.remind_at, at)
        remind_client = referral.contacted_at is None and _due(referral.client_remind_at, at)
        if _due(referral.remind_at, at):
            referral.remind_at = None
        if remind_client:
            referral.client_remind_at = None
        if remind_provider:
            referral.link_sent_at = at  # the Referral Reminder carries a fresh link
        referral.save(update_fields=["remind_at", "client_remind_at", "link_sent_at"])
        event = _event(referral, ReferralEvent.Kind.REMINDED, WORKER, at)
        notify.on_reminder(referral, event, provider=remind_provider, client=remind_client)
    return True


def reminders_due(at: datetime) -> Q:
    """Referrals with a 24-hour reminder to send at `at` (the worker's claim and the service's
    re-check under the row lock)."""
    return Q(remind_at__lte=at, status=Status.PENDING) | Q(
        client_remind_at__lte=at, contacted_at__isnull=True
    )


def _due(deadline: datetime | None, at: datetime) -> bool:
    return deadline is not None and deadline <= at


def nudge_contact(referral_id: int, *, now: datetime | None = None) -> bool:
    """The policy: "respond to referred clients within 12 hours". `CONTACT_WITHIN` after
    accepting, a holder who has not confirmed contacting the client gets one nudge by email and
    SMS. Returns False when there is nothing to do (not due, contact confirmed, declined, already
    nudged, or another worker holds the row)."""
    at = _now(now)
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client", "preferred_provider", "accepted_by", "insurance_network")
            .filter(
                pk=referral_id,
                contact_due_at__lte=at,
                status=Status.ACCEPTED,
                contacted_at__isnull=True,
            )
            .first()
        )
        if referral is None:
            return False
        referral.contact_due_at = None
        referral.save(update_fields=["contact_due_at"])
        event = _event(
            referral, ReferralEvent.Kind.NUDGED, WORKER, at, provider=referral.accepted_by
        )
        notify.on_contact_nudge(referral, event)
    return True


def offer_referral(
    referral_id: int,
    provider: Provider,
    *,
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> Referral:
    """Staff route a referral that is waiting to one provider, who is told as a preferred provider
    would be (email with link, SMS, Slack mention). A new 48-hour clock and 24-hour reminder start;
    links sent to anyone it was offered to before stop working.
    """
    at = _now(now)
    with transaction.atomic():
        referral = _lock(referral_id)
        if referral.status == Status.ACCEPTED:
            raise AlreadyAccepted()
        # The row lock create_referral takes too, so two offers cannot both pass the weekly limit.
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        if not provider.is_active:
            raise InactiveProvider()
        if referral.status == Status.PENDING and referral.offered_to_id == provider.pk:
            raise NotOpen("This referral is already waiting for that provider.")
        _refuse_if_unavailable(provider, at)
        if (
            referral.insurance_network_id
            and not provider.insurance_networks.filter(pk=referral.insurance_network_id).exists()
        ):
            raise NotEligible(
                "This provider does not participate in the client's insurance network."
            )
        if referral.events.filter(kind=ReferralEvent.Kind.DECLINED, provider=provider).exists():
            raise NotEligible("This provider already declined this referral.")
        referral.status = Status.PENDING
        referral.offered_to = provider
        referral.remind_at = at + settings.REFERRAL_REMINDER_AFTER
        referral.link_sent_at = at
        _start_round(referral, at)
        referral.save()
        event = _event(
            referral, ReferralEvent.Kind.OFFERED, actor, at, provider=provider, note=note
        )
        notify.on_offered(referral, event)
    return referral


def add_note(
    referral_id: int, note: str, *, actor: Actor, now: datetime | None = None
) -> ReferralEvent:
    at = _now(now)
    with transaction.atomic():
        referral = _lock(referral_id)
        return _event(referral, ReferralEvent.Kind.NOTE, actor, at, note=note)


def confirm_contact(
    referral_id: int, provider: Provider | None, *, actor: Actor, now: datetime | None = None
) -> Referral:
    """The holder (or staff for them) confirms the client was contacted; the referral leaves the
    staff queue, and neither the contact nudge nor the client's 24-hour Reminder is sent.
    Declining after contact stays possible."""
    at = _now(now)
    with transaction.atomic():
        referral = _lock(referral_id)
        if referral.status != Status.ACCEPTED:
            raise NotHolder("Only an accepted referral can be marked as contacted.")
        if not actor.is_staff and (provider is None or referral.accepted_by_id != provider.pk):
            raise NotHolder()
        if referral.contacted_at is not None:
            return referral
        referral.contacted_at = at
        referral.contact_due_at = None
        referral.client_remind_at = None
        if referral.contact_seconds is None and referral.first_accepted_at is not None:
            # For "contacted within 12 hours": timed from the first accept, by anyone.
            referral.contact_seconds = max(
                0, int((at - referral.first_accepted_at).total_seconds())
            )
        referral.save(
            update_fields=["contacted_at", "contact_due_at", "client_remind_at", "contact_seconds"]
        )
        _event(referral, ReferralEvent.Kind.CONTACTED, actor, at, provider=referral.accepted_by)
    return referral


def assign_attention(
    referral_id: int, staff_user, *, actor: Actor, now: datetime | None = None
) -> ReferralEvent:
    """A staff member takes (or is given) a referral that needs attention; `staff_user` None
    gives it back. Who has it is the newest "assigned" event (`desk.attention.owner`)."""
    at = _now(now)
    if staff_user is not None and not (staff_user.is_staff and staff_user.is_active):
        raise NotEligible("Only an active staff member can be given a referral.")
    with transaction.atomic():
        referral = _lock(referral_id)
        return _event(
            referral,
            ReferralEvent.Kind.ASSIGNED,
            actor,
            at,
            note=staff_user.get_username() if staff_user else "",
            changes={"assignee_id": staff_user.pk if staff_user else None},
        )


CLIENT_FIELDS = tuple(ClientDetails.__dataclass_fields__)


def edit_client_details(
    client_id: int, changes: dict, *, actor: Actor, now: datetime | None = None
) -> list[str]:
    """Correct a client's contact details. Each of the client's referrals gets an audit event
    naming the fields changed and their old values, so a correction can always be traced and
    undone. Returns the names of the fields that changed (none: nothing is written)."""
    at = _now(now)
    unknown = set(changes) - set(CLIENT_FIELDS)
    if unknown:
        raise ValueError(f"not client details: {sorted(unknown)}")
    with transaction.atomic():
        try:
            client = Client.objects.select_for_update().get(pk=client_id)
        except Client.DoesNotExist as exc:
            raise NotFound() from exc
        old = {
            name: getattr(client, name)
            for name, value in changes.items()
            if getattr(client, name) != value
        }
        if not old:
            return []
        for name in old:
            setattr(client, name, changes[name])
        client.save(update_fields=list(old))
        for referral in client.referrals.order_by("pk"):
            _event(referral, ReferralEvent.Kind.CLIENT_EDITED, actor, at, changes=old)
    return list(old)
