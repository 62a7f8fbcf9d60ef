"""Changes to providers: active/inactive, phone, and the profile changes staff approve.

Making a provider inactive applies the practice's policy at once ("inactive providers get no
referrals"): they are signed out everywhere, every referral waiting for them is declined by `referrals.services` (answering the
`provider_made_inactive` signal, providers/signals.py) with the reason "provider made inactive", so the client gets the Decline Notice and the referral is
available to others. Referrals they already accepted stay with them: accepting means they agreed
to contact the client, who may already be scheduling; they (or staff) can still decline them.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from config.actors import Actor
from providers.devices import sign_out_everywhere
from providers.models import (
    AvailabilityChange,
    Language,
    Photo,
    ProfileChange,
    Provider,
    Specialty,
)
from providers.signals import provider_made_inactive


@dataclass
class StatusChange:
    provider: Provider
    changed: bool
    declined: list = field(default_factory=list)
    still_held: int = 0


def set_provider_status(
    provider: Provider, status: str, *, actor: Actor, now: datetime | None = None
) -> StatusChange:
    """Set a provider active or inactive; inactive signs them out on every device and declines
    every referral waiting for them."""
    if status not in Provider.Status.values:
        raise ValueError(f"not a provider status: {status!r}")
    at = now or timezone.now()
    with transaction.atomic():
        # The same row lock create_referral takes, so no referral slips in while we switch.
        locked = Provider.objects.select_for_update().get(pk=provider.pk)
        result = StatusChange(provider=locked, changed=locked.status != status)
        if result.changed:
            locked.status = status
            locked.save(update_fields=["status"])
        if status == Provider.Status.INACTIVE:
            if result.changed and locked.user_id:
                sign_out_everywhere(locked.user, actor, now=at)
            for _, release in provider_made_inactive.send(
                sender=Provider, provider=locked, actor=actor, now=at
            ):
                result.declined += release.declined
                result.still_held += release.still_held
    provider.status = status
    return result


def set_phone(provider: Provider, phone: str) -> None:
    """A provider's mobile number changes at once (it is not shown to clients until accepted)."""
    Provider.objects.filter(pk=provider.pk).update(phone=phone)
    provider.phone = phone


def remember_found_slack_user_id(sender, *, provider_id: int, user_id: str, **kwargs) -> None:
    """The Slack transport looked this provider up by email (notifications.signals.slack_user_found):
    keep the ID, unless staff or the provider have set one meanwhile."""
    Provider.objects.filter(pk=provider_id, slack_user_id="").update(slack_user_id=user_id)


def set_office_phone(provider: Provider, office_phone: str) -> None:
    """The office line clients are given changes at once (callers parse it first)."""
    Provider.objects.filter(pk=provider.pk).update(office_phone=office_phone)
    provider.office_phone = office_phone


def set_slack_user_id(provider: Provider, slack_user_id: str) -> None:
    """The ID the #referrals post @-mentions changes at once (callers validate it first)."""
    Provider.objects.filter(pk=provider.pk).update(slack_user_id=slack_user_id)
    provider.slack_user_id = slack_user_id


def propose_profile_change(
    provider: Provider,
    *,
    bio: str | None = None,
    specialties=None,
    languages=None,
    photo: Photo | None = None,
    now: datetime | None = None,
) -> ProfileChange | None:
    """Record what the provider wants to change; None when nothing differs from their profile.

    Only differences are kept; a pending change already waiting is added to, not duplicated, and
    a value set back to what is public drops out of it.
    """
    current = {
        "bio": provider.bio,
        "specialties": sorted(provider.specialties.values_list("pk", flat=True)),
        "languages": sorted(provider.languages.values_list("pk", flat=True)),
    }
    given = {}
    if bio is not None:
        given["bio"] = bio.strip()
    for key, chosen in (("specialties", specialties), ("languages", languages)):
        if chosen is not None:
            given[key] = sorted(int(getattr(x, "pk", x)) for x in chosen)
    with transaction.atomic():
        change = (
            ProfileChange.objects.select_for_update()
            .filter(provider=provider, status=ProfileChange.Status.PENDING)
            .first()
        )
        proposed = dict(change.proposed) if change else {}
        for key, value in given.items():
            if value == current[key]:
                proposed.pop(key, None)  # back to what is public: nothing to approve
            else:
                proposed[key] = value
        if photo is not None and photo.pk is None:
            photo.save()
        if not proposed and photo is None and not (change and change.photo_id):
            if change:
                change.delete()
            return None
        if change is None:
            change = ProfileChange(provider=provider, created_at=now or timezone.now())
        change.proposed = proposed
        if photo is not None:
            change.photo = photo
        change.save()
    return change


