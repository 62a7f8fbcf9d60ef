"""Who may take a referral, in the words of the practice's policy.

- A pending referral is offered to one provider only: the preferred provider, or the provider
  staff offered it to.
- An available referral (General, or made available after a decline or expiry) is open to every
  active provider who participates in the client's insurance network; any active provider for
  self-pay. A provider who declined it is not offered it again.
- Inactive providers are never offered referrals.
"""

from django.db.models import QuerySet

from providers.models import Provider
from referrals.models import Referral, ReferralEvent


def eligible_providers(referral: Referral) -> QuerySet[Provider]:
    active = Provider.objects.active()
    if referral.status == Referral.Status.PENDING:
        return active.filter(pk=referral.offered_to_id)
    if referral.status != Referral.Status.AVAILABLE:
        return active.none()
    if referral.insurance_network_id:
        active = active.filter(insurance_networks=referral.insurance_network_id)
    declined = ReferralEvent.objects.filter(
        referral=referral,
        kind__in=[ReferralEvent.Kind.DECLINED],
        provider__isnull=False,
    ).values("provider_id")
    return active.exclude(pk__in=declined)


def is_eligible(referral: Referral, provider: Provider) -> bool:
    return eligible_providers(referral).filter(pk=provider.pk).exists()


def open_referrals_for(provider: Provider) -> QuerySet[Referral]:
    """Referrals this provider could accept now, or holds and may decline."""
    if not provider.is_active:
        return Referral.objects.filter(accepted_by=provider, status=Referral.Status.ACCEPTED)
    networks = provider.insurance_networks.values("pk")
    declined = ReferralEvent.objects.filter(
        provider=provider, kind=ReferralEvent.Kind.DECLINED
    ).values("referral_id")
    from django.db.models import Q

    waiting_for_me = Q(status=Referral.Status.PENDING, offered_to=provider)
    available_to_me = (
        Q(status=Referral.Status.AVAILABLE)
        & (Q(insurance_network__isnull=True) | Q(insurance_network__in=networks))
        & ~Q(pk__in=declined)
    )
    mine = Q(status=Referral.Status.ACCEPTED, accepted_by=provider)
    return Referral.objects.filter(waiting_for_me | available_to_me | mine)


def offer_candidates(referral: Referral) -> QuerySet[Provider]:
    """Providers staff may offer this referral to (the rules `services.offer_referral` enforces):
    active, in the client's network, not the one it already waits for, not one who declined."""
    if referral.status == Referral.Status.ACCEPTED:
        return Provider.objects.none()
    candidates = Provider.objects.active()
    if referral.insurance_network_id:
        candidates = candidates.filter(insurance_networks=referral.insurance_network_id)
    if referral.status == Referral.Status.PENDING:
        candidates = candidates.exclude(pk=referral.offered_to_id)
    declined = ReferralEvent.objects.filter(
        referral=referral, kind=ReferralEvent.Kind.DECLINED, provider__isnull=False
    ).values("provider_id")
    return candidates.exclude(pk__in=declined)
