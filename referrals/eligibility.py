"""Who may take a referral, in the words of the practice's policy.

- A pending referral is offered to one provider only: the preferred provider, or the provider
  staff offered it to.
- An available referral (General, or made available after a decline or expiry) is open to every
  active provider who participates in the client's insurance network; any active provider for
  self-pay. A provider who declined it is not offered it again.
- Inactive providers are never offered referrals, and neither is a provider who is not taking
  new referrals (not accepting new clients, away, at their weekly limit:
  `providers.availability`). That decides only new offers: a provider keeps a referral already
  offered to them or accepted by them.

Who may see a referral's client details (the one answer every page, link and export asks):
- staff see every referral;
- a provider sees a referral offered to them, available to them now, or accepted by them;
- an inactive provider, or one whose user is deactivated, sees none, from their next request on.
Anything else answers as if the referral did not exist.

Who may close a referral, and with which outcome:
- the provider who holds it (accepted by them, still active): first session scheduled, client
  withdrew, client could not be reached (after CONTACT_ATTEMPTS_BEFORE_UNREACHABLE recorded
  attempts to reach the client);
- the client, from their status page: client withdrew;
- staff: any outcome, with a note; "duplicate" only by merging it into the other referral.
A closed referral is closed for good.

Who may see a client's status page (first name and where the request stands): whoever holds
its current signed link (`referrals.links.make_status_url`), while the request is open and for
STATUS_LINK_AFTER_CLOSE after it closes, unless staff revoked the link.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Q, QuerySet

from providers.accounts import provider_of
from providers.availability import availability
from providers.models import Provider
from referrals.models import Offer, Referral, ReferralEvent


def may_get_new_referrals(at: datetime | None = None) -> QuerySet[Provider]:
    """Providers who may be offered a new referral at `at`: the one answer routing asks (active,
    accepting new clients, not away, under their weekly limit: `providers.availability`)."""
    return Provider.objects.taking_new_referrals(at)


def declined_by(referral: Referral | int):
    """Ids of the providers who declined this referral (or referral id; never offered it again)."""
    return ReferralEvent.objects.filter(
        referral=referral, kind=ReferralEvent.Kind.DECLINED, provider__isnull=False
    ).values("provider_id")


def live_offer(referral: Referral, provider: Provider | None) -> Offer | None:
    """The offer of this available referral a routing wave made to the provider, while they have
    not answered it (None: they hold none): they may accept it (as any eligible provider may)
    and, unlike others, decline it."""
    if provider is None or referral.status != Referral.Status.AVAILABLE:
        return None
    return referral.offers.live().filter(provider=provider).first()


def in_network(providers: QuerySet[Provider], network_id: int | None) -> QuerySet[Provider]:
    """Those of `providers` who participate in the insurance network (all of them for self-pay):
    the one network check, for eligibility, staff offers and the intake form's marks."""
    if network_id is None:
        return providers
    return providers.filter(insurance_networks=network_id)


def is_in_network(provider: Provider, network_id: int | None) -> bool:
    if network_id is None:
        return True
    return in_network(Provider.objects.filter(pk=provider.pk), network_id).exists()


def eligible_providers(referral: Referral, at: datetime | None = None) -> QuerySet[Provider]:
    """Who may take this referral at `at`: the one rule (the module docstring says it in the
    policy's words). `is_eligible` answers the same for one provider; every exclusion is written
    once, below or in `providers.availability`, and tests/policy/test_eligibility_one_rule.py
    holds the two answers equal for every exclusion and referral state."""
    if referral.status == Referral.Status.PENDING:
        return Provider.objects.active().filter(pk=referral.offered_to_id)
    if referral.status != Referral.Status.AVAILABLE:
        return Provider.objects.none()
    return _in_network_not_declined(
        may_get_new_referrals(at), referral.insurance_network_id, referral.pk
    )


def is_eligible(referral: Referral, provider: Provider, at: datetime | None = None) -> bool:
    """`eligible_providers`' answer for one provider whose row was just read (accepting reads it
    under the referral's lock): taking new referrals is asked of the row, as
    `providers.availability.availability` does (the database only for a weekly limit), then one
    query for the network and the declines, by the same `_in_network_not_declined`. The set's
    query cost about 3 ms of CPU to compile, while the referral's row is locked and the providers
    racing for it wait."""
    if referral.status == Referral.Status.PENDING:
        return provider.is_active and provider.pk == referral.offered_to_id
    if referral.status != Referral.Status.AVAILABLE:
        return False
    if not availability(provider, at).ok:
        return False
    just_them = Provider.objects.filter(pk=provider.pk)
    return _in_network_not_declined(just_them, referral.insurance_network_id, referral.pk).exists()


def _in_network_not_declined(
    providers: QuerySet[Provider], network_id: int | None, referral_id: int
) -> QuerySet[Provider]:
    """Those of `providers` who participate in the network (any for self-pay) and did not decline
    the referral: the exclusions of an available referral besides taking new referrals."""
    return in_network(providers, network_id).exclude(pk__in=declined_by(referral_id))


