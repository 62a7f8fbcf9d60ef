"""`POST /slack/interactions`: the Accept and Decline buttons on a referral's Slack card.

Every request must carry Slack's signature made with SLACK_SIGNING_SECRET, no older than five
minutes (slack_sdk's SignatureVerifier); without the secret every request is refused (403). The
press is recorded first under a unique key (user + action ts, or user + modal), so Slack's retries
(`X-Slack-Retry-Num`) and repeats never act twice. The presser is the provider with that Slack
user ID; the services decide everything else (the ids in a button are not trusted). Accept acts at
once; Decline opens a modal (views.open) asking which of the policy's two reasons applies, and its
submission declines. The answer only the presser sees is queued in the outbox (op "ephemeral")
and delivered by the worker through the press's response_url, checked to be Slack's.
"""

import json
import logging
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from notifications.clients import slack_client
from notifications.outbox import Channel, queue_message
from notifications.slack_ids import is_slack_user_id
from providers.models import Provider
from referrals import eligibility, services
from referrals.models import Referral
from referrals.web.accept_forms import DECLINE_REASONS
from replies.acting import ACCEPTED, DECLINED, act, answer_context, note_on_timeline
from replies.models import InboundMessage

log = logging.getLogger("referral_desk.replies")

_ACTION = re.compile(r"\A(accept|decline):(\d{1,18}):(\d{1,9})\Z")
DECLINE_CALLBACK = "decline_referral"
ASKED_REASON = "asked_reason"
VIEWS_OPEN_TIMEOUT = 2  # seconds: Slack's trigger_id dies after 3


def _signed(request) -> bool:
    secret = settings.SLACK_SIGNING_SECRET
    if not secret:
        return False  # fail closed
    try:
        return SignatureVerifier(secret).is_valid_request(request.body, request.headers)
    except (ValueError, UnicodeDecodeError):
        return False


@csrf_exempt
@require_POST
def slack_interactions(request):
    if not _signed(request):
        return HttpResponseForbidden()
    try:
        payload = json.loads(request.POST.get("payload", ""))
        kind = payload["type"]
        user_id = payload["user"]["id"]
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    if not isinstance(user_id, str) or len(user_id) > 40:
        return HttpResponseBadRequest()
    if kind == "block_actions":
        return _button(payload, user_id)
    if kind == "view_submission" and payload.get("view", {}).get("callback_id") == DECLINE_CALLBACK:
        return _decline_submitted(payload, user_id)
    return HttpResponse()  # nothing we asked for (e.g. a modal closed): acknowledged


def _button(payload: dict, user_id: str):
    try:
        action = payload["actions"][0]
        verb, referral_id, round_ = _ACTION.match(action["action_id"]).groups()
        key = f"action:{user_id}:{action.get('action_ts') or payload['trigger_id']}"
    except (KeyError, IndexError, TypeError, AttributeError):
        return HttpResponseBadRequest()
    referral_id, round_ = int(referral_id), int(round_)
    where = {
        "response_url": str(payload.get("response_url") or ""),
        "channel": str((payload.get("channel") or {}).get("id") or ""),
    }
    sent = "Accept" if verb == "accept" else "Decline"
    with transaction.atomic():
        inbound = _record(key, user_id, referral_id, sent)
        if inbound is None:
            return HttpResponse()  # a retry or repeat: already handled
        provider = inbound.provider
        if provider is None or not provider.is_active:
            outcome = "not_linked" if provider is None else "inactive"
        elif verb == "accept":
            outcome, _ = act(
                referral_id, provider, accept=True, actor=_actor(provider), expected_round=round_
            )
        else:
            outcome = ASKED_REASON
        _finish(inbound, outcome, where)
    if outcome == ASKED_REASON:
        _open_decline_modal(payload.get("trigger_id", ""), referral_id, round_, where)
    return HttpResponse()


def _decline_submitted(payload: dict, user_id: str):
    view = payload["view"]
    try:
        meta = json.loads(view["private_metadata"])
        referral_id, round_ = int(meta["referral"]), int(meta["round"])
        reason = view["state"]["values"]["reason"]["reason"]["selected_option"]["value"]
        key = f"view:{user_id}:{view['id']}"
    except (KeyError, ValueError, TypeError):
        return HttpResponseBadRequest()
    if reason not in eligibility.DECLINE_REASONS:
        return HttpResponseBadRequest()
    where = {
        "response_url": str(meta.get("response_url", "")),
        "channel": str(meta.get("channel", "")),
    }
    with transaction.atomic():
        inbound = _record(key, user_id, referral_id, f"Decline: {reason}")
        if inbound is None:
            return HttpResponse()
        provider = inbound.provider
        if provider is None or not provider.is_active:
            outcome = "not_linked" if provider is None else "inactive"
        else:
            outcome, _ = act(
                referral_id,
                provider,
                accept=False,
                reason=reason,
                actor=_actor(provider),
                expected_round=round_,
            )
        _finish(inbound, outcome, where)
    return HttpResponse()  # closes the modal; the answer follows as an ephemeral message


def _record(key: str, user_id: str, referral_id: int, sent: str) -> InboundMessage | None:
    """The press, written once; None when this key was already handled."""
    provider = (
        Provider.objects.filter(slack_user_id=user_id).order_by("pk").first()
        if is_slack_user_id(user_id)
        else None
    )
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(
                channel=InboundMessage.Channel.SLACK,
                key=key[:200],
                sender=user_id,
                provider=provider,
                referral=Referral.objects.filter(pk=referral_id).first(),
                text=sent,
                received_at=timezone.now(),
            )
    except IntegrityError:
        return None


def _actor(provider: Provider) -> services.Actor:
    return services.Actor(label=f"Slack: {provider.email}", user=provider.user)


def _finish(inbound: InboundMessage, outcome: str, where: dict) -> None:
    """Save what happened, queue the presser's ephemeral answer, note it on the timeline."""
    inbound.outcome = outcome
    if outcome == ASKED_REASON:
        inbound.save(update_fields=["outcome"])
        return
    template = {ACCEPTED: "reply_accepted", DECLINED: "reply_declined"}.get(
        outcome, "reply_refused"
    )
    context = answer_context(inbound.referral_id, outcome, slack_user_id=inbound.sender)
    message = queue_message(
        key=f"inbound:{inbound.pk}:answer",
        template=template,
        channel=Channel.SLACK,
        recipient=inbound.sender,
        context=context,
        now=inbound.received_at,
        referral=inbound.referral,
        payload={"op": "ephemeral", **where},
    )
    inbound.answer = message.body_text
    inbound.save(update_fields=["outcome", "answer"])
    who = inbound.provider.name if inbound.provider else "an unlinked Slack user"
    note_on_timeline(
        inbound.referral_id,
        channel="Slack",
        who=f"{who} ({inbound.sender})",
        sent=inbound.text,
        answer=message.body_text,
    )


def _open_decline_modal(trigger_id: str, referral_id: int, round_: int, where: dict) -> None:
    metadata = json.dumps({"referral": referral_id, "round": round_, **where})
    view = json.loads(
        render_to_string(
            "slack/decline_modal.json",
            {
                "metadata": metadata,
                "number": Referral(pk=referral_id).number,
                "reasons": DECLINE_REASONS,
                "callback_id": DECLINE_CALLBACK,
            },
        )
    )
    try:
        slack_client(timeout=VIEWS_OPEN_TIMEOUT).views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, OSError) as exc:
        log.warning("could not open the decline form in Slack: %s", type(exc).__name__)
