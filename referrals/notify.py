"""What the practice sends, and to whom, when something happens to a referral.

This is the policy's "Referral Communication" and "Client Communications" sections as code; the
table in docs/lifecycle.md mirrors it. Called only from `referrals.services`, inside the
transaction that made the change, so a change and its messages exist together or not at all.
Slack and SMS texts carry no client details: number, type, network and a link only.
"""

from django.conf import settings
from django.urls import reverse

from notifications.outbox import Channel, queue_message
from referrals.links import make_action_url
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


def _mention(provider) -> dict:
    """Ask the Slack transport to @-mention this provider at the top of the message."""
    if provider is None:  # the policy: "@name will appear in the top of the message"
        return {}
    return {
        "mention_user_id": provider.slack_user_id,
        "mention_email": provider.email,
        "mention_provider_id": provider.pk,
    }


def _email_client(referral, event, template, context):
    client = referral.client
    if client.email and client.consent_email:
        _queue(referral, event, template, Channel.EMAIL, client.email, context)


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
        reply.update(_mention(event.provider))
    _queue(referral, event, template, Channel.SLACK, channel, context, reply)
    _queue(referral, event, "referral_card", Channel.SLACK, channel, context, {"op": "update"})


def on_received(referral: Referral, event: ReferralEvent) -> None:
    ctx = _context(referral, event)
    post = {"op": "post", **_mention(referral.preferred_provider)}
    _queue(referral, event, "referral_card", Channel.SLACK, settings.SLACK_CHANNEL, ctx, post)
    if referral.kind == Referral.Kind.PREFERRED:
        _offer_to_provider(referral, event, referral.preferred_provider, ctx)
    _email_client(referral, event, "referral_confirmation", ctx)


def on_offered(referral: Referral, event: ReferralEvent) -> None:
    """Staff offered it to one provider: they hear about it as a preferred provider does."""
    provider = event.provider
    ctx = _context(referral, event, provider=provider)
    _slack_status(referral, event, ctx, "referral_offered")
    _offer_to_provider(referral, event, provider, ctx)


def on_accepted(referral: Referral, event: ReferralEvent) -> None:
    _slack_status(referral, event, _context(referral, event), "referral_accepted")


def on_declined(referral: Referral, event: ReferralEvent) -> None:
    """Declined by a provider or expired: the client is told, the channel sees it is available."""
    ctx = _context(referral, event)
    _slack_status(referral, event, ctx, "referral_available_again")
    _email_client(referral, event, "decline_notice", ctx)


def on_reminder(referral: Referral, event: ReferralEvent) -> None:
    """The 24-hour reminders: the waiting preferred provider, and the client pending contact."""
    ctx = _context(referral, event)
    if referral.status == Referral.Status.PENDING:
        provider = referral.offered_to
        link_ctx = {**ctx, "provider": provider, "action_url": make_action_url(referral, provider)}
        _queue(referral, event, "provider_reminder", Channel.EMAIL, provider.email, link_ctx)
    _email_client(referral, event, "client_reminder", ctx)


def on_closed(referral: Referral, event: ReferralEvent) -> None:
    """Closed with an outcome (or merged as a duplicate): the thread and the post say how it
    ended. Nothing goes to the client or a provider: the conversation is theirs now, or over."""
    _slack_status(referral, event, _context(referral, event), "referral_closed")


def on_asked_again(referral: Referral, event: ReferralEvent) -> None:
    """The same person asked again: they are told, at the address on file, that their request is
    in hand. Providers are not messaged again; the desk sees it."""
    _email_client(referral, event, "request_in_hand", _context(referral, event))