def approve_profile_change(
    change: ProfileChange, *, actor: Actor, now: datetime | None = None
) -> bool:
    """Publish a pending change on the provider's profile. False if it was not pending."""
    return _decide(change, ProfileChange.Status.APPROVED, actor, now, apply=_publish)


def reject_profile_change(
    change: ProfileChange, *, actor: Actor, now: datetime | None = None
) -> bool:
    return _decide(change, ProfileChange.Status.REJECTED, actor, now)


def _publish(change: ProfileChange) -> None:
    provider, proposed = change.provider, change.proposed
    if "bio" in proposed:
        provider.bio = proposed["bio"]
    if change.photo_id:
        provider.photo_id = change.photo_id
    provider.save(update_fields=["bio", "photo"])
    if "specialties" in proposed:
        provider.specialties.set(Specialty.objects.filter(pk__in=proposed["specialties"]))
    if "languages" in proposed:
        provider.languages.set(Language.objects.filter(pk__in=proposed["languages"]))


def _decide(change, status, actor: Actor, now, apply=None) -> bool:
    with transaction.atomic():
        change = (
            ProfileChange.objects.select_for_update(of=("self",))
            .select_related("provider")
            .filter(pk=change.pk, status=ProfileChange.Status.PENDING)
            .first()
        )
        if change is None:
            return False
        if apply:
            apply(change)
        change.status = status
        change.decided_at = now or timezone.now()
        change.decided_by = actor.label[:80]
        change.save(update_fields=["status", "decided_at", "decided_by"])
    return True


AVAILABILITY_FIELDS = ("accepting_new_clients", "away_from", "away_until", "weekly_limit")


def set_availability(
    provider: Provider, *, actor: Actor, now: datetime | None = None, **values
) -> list[str]:
    """The provider (or staff for them) sets whether they take new referrals: accepting new
    clients, away dates, weekly limit (any of `AVAILABILITY_FIELDS`; those left out stay).

    Each field that changes is one `AvailabilityChange` row (who, when, old, new) in the same
    transaction. Referrals already offered to or accepted by them stay with them. Returns the
    names of the fields that changed. Away dates go together, the last on or after the first.
    """
    unknown = set(values) - set(AVAILABILITY_FIELDS)
    if unknown:
        raise ValueError(f"not availability fields: {sorted(unknown)}")
    at = now or timezone.now()
    with transaction.atomic():
        locked = Provider.objects.select_for_update().get(pk=provider.pk)
        wanted = {name: values.get(name, getattr(locked, name)) for name in AVAILABILITY_FIELDS}
        start, end = wanted["away_from"], wanted["away_until"]
        if (start is None) != (end is None) or (start and end < start):
            raise ValueError("away dates go together, the last on or after the first")
        if wanted["weekly_limit"] is not None and wanted["weekly_limit"] < 1:
            raise ValueError("a weekly limit is at least 1")
        changed = [name for name in AVAILABILITY_FIELDS if getattr(locked, name) != wanted[name]]
        if not changed:
            return []
        AvailabilityChange.objects.bulk_create(
            AvailabilityChange(
                provider=locked,
                at=at,
                actor=actor.user,
                actor_label=actor.label[:80],
                field=name,
                old=_text(getattr(locked, name)),
                new=_text(wanted[name]),
            )
            for name in changed
        )
        for name in changed:
            setattr(locked, name, wanted[name])
            setattr(provider, name, wanted[name])
        locked.save(update_fields=changed)
    return changed


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)  # dates as 2027-01-11, numbers as digits
