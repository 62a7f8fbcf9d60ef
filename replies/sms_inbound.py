"""`POST /sms/inbound`: providers answer a referral by text ("A 123" accepts, "D 123" declines).

Twilio signs each request (`X-Twilio-Signature`) with the auth token over the public URL
(SITE_URL + path) and the form fields; twilio's RequestValidator checks it, and without
TWILIO_AUTH_TOKEN every request is refused (403). Each MessageSid is handled once (a retry gets
the same answer, nothing more). The sender is the provider with that mobile number; a referral
they may not see answers as one that does not exist. Acting goes through `referrals.services`
(a decline by text is "unavailable"). STOP/START are Twilio's opt-out keywords: Twilio answers
them itself, we record them so a number that sent STOP is not texted until START. The answer is
TwiML, from a template, with no client details.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from notifications.outbox import Channel, render_message
from providers.models import Provider
from referrals import services
from referrals.eligibility import lost_race, visible_to
from referrals.models import Referral
from replies import sms_commands as cmd
from replies.acting import ACCEPTED, DECLINED, act, answer_context, note_on_timeline
from replies.models import InboundMessage, SmsOptOut

UNKNOWN = "unknown_number"


def _signed(request) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    if not token:
        return False  # fail closed
    url = f"{settings.SITE_URL}{request.path}"
    signature = request.headers.get("X-Twilio-Signature", "")
    return bool(signature) and RequestValidator(token).validate(url, request.POST.dict(), signature)


def _twiml(text: str) -> HttpResponse:
    response = MessagingResponse()
    if text:
        response.message(text)
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def sms_inbound(request):
    if not _signed(request):
        return HttpResponseForbidden()
    sid, sender = request.POST.get("MessageSid", ""), request.POST.get("From", "")
    body = request.POST.get("Body", "")
    if not sid or not sender or len(sid) > 64 or len(sender) > 20:
        return HttpResponseBadRequest()
    with transaction.atomic():
        done = InboundMessage.objects.filter(channel=InboundMessage.Channel.SMS, key=sid).first()
        if done is not None:
            return _twiml(done.answer)  # Twilio retried: same answer, nothing done again
        try:
            with transaction.atomic():
                inbound = InboundMessage.objects.create(
                    channel=InboundMessage.Channel.SMS,
                    key=sid,
                    sender=sender,
                    text=body[:320],
                    received_at=timezone.now(),
                )
        except IntegrityError:
            return _twiml("")
        outcome, template, referral_id, provider = _handle(sender, cmd.parse(body))
        answer = ""
        if template:
            context = answer_context(referral_id, outcome)
            answer = render_message(Channel.SMS, template, context)["body_text"]
        inbound.provider, inbound.outcome, inbound.answer = provider, outcome, answer
        inbound.referral = Referral.objects.filter(pk=referral_id).first() if referral_id else None
        inbound.save()
        if provider is not None:
            note_on_timeline(
                referral_id, channel="Text message", who=provider.name, sent=body, answer=answer
            )
    return _twiml(answer)


def _handle(sender: str, command: cmd.Command):
    """(outcome, answer template or "", referral id, provider) for one text."""
    if command.verb == cmd.STOP:
        SmsOptOut.objects.get_or_create(phone=sender, defaults={"opted_out_at": timezone.now()})
        return "opted_out", "", None, None  # Twilio confirms the opt-out itself
    if command.verb in (cmd.START, cmd.YES):
        SmsOptOut.objects.filter(phone=sender).delete()
        if command.verb == cmd.START:
            return "opted_in", "", None, None
    provider = _provider(sender)
    if provider is None:
        if command.verb == cmd.HELP:  # a client (or a stranger): not the providers' commands
            return "help", "reply_help_client", None, None
        answered = InboundMessage.objects.filter(
            channel=InboundMessage.Channel.SMS, sender=sender, outcome=UNKNOWN
        ).exists()
        return UNKNOWN, "" if answered else "reply_unknown_number", None, None
    if command.verb == cmd.YES:
        waiting = list(
            Referral.objects.filter(
                status=Referral.Status.PENDING, offered_to=provider
            ).values_list("pk", flat=True)[:2]
        )
        if len(waiting) != 1:
            return "help", "reply_help", None, provider
        command = cmd.Command(cmd.ACCEPT, waiting[0])
    if command.verb not in (cmd.ACCEPT, cmd.DECLINE):
        return "help", "reply_help", None, provider
    referral_id = command.referral_id
    if not provider.is_active:
        return "inactive", "reply_refused", referral_id, provider
    if not visible_to(provider).filter(pk=referral_id).exists():
        return _not_visible(provider, referral_id), "reply_refused", referral_id, provider
    actor = services.Actor(label=f"text message: {provider.email}", user=provider.user)
    outcome, _ = act(referral_id, provider, accept=command.verb == cmd.ACCEPT, actor=actor)
    template = {ACCEPTED: "reply_accepted", DECLINED: "reply_declined"}.get(
        outcome, "reply_refused"
    )
    return outcome, template, referral_id, provider


def _provider(phone: str) -> Provider | None:
    """The provider with this mobile number (an active one first, if several share it)."""
    matches = list(Provider.objects.filter(phone=phone).order_by("pk")[:5])
    return next((p for p in matches if p.is_active), matches[0] if matches else None)


def _not_visible(provider: Provider, referral_id: int) -> str:
    """Someone else's referral answers as one that does not exist, unless this provider could
    have taken it and another provider accepted it first (`lost_race`, as on the page)."""
    accepted_round = (
        Referral.objects.filter(pk=referral_id, status=Referral.Status.ACCEPTED)
        .values_list("round", flat=True)
        .first()
    )
    if accepted_round is not None and lost_race(provider, referral_id, accepted_round - 1):
        return "already_accepted"
    return "not_found"
