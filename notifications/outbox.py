"""Write a rendered message into the outbox, inside the caller's transaction.

Every word comes from a template under templates/messages/<channel>/. The row holds the final
content, so what staff see in admin is exactly what was (or will be) delivered. Queuing wakes the
worker once the transaction commits (notifications/wakeup.py). Inside `one_insert()` the messages
queued are written together, with one INSERT, when the block ends.
"""

import threading
from contextlib import contextmanager
from datetime import datetime

from django.template.loader import render_to_string

from config.context import practice
from config.plain_text import render_plain
from notifications.gsm import to_gsm7
from notifications.models import OutboxMessage
from notifications.wakeup import wake_worker

Channel = OutboxMessage.Channel
_pending = threading.local()


def _slack_text(template_name: str, context: dict) -> str:
    """Slack mrkdwn decodes only &amp; &lt; &gt;: keep Django's escaping of those (a name with
    "<" cannot forge a link or mention) and undo the quote entities Slack would show raw."""
    text = render_to_string(template_name, context)
    return text.replace("&#x27;", "'").replace("&quot;", '"')


def render_message(channel: str, template: str, context: dict) -> dict:
    """Return subject/body_text/body_html for one message, rendered from its templates. Only the
    HTML part is HTML-escaped; subjects, text parts and SMS are plain text."""
    ctx = {**practice(), **context}
    if channel == Channel.EMAIL:
        base = f"messages/email/{template}"
        return {
            "subject": " ".join(render_plain(f"{base}.subject.txt", ctx).split()),
            "body_text": render_plain(f"{base}.txt", ctx).strip() + "\n",
            "body_html": render_to_string(f"{base}.html", ctx),
        }
    if channel == Channel.SLACK:
        return {
            "subject": "",
            "body_text": _slack_text(f"messages/slack/{template}.txt", ctx).strip(),
            "body_html": "",
        }
    if channel == Channel.SMS:
        text = to_gsm7(" ".join(render_plain(f"messages/sms/{template}.txt", ctx).split()))
        return {"subject": "", "body_text": text, "body_html": ""}
    raise ValueError(f"unknown channel {channel!r}")


def queue_message(
    *,
    key: str,
    template: str,
    channel: str,
    recipient: str,
    context: dict,
    now: datetime,
    referral=None,
    event=None,
    payload: dict | None = None,
) -> OutboxMessage:
    wake_worker()
    message = OutboxMessage(
        key=key,
        template=template,
        channel=channel,
        recipient=recipient,
        referral=referral,
        event=event,
        payload=payload or {},
        next_attempt_at=now,
        created_at=now,
        **render_message(channel, template, context),
    )
    batch = getattr(_pending, "messages", None)
    if batch is not None:
        batch.append(message)  # written when `one_insert()` ends
    else:
        message.save(force_insert=True)
    return message


@contextmanager
def one_insert():
    """Write every message queued inside this block with one INSERT when it ends (a block inside
    another is part of the outer one). Nothing is written if the block raises."""
    if getattr(_pending, "messages", None) is not None:
        yield
        return
    _pending.messages = []
    try:
        yield
        messages = _pending.messages
    finally:
        _pending.messages = None
    OutboxMessage.objects.bulk_create(messages)
