"""The development backend: records each message in memory and logs one line, delivers nothing.

Used for any channel that is not configured. The log line names the template and row id only,
never the recipient or body (client details stay out of logs).
"""

import logging
import threading

from notifications.models import OutboxMessage
from notifications.slack_thread import remember_post
from notifications.transports.base import Sent, Transport

log = logging.getLogger("referral_desk.delivery")

_lock = threading.Lock()
delivered: list[dict] = []


class DevelopmentTransport(Transport):
    is_development = True

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, message: OutboxMessage) -> str | Sent:
        external_id = f"dev-{message.channel}-{message.pk}"
        with _lock:
            delivered.append(
                {
                    "id": message.pk,
                    "channel": message.channel,
                    "template": message.template,
                    "recipient": message.recipient,
                    "subject": message.subject,
                    "body_text": message.body_text,
                    "payload": message.payload,
                }
            )
        log.info(
            "development backend: %s message %s (%s) recorded",
            message.channel,
            message.pk,
            message.template,
        )
        if message.channel == OutboxMessage.Channel.SLACK and message.payload.get("op") == "post":
            ts = f"{message.pk}.000100"
            return Sent(ts, remember_post(message.referral_id, channel_id="DEVCHANNEL", ts=ts))
        return external_id
