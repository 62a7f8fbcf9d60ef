"""The referral policy: every change to a referral happens here, and only here.

Each function is one decision: it locks the referral row, checks the rule, changes the state,
appends the audit event and writes the outgoing messages, all in one transaction. Views, the API,
admin actions and the worker call these functions and nothing else changes a referral.

Times are UTC; deadlines are elapsed durations from settings (48h is 172,800 seconds).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from config.actors import CLIENT, WORKER, Actor
from notifications import outbox
from notifications.wakeup import wake_worker
from providers.availability import availability
from providers.models import InsuranceNetwork, Provider
from providers.signals import InactiveRelease
from referrals import lifecycle, notify, routing
from referrals.eligibility import (
    CONTACT_ATTEMPTS_BEFORE_UNREACHABLE,
    accepted_by_them,
    closing_outcomes,
    holder_or_staff,
    is_eligible,
    is_in_network,
    live_offer,
    may_record_contact_attempt,
    may_report_not_contacted,
)
from referrals.errors import (
    AlreadyAccepted,
    CannotClose,
    CannotMerge,
    InactiveProvider,
    NotEligible,
    NotFound,
    NotHolder,
    NotOpen,
    OutOfNetwork,
    ProviderUnavailable,
    ReferralError,
    worded,
)
from referrals.lifecycle import CLOSED_MESSAGE
from referrals.models import Client, Offer, Referral, ReferralEvent

Status = Referral.Status
Outcome = Referral.Outcome
Reason = ReferralEvent.Reason
Answer = Offer.Answer
DECLINE_NOTICE_GAP = timedelta(hours=24)  # never two Decline Notices to a client within this


@dataclass(frozen=True)
class ClientDetails:
    first_name: str
    last_name: str
    email: str
    phone: str
    consent_sms: bool = False  # also texts; the emails need no consent (policy)


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
    trace=None,
    outcome="",
) -> ReferralEvent:
    wake_worker()  # every decision may move a deadline; the worker looks again after the commit
    return ReferralEvent.objects.create(
        outcome=outcome,
        response_seconds=response_seconds,
        changes=changes or {},
        trace=trace or {},
        referral=referral,
        kind=kind,
        provider=provider,
        actor=actor.user,
        actor_label=actor.label[:80],
        reason=reason,
        note=note,
        at=at,
        received_at=referral.created_at,
    )


def _record_answer(
    referral: Referral, at: datetime, *, accepted: bool, offer: Offer | None = None
) -> int | None:
    """Note the first provider answer (and first accept) on the referral for analytics.

    Returns how long the provider took to answer *their* offer (seconds since it reached them),
    for the audit event (a routing wave's offer is timed from the wave); None when the referral
    was open to everyone and not offered to them (an accept of an available referral answers
    no offer), so per-provider figures time only what was asked of them.
    """
    since_received = max(0, int((at - referral.created_at).total_seconds()))
    if referral.first_response_at is None:
        referral.first_response_at = at
        referral.response_seconds = since_received
    if accepted and referral.accept_seconds is None:
        referral.accept_seconds = since_received
    if offer is not None:  # a routing wave's offer to this provider
        return max(0, int((at - offer.offered_at).total_seconds()))
    if referral.status != Status.PENDING:
        return None
    return max(0, int((at - referral.offered_at).total_seconds()))


def _start_round(referral: Referral, at: datetime) -> None:
    """Open a new offer round: a fresh 48-hour clock (the transition moves `round` on, so old
    action links stop working)."""
    referral.offered_at = at
    referral.expires_at = at + settings.REFERRAL_EXPIRE_AFTER
    referral.attention_since = None  # a new round is running: nothing for staff to decide


_SHOWN = ("client", "preferred_provider", "offered_to", "insurance_network", "accepted_by")


def _lock(referral_id: int, related: tuple[str, ...] = _SHOWN) -> Referral:
    """The referral, its row locked until the transaction ends, with the rows its messages show
    (`related`: fewer when a decision replaces some, as accepting does the holder)."""
    try:
        return (
            Referral.objects.select_for_update(of=("self",))
            .select_related(*related)
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


def _refuse_if_unavailable(provider: Provider, at: datetime, *, taking: bool = False) -> None:
    """Not accepting new clients, away, or at the weekly limit: no new offer for them, and
    (`taking`) no taking a referral open to everyone."""
    answer = availability(provider, at)
    if answer.ok:
        return
    if taking:
        raise ProviderUnavailable.taking_no_referrals(answer)
    raise ProviderUnavailable.because(answer)


def accept_refusal(referral: Referral, provider: Provider, at: datetime) -> ReferralError | None:
    """Why this provider may not accept this open referral at `at` (None: they may), as
    `accept_referral` refuses it: inactive; not taking new referrals (away, not accepting new
    clients, at their weekly limit), for a referral open to everyone (one offered to them alone
    stays theirs to answer); otherwise not eligible. `accept_referral` asks it under the row
    lock; a page may ask it first, to say why in the same words before anyone presses a button.
    """
    if not provider.is_active:
        return InactiveProvider()
    if referral.status == Status.AVAILABLE:
        try:
            _refuse_if_unavailable(provider, at, taking=True)
        except ProviderUnavailable as exc:
            return exc
    if not is_eligible(referral, provider, at):
        return NotEligible()
    return None


def create_referral(
    *,
    client: ClientDetails,
    insurance_network: InsuranceNetwork | None,
    preferred_provider: Provider | None,
    actor: Actor,
    source: str = "web",
    needs: dict | None = None,
    out_of_network_confirmed: bool = False,
    now: datetime | None = None,
    within: Callable[[Referral], None] | None = None,
) -> Referral:
    """A client asks to be seen. Preferred if they named a provider, General otherwise.

    A preferred provider outside the client's insurance network is refused (OutOfNetwork) unless
    the client confirmed they may pay out of pocket; the referral is then marked out of network.
    This is the one place that rule is checked (the intake form and the API show its words), and
    it is checked before a repeat request is recorded (below), so asking again names an
    out-of-network provider on the same terms as asking first.

    `needs` holds what the client asked for (care_for, modality, language, focus_areas), all
    optional, used only to order providers by fit. A General referral goes out in a first
    routing wave at once (unless ROUTING is off).

    The same person (same email, any case, or same phone) asking again while a referral of theirs
    is open makes no new referral: `record_repeat_request` attaches the request to the open one
    and returns it, marked `asked_again`.

    `within(referral)`, when given, runs inside the same transaction once the referral (new or
    asked again) is made, so a caller's own record of it (an API idempotency key) commits or
    rolls back with it, without a transaction of its own around this one.
    """
    with transaction.atomic(), outbox.one_insert():
        out_of_network = False
        if preferred_provider is not None:
            preferred_provider = _hold_provider(preferred_provider.pk)
            if not preferred_provider.is_active:
                raise InactiveProvider()
            # Before looking for an open referral: the same request gets the same answer whether
            # or not this person has one open (the intake form must not tell a stranger who
            # typed their email or phone), and a repeat naming an out-of-network provider needs
            # the same confirmation as a first request.
            network_id = insurance_network.pk if insurance_network else None
            out_of_network = not is_in_network(preferred_provider, network_id)
            if out_of_network and not out_of_network_confirmed:
                raise OutOfNetwork.naming(preferred_provider, insurance_network)
        # Read after the lock: an intake that waited for another one to the same provider counts
        # it (the weekly limit counts offers made before this instant).
        at = _now(now)
        open_one = open_referral_of(client)
        if open_one is not None:
            repeat = record_repeat_request(
                open_one, client, actor=actor, source=source, preferred=preferred_provider, now=at
            )
            if repeat is not None:
                if within is not None:
                    within(repeat)
                return repeat
        if preferred_provider is not None:
            _refuse_if_unavailable(preferred_provider, at)
        client_row = Client.objects.create(**client.__dict__)
        needs = needs or {}
        focus_areas = needs.pop("focus_areas", None) or []
        referral = Referral.objects.create(
            **needs,
            client=client_row,
            insurance_network=insurance_network,
            kind=Referral.Kind.PREFERRED if preferred_provider else Referral.Kind.GENERAL,
            preferred_provider=preferred_provider,
            out_of_network=out_of_network,
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
        if focus_areas:
            referral.focus_areas.set(focus_areas)
        event = _event(
            referral, ReferralEvent.Kind.RECEIVED, actor, at, provider=preferred_provider
        )
        notify.on_received(referral, event)
        if referral.status == Status.AVAILABLE:
            _route(referral, at, actor)
        if within is not None:
            within(referral)
    return referral


# A transaction-scoped advisory lock's first key: intakes counting one provider's weekly limit.
_WEEKLY_LIMIT_LOCK = 12_001


def _hold_provider(provider_id: int) -> Provider:
    """The preferred provider's row, held until the intake commits, with the cheapest lock that
    keeps "no referral to a provider made inactive (or unavailable) at the same moment".

    On PostgreSQL a shared row lock (FOR SHARE): intakes for one provider share it and run side
    by side, while `set_provider_status` and `set_availability` take FOR UPDATE, which waits for
    every intake holding it (and the intake for them): whichever commits second sees the other.
    Only a provider with a weekly limit needs intakes taken one at a time (each counts the ones
    before it): those also take a transaction-scoped advisory lock on the provider. SQLite runs
    one write transaction at a time, so there a plain read is enough.
    """
    if connection.vendor != "postgresql":
        return Provider.objects.get(pk=provider_id)
    table = connection.ops.quote_name(Provider._meta.db_table)
    found = list(
        Provider.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [provider_id])
    )
    if not found:
        raise Provider.DoesNotExist()
    provider = found[0]
    if provider.weekly_limit is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [_WEEKLY_LIMIT_LOCK, provider_id]
            )
    return provider


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
    with transaction.atomic(), outbox.one_insert():
        # Who it waited for and who held it are not read: accepting replaces both (the ids say
        # whether it is already theirs), and every column read is CPU spent while others wait.
        referral = _lock(referral_id, related=("client", "preferred_provider", "insurance_network"))
        if accepted_by_them(referral, provider):
            referral.accepted_by = provider  # the holder, as the caller shows it
            return referral  # a double click: already done, nothing more to do
        lifecycle.transition("accept", referral.status)
        if expected_round is not None and expected_round != referral.round:
            raise NotOpen()
        _refuse_if_expired(referral, at)
        provider = Provider.objects.get(pk=provider.pk)
        if (refused := accept_refusal(referral, provider, at)) is not None:
            raise refused
        offer = live_offer(referral, provider)
        waited = _record_answer(referral, at, accepted=True, offer=offer)
        _close_offers(referral, at, winner=provider)
        referral.next_wave_at = None
        lifecycle.apply(referral, "accept")
        referral.offered_to = None
        referral.accepted_by = provider
        referral.accepted_at = at
        referral.remind_at = None
        referral.expires_at = None
        referral.contact_due_at = at + settings.CONTACT_WITHIN
        if referral.first_accepted_at is None:
            referral.first_accepted_at = at
            referral.first_accepted_by = provider
        referral.attention_since = None
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


def release_inactive_provider(
    provider: Provider, *, actor: Actor, now: datetime
) -> InactiveRelease:
    """The referral side of making a provider inactive (inside that transaction): every referral
    waiting for them is declined with the reason "provider made inactive", so the client gets the
    Decline Notice and it is available to others; the ones they accepted stay with them."""
    release = InactiveRelease()
    waiting = Referral.objects.filter(status=Status.PENDING, offered_to=provider)
    for referral_id in list(waiting.values_list("pk", flat=True)):
        try:
            release.declined.append(
                decline_referral(
                    referral_id, provider, reason=Reason.PROVIDER_INACTIVE, actor=actor, now=now
                )
            )
        except ReferralError:
            continue  # past its 48 hours: the worker declines it as expired
    release.still_held = Referral.objects.filter(
        status=Status.ACCEPTED, accepted_by=provider
    ).count()
    return release


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
    with transaction.atomic(), outbox.one_insert():
        referral = _lock(referral_id)
        if expected_round is not None and expected_round != referral.round:
            raise NotOpen()
        _refuse_if_expired(referral, at)
        if referral.status == Status.CLOSED:
            raise NotOpen(CLOSED_MESSAGE)
        if referral.status == Status.ACCEPTED:
            if referral.accepted_by_id != provider.pk:
                raise NotHolder() if not actor.is_staff else AlreadyAccepted()
        elif referral.status == Status.PENDING:
            if referral.offered_to_id != provider.pk:
                raise NotEligible()
        elif (offer := live_offer(referral, provider)) is not None:
            # A routing offer stays open when its provider is made inactive (only what they hold
            # or wait for is released): their old link must not answer it in their name.
            if not provider.is_active and not actor.is_staff:
                raise InactiveProvider()
            return _decline_wave_offer(referral, provider, offer, at, reason, actor, note)
        else:
            # Available to anyone: only the preferred provider (while waiting) or the holder
            # declines, so a client is not sent a Decline Notice by someone who never held it.
            raise NotHolder("Nobody holds this referral; there is nothing to decline.")
        # Only a provider's answer to an offer is a response: not a decline after contact, and
        # not staff declining for a provider being made inactive.
        answering = referral.status == Status.PENDING and reason != Reason.PROVIDER_INACTIVE
        # The Decline Notice: the preferred provider declined, or the holder after accepting.
        # (A provider staff offered it to declining is routed on, like a wave, once routing is on.)
        tell_client = (
            referral.status == Status.ACCEPTED
            or not settings.ROUTING
            or referral.offered_to_id == referral.preferred_provider_id
        )
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
        notify.on_declined(
            referral, event, tell_client=_decline_notice_due(referral, at, tell_client)
        )
        _route(referral, at, actor)
    return referral


def _decline_wave_offer(referral, provider, offer, at, reason, actor, note) -> Referral:
    """A provider in a routing wave declines: their offer ends and the next eligible provider is
    offered in their place. The client is not told (the referral never waited for this one)."""
    waited = _record_answer(referral, at, accepted=False, offer=offer)
    offer.answer, offer.answered_at = Answer.DECLINED, at
    offer.save(update_fields=["answer", "answered_at"])
    referral.declines += 1
    referral.declined_offers += 1
    lifecycle.apply(referral, "decline")  # stays available, same round: the others' links work
    referral.save()
    _event(
        referral,
        ReferralEvent.Kind.DECLINED,
        actor,
        at,
        provider=provider,
        reason=reason,
        note=note,
        response_seconds=waited,
    )
    _route(referral, at, actor, size=1, replaces=provider)
    return referral


def _decline_notice_due(referral: Referral, at: datetime, wanted: bool) -> bool:
    """Whether this decline sends the client a Decline Notice: when the rule wants one and none
    went in the last 24 hours (a client once got two in seven minutes). Notes the time sent."""
    if not wanted or (
        referral.decline_notice_at is not None
        and at - referral.decline_notice_at < DECLINE_NOTICE_GAP
    ):
        return False
    referral.decline_notice_at = at
    referral.save(update_fields=["decline_notice_at"])
    return True


def _close_offers(referral: Referral, at: datetime, *, winner=None, answer=Answer.WITHDRAWN):
    """End every live offer, in one UPDATE: the winner's as accepted, the others' as `answer`."""
    if winner is not None:
        answer = Case(When(provider=winner, then=Value(Answer.ACCEPTED)), default=Value(answer))
    referral.offers.live().update(answer=answer, answered_at=at)


def _route(
    referral: Referral,
    at: datetime,
    actor: Actor,
    *,
    size: int | None = None,
    replaces: Provider | None = None,
) -> None:
    """Offer an available referral to the next wave of providers (`referrals.routing`), each
    told by email with their own link, SMS and an @-mention in the Slack thread; the next wave
    follows ROUTING_WAVE_AFTER later unless someone accepts. With nobody left to offer and no
    offer still open: the `no_provider` event, and the desk's "Needs attention"."""
    if not settings.ROUTING or referral.status != Status.AVAILABLE:
        return
    wave = routing.next_wave(referral, at, size)
    if not wave.picks:
        referral.next_wave_at = None
        if referral.no_provider_at is None and not referral.offers.live().exists():
            referral.no_provider_at = at
            referral.save(update_fields=["next_wave_at", "no_provider_at"])
            event = _event(
                referral,
                ReferralEvent.Kind.NO_PROVIDER,
                actor,
                at,
                trace={
                    "skipped": wave.skipped,
                    "not_in_network": routing.not_in_network_count(referral),
                },
            )
            notify.on_no_provider(referral, event)
        else:
            referral.save(update_fields=["next_wave_at"])
        return
    number = referral.offers.order_by("-wave").values_list("wave", flat=True).first() or 0
    if replaces is None:
        number += 1
    trace = {
        "wave": number,
        "skipped": wave.skipped,
        "not_in_network": routing.not_in_network_count(referral),
    }
    if replaces is not None:
        trace["replaces"] = replaces.name
    event = _event(referral, ReferralEvent.Kind.WAVE, actor, at, trace=trace)
    start = referral.offers.filter(wave=number).count()
    offers = Offer.objects.bulk_create(
        Offer(
            referral=referral,
            provider=pick.provider,
            event=event,
            wave=number,
            position=start + i,
            order_reason=pick.reason[:200],
            offered_at=at,
        )
        for i, pick in enumerate(wave.picks, start=1)
    )
    if replaces is None or referral.next_wave_at is None:
        referral.next_wave_at = at + settings.ROUTING_WAVE_AFTER
    referral.save(update_fields=["next_wave_at"])
    notify.on_wave(referral, event, [o.provider for o in offers])


def route_referral(referral_id: int, now: datetime | None = None) -> bool:
    """The next wave for an available referral whose wave went unanswered: claimed by the worker
    when `next_wave_at` falls due (SKIP LOCKED, conditional), so it fires once and never early.
    Returns False when there is nothing to do."""
    at = _now(now)
    with transaction.atomic(), outbox.one_insert():
        referral = (
            Referral.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client", "preferred_provider", "insurance_network")
            .filter(pk=referral_id, next_wave_at__lte=at, status=Status.AVAILABLE)
            .first()
        )
        if referral is None:
            return False
        lifecycle.apply(referral, "route")
        referral.next_wave_at = None
        referral.save(update_fields=["next_wave_at"])
        _route(referral, at, WORKER)
    return True


def _make_available(referral: Referral, at: datetime) -> None:
    """A decline of a referral waiting for a provider or held by one: available to others."""
    lifecycle.apply(referral, "decline")
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
    It goes to the desk's "Needs attention" (`attention_since`): staff decide whether to offer it
    again or close it with an outcome.
    """
    at = _now(now)
    with transaction.atomic(), outbox.one_insert():
        referral = (
            Referral.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client", "preferred_provider", "offered_to", "insurance_network")
            .awaiting_answer()
            .filter(pk=referral_id, expires_at__lte=at)
            .first()
        )
        if referral is None:
            return False
        provider = referral.offered_to if referral.status == Status.PENDING else None
        _close_offers(referral, at, answer=Answer.LAPSED)
        lifecycle.apply(referral, "expire")
        referral.offered_to = None
        referral.expired_at = at
        referral.last_declined_at = at
        referral.remind_at = None
        referral.expires_at = None
        referral.attention_since = at
        referral.save()
        event = _event(
            referral,
            ReferralEvent.Kind.EXPIRED,
            WORKER,
            at,
            provider=provider,
            reason=Reason.EXPIRED,
        )
        notify.on_declined(referral, event, tell_client=_decline_notice_due(referral, at, True))
        _route(referral, at, WORKER)
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
    with transaction.atomic(), outbox.one_insert():
        referral = _lock(referral_id)
        lifecycle.transition("offer", referral.status)
        # The row lock create_referral takes too, so two offers cannot both pass the weekly limit.
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        if not provider.is_active:
            raise InactiveProvider()
        if referral.status == Status.PENDING and referral.offered_to_id == provider.pk:
            raise NotOpen("This referral is already waiting for that provider.")
        _refuse_if_unavailable(provider, at)
        if not is_in_network(provider, referral.insurance_network_id):
            raise NotEligible(
                "This provider does not participate in the client's insurance network."
            )
        if referral.events.filter(kind=ReferralEvent.Kind.DECLINED, provider=provider).exists():
            raise NotEligible("This provider already declined this referral.")
        _close_offers(referral, at)  # staff chose one provider: the wave's offers end
        referral.next_wave_at = None
        lifecycle.apply(referral, "offer")
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
        if not holder_or_staff(referral, provider, staff=actor.is_staff):
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
        referral.attention_owner = staff_user
        referral.attention_owner_since = at if staff_user is not None else None
        referral.save(update_fields=["attention_owner", "attention_owner_since"])
        return _event(
            referral,
            ReferralEvent.Kind.ASSIGNED,
            actor,
            at,
            note=staff_user.get_username() if staff_user else "",
            changes={"assignee_id": staff_user.pk if staff_user else None},
        )


# Outcomes ----------------------------------------------------------------------------------------


def _close(referral: Referral, action: str, outcome: str, at: datetime, **fields) -> None:
    """End the referral: every deadline cleared (no reminder or notice afterwards), links stop
    working (the round moves on), it leaves the queue and Needs attention."""
    _close_offers(referral, at)  # a wave's live offers end: their links stop working
    lifecycle.apply(referral, action)  # "close" or "merge"
    referral.outcome = outcome
    referral.closed_at = at
    referral.offered_to = None
    referral.link_sent_at = None
    referral.attention_since = None
    for deadline in Referral.DEADLINE_FIELDS:
        setattr(referral, deadline, None)
    for name, value in fields.items():
        setattr(referral, name, value)
    referral.save()


def close_referral(
    referral_id: int,
    outcome: str,
    *,
    actor: Actor,
    note: str = "",
    first_session_on: date | None = None,
    provider: Provider | None = None,
    by_client: bool = False,
    now: datetime | None = None,
) -> Referral:
    """Every referral ends with an outcome.

    The provider who holds it closes it with "first session scheduled" (and its date), "client
    withdrew", or "client could not be reached" once they recorded
    CONTACT_ATTEMPTS_BEFORE_UNREACHABLE attempts; the client (`by_client`, from their status
    page) withdraws; staff close with any outcome and a note saying why. A provider who does not hold it is refused as if it did not exist. The Slack post shows
    the outcome; nothing more is sent about it.
    """
    at = _now(now)
    if outcome not in Outcome.values:
        raise ValueError(f"not an outcome: {outcome!r}")
    note = note.strip()
    with transaction.atomic():
        referral = _lock(referral_id)
        if referral.status == Status.CLOSED:
            raise NotOpen("This referral is already closed.")
        allowed = closing_outcomes(referral, provider, staff=actor.is_staff, client=by_client)
        if not allowed:
            raise NotFound()
        if outcome == Outcome.DUPLICATE and actor.is_staff:
            raise CannotClose("duplicate")
        if outcome not in allowed:
            raise CannotClose()
        if actor.is_staff and not note:
            raise CannotClose("note")
        days = None
        if outcome == Outcome.FIRST_SESSION:
            days = _first_session_days(referral, first_session_on)
        else:
            first_session_on = None
        if outcome == Outcome.UNREACHABLE:
            attempts = referral.events.filter(kind=ReferralEvent.Kind.CONTACT_ATTEMPT).count()
            counted = closing_outcomes(
                referral, provider, staff=actor.is_staff, client=by_client, attempts=attempts
            )
            if outcome not in counted:
                raise CannotClose(
                    "too_few_attempts",
                    attempts=attempts,
                    needed=CONTACT_ATTEMPTS_BEFORE_UNREACHABLE,
                )
        holder = referral.accepted_by
        if outcome == Outcome.FIRST_SESSION and referral.contacted_at is None:
            referral.contacted_at = at  # a first session was booked with them: they were reached
            _event(referral, ReferralEvent.Kind.CONTACTED, actor, at, provider=holder)
        _close(
            referral,
            "close",
            outcome,
            at,
            first_session_on=first_session_on,
            first_session_days=days,
        )
        event = _event(
            referral,
            ReferralEvent.Kind.CLOSED,
            actor,
            at,
            provider=holder,
            note=note,
            outcome=outcome,
        )
        notify.on_closed(referral, event)
    return referral


def _first_session_days(referral: Referral, first_session_on: date | None) -> int:
    """Days from the request to the first session, for the funnel; refuses what cannot be."""
    if referral.status != Status.ACCEPTED:
        raise CannotClose("not_accepted")
    if first_session_on is None:
        raise CannotClose("no_date")
    received_on = timezone.localdate(referral.created_at)
    if first_session_on < received_on:
        raise CannotClose("before_request")
    return (first_session_on - received_on).days


def record_contact_attempt(
    referral_id: int,
    provider: Provider | None,
    *,
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> ReferralEvent:
    """The holder (or staff for them) tried to reach the client and could not. Recorded attempts
    are what lets the referral be closed as "client could not be reached"."""
    at = _now(now)
    with transaction.atomic():
        referral = _lock(referral_id)
        if not may_record_contact_attempt(referral, provider, staff=actor.is_staff):
            raise NotHolder("Only the provider who accepted this referral records attempts.")
        return _event(
            referral,
            ReferralEvent.Kind.CONTACT_ATTEMPT,
            actor,
            at,
            provider=referral.accepted_by,
            note=note.strip(),
        )


def merge_referrals(
    duplicate_id: int,
    into_id: int,
    *,
    actor: Actor,
    note: str = "",
    now: datetime | None = None,
) -> Referral:
    """Staff found two referrals of one person: the duplicate closes ("duplicate", pointing at
    the other) and the other goes on. Each keeps its own trail; both get a "merged" event."""
    at = _now(now)
    if not actor.is_staff:
        raise CannotMerge("Only staff merge referrals.")
    if duplicate_id == into_id:
        raise CannotMerge("A referral cannot be merged into itself.")
    with transaction.atomic():
        rows = {
            r.pk: r
            for r in Referral.objects.select_for_update(of=("self",))
            .select_related("client", "insurance_network", "accepted_by", "preferred_provider")
            .filter(pk__in=[duplicate_id, into_id])
            .order_by("pk")  # locked in one order, so two merges never wait on each other
        }
        if len(rows) != 2:
            raise NotFound()
        duplicate, into = rows[duplicate_id], rows[into_id]
        if duplicate.status == Status.CLOSED:
            raise CannotMerge(f"{duplicate.number} is already closed.")
        if into.status == Status.CLOSED:
            raise CannotMerge(f"{into.number} is closed; merge into an open referral.")
        _close(duplicate, "merge", Outcome.DUPLICATE, at, merged_into=into)
        note = note.strip()
        event = _event(
            duplicate,
            ReferralEvent.Kind.MERGED,
            actor,
            at,
            provider=duplicate.accepted_by,
            note=note or f"Merged into {into.number}.",
            outcome=Outcome.DUPLICATE,
        )
        _event(
            into,
            ReferralEvent.Kind.MERGED,
            actor,
            at,
            note=f"{duplicate.number} merged into this referral." + (f" {note}" if note else ""),
        )
        notify.on_closed(duplicate, event)
    return duplicate


def open_referral_of(client: ClientDetails) -> int | None:
    """The oldest referral still open (not closed) of a person with this email (any case) or
    this phone, or None."""
    same = Q()
    if client.email:
        same |= Q(client__email__iexact=client.email)
    if client.phone:
        same |= Q(client__phone=client.phone)
    if not same:
        return None
    return (
        Referral.objects.not_closed()
        .filter(same)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def record_repeat_request(
    referral_id: int,
    client: ClientDetails,
    *,
    actor: Actor,
    source: str = "web",
    preferred: Provider | None = None,
    now: datetime | None = None,
) -> Referral | None:
    """The same person asked again while their referral is open: no second referral, no provider
    messaged twice. The desk sees "asked again" (with any details that differ from the ones on
    file) and the client, at the address on file, is told their request is in hand. Returns the
    open referral marked `asked_again`, or None if it closed meanwhile (then a new one is made).
    """
    at = _now(now)
    with transaction.atomic():
        referral = _lock(referral_id)
        if referral.status == Status.CLOSED:
            return None
        on_file = referral.client
        given = {
            name: getattr(client, name)
            for name in ("first_name", "last_name", "email", "phone")
            if getattr(client, name) and getattr(client, name) != getattr(on_file, name)
        }
        if preferred is not None and preferred.pk != referral.preferred_provider_id:
            given["preferred_provider"] = preferred.name
        referral.asked_again_at = at
        referral.save(update_fields=["asked_again_at"])
        event = _event(
            referral,
            ReferralEvent.Kind.ASKED_AGAIN,
            actor,
            at,
            note=f"Asked again through {source[:40]}.",
            changes=given,
        )
        notify.on_asked_again(referral, event)
    referral.asked_again = True
    return referral


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


# The client's status page ------------------------------------------------------------------------


def revoke_status_links(referral_id: int, *, actor: Actor, now: datetime | None = None) -> Referral:
    """Staff revoke every status page link sent for this referral (say, an email went to the
    wrong person): the links carry the old version and stop working; emails sent from now on
    carry a new one."""
    at = _now(now)
    if not actor.is_staff:
        raise NotHolder("Only staff revoke a client's status page links.")
    with transaction.atomic():
        referral = _lock(referral_id)
        referral.status_link_version += 1
        referral.save(update_fields=["status_link_version"])
        _event(referral, ReferralEvent.Kind.STATUS_LINKS_REVOKED, actor, at)
    return referral


def give_best_times(
    referral_id: int, best_times: str, *, actor: Actor = CLIENT, now: datetime | None = None
) -> Referral:
    """The client says when they are best reached; the provider who holds the referral and the
    desk see it. Refused once the referral is closed."""
    at = _now(now)
    best_times = " ".join(best_times.split())
    if not best_times or len(best_times) > Referral._meta.get_field("best_times").max_length:
        raise ValueError("best times must be given, in at most 300 characters")
    with transaction.atomic():
        referral = _lock(referral_id)
        if referral.status == Status.CLOSED:
            raise NotOpen(CLOSED_MESSAGE)
        referral.best_times = best_times
        referral.save(update_fields=["best_times"])
        _event(referral, ReferralEvent.Kind.BEST_TIMES, actor, at, provider=referral.accepted_by)
    return referral


def report_not_contacted(
    referral_id: int, *, actor: Actor = CLIENT, now: datetime | None = None
) -> Referral:
    """The client says "no one has contacted me yet": allowed once a provider accepted and
    CONTACT_WITHIN (the policy's 12 hours) passed without a confirmed contact. The desk sees it
    at once under Needs attention (`desk.attention.client_not_contacted`)."""
    at = _now(now)
    with transaction.atomic():
        referral = _lock(referral_id)
        if not may_report_not_contacted(referral, at):
            raise NotOpen(worded("not_contacted_too_soon"))
        referral.not_contacted_at = at
        referral.save(update_fields=["not_contacted_at"])
        _event(referral, ReferralEvent.Kind.NOT_CONTACTED, actor, at, provider=referral.accepted_by)
    return referral
