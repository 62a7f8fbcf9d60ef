"""Slack: post new referrals to #referrals, reply in their thread, and update the post.

Uses the official slack_sdk WebClient built in notifications.clients. A preferred provider is
@-mentioned at the top of the post, and the provider staff offer it to at the top of the reply in
its thread; a provider without a Slack user ID is looked up by their practice email
(users.lookupByEmail) and the ID handed back (`slack_user_found`) for providers to store.
"""

import logging

from slack_sdk.errors import SlackApiError

from notifications.clients import UnsafeResponseUrl, slack_response_url_client
from notifications.models import OutboxMessage
from notifications.signals import slack_user_found
from notifications.slack_blocks import blocks
from notifications.slack_ids import is_slack_user_id
from notifications.slack_thread import post_failed, remember_post, thread_of
from notifications.transports.base import DeliveryError, Sent, Transport

log = logging.getLogger("referral_desk.delivery")

# Errors that will not go away by trying again.
PERMANENT_ERRORS = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "no_permission",
    "missing_scope",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "msg_too_long",
    "invalid_blocks",
    "no_text",
    "cant_update_message",
    "message_not_found",
    "restricted_action",
}


class SlackTransport(Transport):
    channel = OutboxMessage.Channel.SLACK

    def __init__(self, client, channel_name: str, min_interval: float = 1.0):
        self.client = client
        self.channel_name = channel_name
        self.min_interval = min_interval  # Slack allows about one post per second per channel

    def close(self) -> None:
        self.client.close()  # the connection kept for the batch (clients.slack_client)

    def send(self, message: OutboxMessage) -> str | Sent:
        op = message.payload.get("op", "post")
        text = message.body_text
        try:
            if op == "post":
                mention = self._mention(message.payload)
                if mention:
                    text = f"{mention}\n{text}"
                resp = self.client.chat_postMessage(
                    channel=self.channel_name,
                    text=text,
                    blocks=blocks(text, message.payload),
                    unfurl_links=False,
                    unfurl_media=False,
                )
                place = remember_post(
                    message.referral_id, channel_id=resp["channel"], ts=resp["ts"]
                )
                return Sent(resp["ts"], place)
            if op == "ephemeral":
                return self._ephemeral(message)
            channel_id, ts = thread_of(message.referral_id)
            if not ts:
                if post_failed(message.referral_id):
                    raise DeliveryError("the referral's first Slack post failed", permanent=True)
                raise DeliveryError("waiting for the referral's first Slack post")
            if op == "update":
                resp = self.client.chat_update(
                    channel=channel_id, ts=ts, text=text, blocks=blocks(text, message.payload)
                )
                return resp["ts"]
            mention = self._mention(message.payload)  # a staff offer's reply names its provider
            resp = self.client.chat_postMessage(
                channel=channel_id,
                thread_ts=ts,
                text=f"{mention}\n{text}" if mention else text,
                reply_broadcast=bool(message.payload.get("broadcast")),
                unfurl_links=False,
            )
            return resp["ts"]
        except SlackApiError as exc:
            raise _classify(exc) from exc
        except DeliveryError:
            raise
        except Exception as exc:  # connection refused, timeout, reset: worth another try
            raise DeliveryError(f"Slack unreachable: {type(exc).__name__}: {exc}") from exc

    def _ephemeral(self, message: OutboxMessage) -> str:
        """An answer only the person who pressed a button sees: by the press's `response_url`
        when it has one (checked to be Slack's), else chat.postEphemeral in the channel."""
        payload = message.payload
        if payload.get("response_url"):
            try:
                client = slack_response_url_client(payload["response_url"])
            except UnsafeResponseUrl as exc:
                raise DeliveryError(
                    "refused a response_url that is not Slack's", permanent=True
                ) from exc
            resp = client.send(
                text=message.body_text, response_type="ephemeral", replace_original=False
            )
            if resp.status_code == 404 or resp.status_code == 410:
                raise DeliveryError(
                    f"Slack response_url expired ({resp.status_code})", permanent=True
                )
            if resp.status_code >= 400:
                raise DeliveryError(
                    f"Slack response_url answered {resp.status_code}",
                    permanent=resp.status_code < 500 and resp.status_code != 429,
                )
            return "ephemeral"
        resp = self.client.chat_postEphemeral(
            channel=payload.get("channel") or self.channel_name,
            user=message.recipient,
            text=message.body_text,
        )
        return resp.get("message_ts", "ephemeral")

    def _mention(self, payload: dict) -> str:
        """`<@ID>` for the provider, only ever with an ID that passes the check (an invalid
        stored or looked-up ID means no mention, never its raw text)."""
        user_id = payload.get("mention_user_id", "")
        email = payload.get("mention_email", "")
        if not user_id and email:
            user_id = self._lookup(email, payload.get("mention_provider_id"))
        if user_id and not is_slack_user_id(user_id):
            log.warning(
                "provider %s has an invalid Slack user ID; posted without a mention",
                payload.get("mention_provider_id"),
            )
            return ""
        return f"<@{user_id}>" if user_id else ""

    def _lookup(self, email: str, provider_id) -> str:
        try:
            resp = self.client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                return ""
            raise
        user_id = resp["user"]["id"]
        if provider_id and is_slack_user_id(user_id):
            slack_user_found.send(sender=None, provider_id=provider_id, user_id=user_id)
        return user_id


def _classify(exc: SlackApiError) -> DeliveryError:
    response = exc.response
    status = getattr(response, "status_code", 200)
    error = response.get("error", "") if hasattr(response, "get") else ""
    if status == 429 or error == "ratelimited":
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        retry_after = _float(headers.get("retry-after"))
        return DeliveryError("Slack rate limit (429)", retry_after=retry_after or 1.0)
    if status >= 500:
        return DeliveryError(f"Slack answered {status}")
    if error in PERMANENT_ERRORS:
        return DeliveryError(f"Slack refused: {error}", permanent=True)
    return DeliveryError(f"Slack error: {error or status}", permanent=status < 500 and bool(error))


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
