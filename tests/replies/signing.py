"""Requests signed as Slack and Twilio sign them, with their SDKs' own helpers."""

import json
import time
from urllib.parse import urlencode

from django.conf import settings
from slack_sdk.signature import SignatureVerifier
from twilio.request_validator import RequestValidator

SLACK_SECRET = "loopback-signing-secret"


def slack_post(client, payload: dict, *, secret=SLACK_SECRET, at=None, body=None, **headers):
    body = body if body is not None else urlencode({"payload": json.dumps(payload)})
    timestamp = str(int(time.time() if at is None else at))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return client.post(
        "/slack/interactions",
        data=body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_SLACK_REQUEST_TIMESTAMP=timestamp,
        HTTP_X_SLACK_SIGNATURE=signature,
        **headers,
    )


def press(
    action_id: str, *, user="U0ANA", ts="1764000000.000100", response_url="", channel="C0REFERRAL"
):
    """A block_actions payload: one button pressed on the card."""
    return {
        "type": "block_actions",
        "user": {"id": user},
        "trigger_id": f"trigger-{user}-{ts}",
        "response_url": response_url,
        "channel": {"id": channel},
        "actions": [{"action_id": action_id, "value": action_id.split(":", 1)[1], "action_ts": ts}],
    }


def submit(view: dict, reason: str, *, user="U0ANA", view_id="V00000001"):
    """A view_submission payload: the decline modal sent with `reason` chosen."""
    return {
        "type": "view_submission",
        "user": {"id": user},
        "trigger_id": f"trigger-submit-{view_id}",
        "view": {
            "id": view_id,
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": {"reason": {"reason": {"selected_option": {"value": reason}}}}},
        },
    }


def sms_post(client, params: dict, *, token=None, tamper=False):
    token = token if token is not None else settings.TWILIO_AUTH_TOKEN
    url = f"{settings.SITE_URL}/sms/inbound"
    signature = RequestValidator(token).compute_signature(url, params)
    sent = {**params, "Body": params.get("Body", "") + " x"} if tamper else params
    return client.post("/sms/inbound", sent, HTTP_X_TWILIO_SIGNATURE=signature)


def text(sender: str, body: str, sid: str = "SM0001"):
    return {
        "MessageSid": sid,
        "From": sender,
        "To": "+12012100199",
        "Body": body,
        "AccountSid": "AC" + "0" * 32,
    }