def open_referrals_for(provider: Provider, at: datetime | None = None) -> QuerySet[Referral]:
    """Referrals this provider could accept now, or holds and may decline. Available referrals
    only while they take new referrals; one offered to them stays theirs to answer."""
    if not provider.is_active:
        return Referral.objects.filter(accepted_by=provider, status=Referral.Status.ACCEPTED)
    waiting_for_me = Q(status=Referral.Status.PENDING, offered_to=provider)
    taking = Provider.objects.taking_new_referrals(at).filter(pk=provider.pk)
    available_to_me = (
        Q(status=Referral.Status.AVAILABLE)
        & _in_their_network(provider)
        & ~_declined_by_them(provider)
        & Q(Exists(taking))
    )
    mine = Q(status=Referral.Status.ACCEPTED, accepted_by=provider)
    return Referral.objects.filter(waiting_for_me | available_to_me | mine)


def _in_their_network(provider: Provider) -> Q:
    """Referrals whose client's network the provider participates in, and every self-pay one."""
    networks = provider.insurance_networks.values("pk")
    return Q(insurance_network__isnull=True) | Q(insurance_network__in=networks)


def _declined_by_them(provider: Provider) -> Q:
    """Referrals the provider declined (never offered to them again)."""
    declined = ReferralEvent.objects.filter(provider=provider, kind=ReferralEvent.Kind.DECLINED)
    return Q(pk__in=declined.values("referral_id"))


def offer_candidates(referral: Referral, at: datetime | None = None) -> QuerySet[Provider]:
    """Providers staff may offer this referral to (the rules `services.offer_referral` enforces):
    taking new referrals, in the client's network, not the one it already waits for, not one who
    declined."""
    return offer_choices(referral, Provider.objects.taking_new_referrals(at))


def offer_choices(referral: Referral, providers: QuerySet[Provider] | None = None):
    """`offer_candidates` before the availability rule: active providers in the client's network
    who did not decline it, for the desk to list the unavailable ones with the reason."""
    if referral.status in (Referral.Status.ACCEPTED, Referral.Status.CLOSED):
        return Provider.objects.none()
    candidates = providers if providers is not None else Provider.objects.active()
    candidates = in_network(candidates, referral.insurance_network_id)
    if referral.status == Referral.Status.PENDING:
        candidates = candidates.exclude(pk=referral.offered_to_id)
    return candidates.exclude(pk__in=declined_by(referral))


def acting_provider(user) -> Provider | None:
    """The active provider this signed-in user is, or None (not signed in, deactivated user, no
    provider linked, or the provider is inactive). Asked afresh on every request: the provider's
    row is read once per request (`providers.accounts.provider_of`, with the signed-in device)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    provider = provider_of(user)
    return provider if provider is not None and provider.is_active else None


def visible_to(provider: Provider | None) -> QuerySet[Referral]:
    """Referrals whose client this provider may see: offered to them, available to them now, or
    accepted by them. None for an inactive provider."""
    if provider is None or not provider.is_active:
        return Referral.objects.none()
    return open_referrals_for(provider)


def visible_referrals(user) -> QuerySet[Referral]:
    """Referrals whose client this signed-in person may see: staff all, a provider their own."""
    if getattr(user, "is_authenticated", False) and user.is_active and user.is_staff:
        return Referral.objects.all()
    return visible_to(acting_provider(user))


def lost_race(provider: Provider | None, referral_id: int, seen_round: int | None) -> bool:
    """This provider answered a referral they could take, but another provider accepted it first.

    True only if it was accepted in the very round the provider's page showed (accepting moves the
    round on by one), and the provider could take it then (active, in its network, had not
    declined it). They may then be told "already accepted by another provider", no more.
    """
    if provider is None or not provider.is_active or seen_round is None:
        return False
    return (
        Referral.objects.filter(
            _in_their_network(provider),
            pk=referral_id,
            status=Referral.Status.ACCEPTED,
            round=seen_round + 1,
        )
        .exclude(accepted_by=provider)
        .exclude(_declined_by_them(provider))
        .exists()
    )


CONTACT_ATTEMPTS_BEFORE_UNREACHABLE = 2
# The reasons a provider (or staff for them) gives when declining, as the policy describes them;
# "expired" and "provider made inactive" only the policy itself gives.
DECLINE_REASONS = (ReferralEvent.Reason.UNAVAILABLE, ReferralEvent.Reason.NOT_A_FIT)
Outcome = Referral.Outcome
PROVIDER_OUTCOMES = (Outcome.FIRST_SESSION, Outcome.WITHDREW, Outcome.UNREACHABLE)
# A duplicate is closed by `services.merge_referrals`, which records which referral it joined.
STAFF_OUTCOMES = tuple(o for o in Outcome if o != Outcome.DUPLICATE)
CLIENT_OUTCOMES = (Outcome.WITHDREW,)
STATUS_LINK_AFTER_CLOSE = timedelta(days=30)


def held_by(provider: Provider | None) -> QuerySet[Referral]:
    """Referrals this provider holds now: accepted by them (an inactive provider holds none)."""
    if provider is None or not provider.is_active:
        return Referral.objects.none()
    return Referral.objects.filter(status=Referral.Status.ACCEPTED, accepted_by=provider)


def accepted_by_them(referral: Referral, provider: Provider | None) -> bool:
    """This provider accepted the referral and it is still accepted (even if they have been made
    inactive since: accepted referrals stay with them)."""
    return (
        provider is not None
        and referral.status == Referral.Status.ACCEPTED
        and referral.accepted_by_id == provider.pk
    )


def holds(referral: Referral, provider: Provider | None) -> bool:
    """An active provider holds this referral: they accepted it and it is still accepted."""
    return accepted_by_them(referral, provider) and provider.is_active


def holder_or_staff(referral: Referral, provider: Provider | None, *, staff: bool) -> bool:
    """The client's contact details, and confirming contact, are for whoever agreed to contact
    the client (and staff), and only once the referral is accepted."""
    return referral.status == Referral.Status.ACCEPTED and (
        staff or accepted_by_them(referral, provider)
    )


def holder_of(referral: Referral) -> Provider | None:
    """Whose answer it is: the provider it waits for, or the one who accepted it; None while it
    is open to everyone. Staff decline on this provider's behalf."""
    return referral.offered_to or referral.accepted_by


