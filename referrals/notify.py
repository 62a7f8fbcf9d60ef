"""What the practice sends, and to whom, when something happens to a referral.

This is the policy's "Referral Communication" and "Client Communications" sections as code; the
table in docs/lifecycle.md mirrors it. Called only from `referrals.services`, inside the
transaction that made the change, so a change and its messages exist together or not at all.
Slack and SMS texts carry no client details: number, type, network and a link only; a client's
own texts carry the practice's name and the referral number only.
"""

from django.conf import settings
from django.urls import reverse

from notifications.outbox import Channel, queue_message
from notifications.slack_blocks import card_buttons
from providers.availability import availability
from providers.contact import phone_for_clients
from referrals.links import make_action_url, make_status_url
from referrals.models import Referral, ReferralEvent


def accept_page_url(referral: Referral) -> str:
    return f"{settings.SITE_URL}{reverse('referrals:accept')}?referral={referral.pk}"


def _context(referral: Referral, event: ReferralEvent, **extra) -> dict:
    return {
        "referral": referral,
        "client": referral.client,
        "event": event,
        "preferred_provider": referral.preferred_provider,
        "accept_page_url": accept_page_url(referral),
        **extra,
    }


def _queue(referral, event, template, channel, recipient, context, payload=None):
    return queue_message(
        key=f"referral:{referral.pk}:event:{event.pk}:{template}:{channel}:{recipient}",
        template=template,
        channel=channel,
        recipient=recipient,
        context=context,
        now=event.at,
        referral=referral,
        event=event,
        payload=payload,
    )


def _mention(provider, at) -> dict:
    """Ask the Slack transport to @-mention this provider at the top of the message; nobody is
    mentioned who is not taking new referrals at `at` (the offer being made then not counted)."""
    if provider is None:  # the policy: "@name will appear in the top of the message"
        return {}
    if not availability(provider, at).ok:
        return {}
    return {
        "mention_user_id": provider.slack_user_id,
        "mention_email": provider.email,
        "mention_provider_id": provider.pk,
    }


def _email_client(referral, event, template, context):
    """Every client with an email hears from us ("All clients receive email communications"), and
    every client email carries the link to their request's status page."""
    client = referral.client
    if client.email:
        ctx = {**context, "status_url": make_status_url(referral)}
        _queue(referral, event, template, Channel.EMAIL, client.email, ctx)


def _tell_client(referral, event, template, context):
    """The client's email, and the short text of the same name if they ticked texts (a number
    that texted STOP is held back by the SMS transport until it texts START)."""
    _email_client(referral, event, template, context)
    client = referral.client
    if client.consent_sms and client.phone:
        _queue(referral, event, template, Channel.SMS, client.phone, context)


def _offer_to_provider(referral, event, provider, context):
    """Email with the one-click link, and an SMS saying a referral was sent."""
    ctx = {**context, "provider": provider, "action_url": make_action_url(referral, provider)}
    _queue(referral, event, "provider_referral", Channel.EMAIL, provider.email, ctx)
    if provider.phone:
        _queue(referral, event, "provider_referral", Channel.SMS, provider.phone, ctx)


def _slack_status(referral, event, context, template):
    """A reply in the referral's thread (also shown in the channel) and the original post updated."""
    channel = settings.SLACK_CHANNEL
    reply = {"op": "reply", "broadcast": True}
    if event.kind == ReferralEvent.Kind.OFFERED:
        reply.update(_mention(event.provider, event.at))
    _queue(referral, event, template, Channel.SLACK, channel, context, reply)
    update = {"op": "update", **_card_buttons(referral)}
    _queue(referral, event, "referral_card", Channel.SLACK, channel, context, update)


def _card_buttons(referral: Referral) -> dict:
    answerable = referral.status in Referral.OPEN_FOR_ACCEPTANCE
    return card_buttons(referral.pk, referral.round, answerable=answerable)


def on_received(referral: Referral, event: ReferralEvent) -> None:
    ctx = _context(referral, event)
    post = {
        "op": "post",
        **_mention(referral.preferred_provider, event.at),
        **_card_buttons(referral),
    }
    _queue(referral, event, "referral_card", Channel.SLACK, settings.SLACK_CHANNEL, ctx, post)
    if referral.kind == Referral.Kind.PREFERRED:
        _offer_to_provider(referral, event, referral.preferred_provider, ctx)
    _tell_client(referral, event, "referral_confirmation", ctx)


def on_offered(referral: Referral, event: ReferralEvent) -> None:
    """Staff offered it to one provider: they hear about it as a preferred provider does."""
    provider = event.provider
    ctx = _context(referral, event, provider=provider)
    _slack_status(referral, event, ctx, "referral_offered")
    _offer_to_provider(referral, event, provider, ctx)


def on_accepted(referral: Referral, event: ReferralEvent) -> None:
    """The channel sees who accepted; the client is told who will contact them ("A provider will
    contact you"): name, credentials, photo when there is one, and the number to expect."""
    _slack_status(referral, event, _context(referral, event), "referral_accepted")
    _email_client(referral, event, "provider_will_contact", _holder_context(referral, event))


def _holder_context(referral: Referral, event: ReferralEvent) -> dict:
    """The holder as a client is shown them: their phone for clients and their photo's address."""
    holder = referral.accepted_by
    photo = reverse("providers:photo", args=[holder.photo_id]) if holder.photo_id else ""
    return _context(
        referral,
        event,
        provider=holder,
        provider_phone=phone_for_clients(holder),
        photo_url=f"{settings.SITE_URL}{photo}" if photo else "",
    )


def on_declined(referral: Referral, event: ReferralEvent, *, tell_client: bool = True) -> None:
    """Declined by a provider or expired: the channel sees it is available; the client gets the
    Decline Notice when the services say it is due (never twice within 24 hours)."""
    ctx = _context(referral, event)
    _slack_status(referral, event, ctx, "referral_available_again")
    if tell_client:
        _tell_client(referral, event, "decline_notice", ctx)


def on_wave(referral: Referral, event: ReferralEvent, providers: list) -> None:
    """A routing wave: each provider gets the referral email with their own one-click link and
    the SMS, and is @-mentioned in one reply in the referral's Slack thread."""
    ctx = _context(referral, event, wave_providers=providers)
    texted = set()
    for provider in providers:
        link_ctx = {**ctx, "provider": provider, "action_url": make_action_url(referral, provider)}
        _queue(referral, event, "provider_referral", Channel.EMAIL, provider.email, link_ctx)
        if provider.phone and provider.phone not in texted:  # one text per phone number
            texted.add(provider.phone)
            _queue(referral, event, "provider_referral", Channel.SMS, provider.phone, link_ctx)
    reply = {"op": "reply", "broadcast": False}
    _queue(referral, event, "referral_wave", Channel.SLACK, settings.SLACK_CHANNEL, ctx, reply)


def on_no_provider(referral: Referral, event: ReferralEvent) -> None:
    """Routing found nobody left to offer it to: the channel is told staff will decide."""
    reply = {"op": "reply", "broadcast": True}
    ctx = _context(referral, event)
    _queue(
        referral, event, "referral_no_provider", Channel.SLACK, settings.SLACK_CHANNEL, ctx, reply
    )


def on_reminder(referral: Referral, event: ReferralEvent, *, provider: bool, client: bool) -> None:
    """The 24-hour reminders: the provider it still waits for (Referral Reminder, fresh link), and
    the client not yet contacted (24-hour Reminder, with the preferred provider's phone if they
    asked for one, as the policy says, even when another provider has since accepted)."""
    ctx = _context(referral, event)
    if provider:
        holder = referral.offered_to
        link_ctx = {**ctx, "provider": holder, "action_url": make_action_url(referral, holder)}
        _queue(referral, event, "provider_reminder", Channel.EMAIL, holder.email, link_ctx)
    if client:
        _tell_client(referral, event, "client_reminder", ctx)


def portal_url() -> str:
    return f"{settings.SITE_URL}{reverse('portal:home')}"


def on_contact_nudge(referral: Referral, event: ReferralEvent) -> None:
    """The holder has not confirmed contacting the client within CONTACT_WITHIN: email (with the
    client's details, like every provider email) and SMS (number and a pointer only)."""
    holder = referral.accepted_by
    ctx = _context(referral, event, provider=holder, portal_url=portal_url())
    _queue(referral, event, "provider_contact_nudge", Channel.EMAIL, holder.email, ctx)
    if holder.phone:
        _queue(referral, event, "provider_contact_nudge", Channel.SMS, holder.phone, ctx)


def on_closed(referral: Referral, event: ReferralEvent) -> None:
    """Closed with an outcome (or merged as a duplicate): the thread and the post say how it
    ended. Nothing goes to the client or a provider: the conversation is theirs now, or over."""
    _slack_status(referral, event, _context(referral, event), "referral_closed")


def on_asked_again(referral: Referral, event: ReferralEvent) -> None:
    """The same person asked again: they are told, at the address on file, that their request is
    in hand. Providers are not messaged again; the desk sees it."""
    _email_client(referral, event, "request_in_hand", _context(referral, event))