def staff_may_decline(referral: Referral) -> bool:
    """Staff decline for the holder of a waiting or accepted referral."""
    return referral.status in (Referral.Status.PENDING, Referral.Status.ACCEPTED)


def staff_may_offer(referral: Referral) -> bool:
    """Staff offer a referral to a provider while nobody has accepted it and it is not closed."""
    return referral.status not in (Referral.Status.ACCEPTED, Referral.Status.CLOSED)


def contact_unconfirmed(referral: Referral) -> bool:
    """Accepted, and the holder has not yet confirmed contacting the client."""
    return referral.status == Referral.Status.ACCEPTED and referral.contacted_at is None


def may_act_for(acting: Provider | None, provider: Provider, *, staff: bool) -> bool:
    """Staff act for any provider; a provider acts only for themselves."""
    return staff or (acting is not None and acting.pk == provider.pk)


def closing_outcomes(
    referral: Referral,
    provider: Provider | None,
    *,
    staff: bool,
    client: bool = False,
    attempts: int | None = None,
) -> tuple:
    """The outcomes this person may close this referral with now (none: they may not close it).
    `client`: the client themselves, from their status page. `attempts`, when counted: the
    attempts recorded to reach the client; "client could not be reached" needs
    CONTACT_ATTEMPTS_BEFORE_UNREACHABLE of them."""
    if referral.status == Referral.Status.CLOSED:
        return ()
    if staff:
        outcomes = STAFF_OUTCOMES
    elif client:
        outcomes = CLIENT_OUTCOMES
    else:
        outcomes = PROVIDER_OUTCOMES if holds(referral, provider) else ()
    if attempts is not None and attempts < CONTACT_ATTEMPTS_BEFORE_UNREACHABLE:
        outcomes = tuple(o for o in outcomes if o != Outcome.UNREACHABLE)
    return outcomes


def may_record_contact_attempt(referral: Referral, provider: Provider | None, *, staff: bool):
    """The holder (or staff for them) records tries to reach the client of an accepted referral."""
    return referral.status == Referral.Status.ACCEPTED and (staff or holds(referral, provider))


def status_link_problem(referral: Referral | None, version: int, at: datetime) -> str:
    """Whether a status page link for `referral` carrying `version` lets its holder see the page
    at `at`: "" (it does), "invalid" (no such referral), "revoked" (staff revoked it), or
    "expired" (closed more than STATUS_LINK_AFTER_CLOSE ago)."""
    if referral is None:
        return "invalid"
    if version != referral.status_link_version:
        return "revoked"
    if referral.closed_at is not None and referral.closed_at + STATUS_LINK_AFTER_CLOSE <= at:
        return "expired"
    return ""


def may_report_not_contacted(referral: Referral, at: datetime) -> bool:
    """The client may say "no one has contacted me yet" once a provider accepted, CONTACT_WITHIN
    (the policy's 12 hours) passed without a confirmed contact, and they have not said so since
    that provider accepted."""
    return (
        referral.status == Referral.Status.ACCEPTED
        and referral.contacted_at is None
        and referral.accepted_at is not None
        and referral.accepted_at + settings.CONTACT_WITHIN <= at
        and (referral.not_contacted_at is None or referral.not_contacted_at < referral.accepted_at)
    )
