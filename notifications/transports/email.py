"""Email through Django's SMTP backend: an HTML and a plain-text part, both from templates.

Each message carries `Auto-Submitted: auto-generated` and a Message-ID derived from the outbox
row, so a repeat after a crash is recognisable as the same message.

The messages of one batch share one SMTP connection: opened by the batch's first send, closed
(QUIT) by `close()` at the batch's end. A send that fails closes it, whatever the reason, since
its state is then unknown (or the server ended it, as with 421): only that message fails, and the
next send opens a new connection.

Over Django's SMTP backend the message goes out as the backend sends it (`EmailMessage.message()`,
then `sendmail` with the sanitized envelope addresses), with two savings per message: the envelope
sender is sanitized once per connection rather than once per message, and the message is written
by `notifications.mime.as_smtp_bytes`, which gives the same bytes for less work. Any other
backend (tests may configure one) is handed the message as Django's `send()` would.

The recipient is checked before anything is sent: an internationalised domain goes out in its
IDNA 2008 form (`bücher.example` -> `xn--bcher-kva.example`); a domain IDNA cannot encode, or a
non-ASCII local part (which needs SMTPUTF8, not supported here), fails that message for good with
a reason that does not quote the address.
"""

import contextlib
import re
import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

from config.email_domains import ascii_domain
from notifications.mime import as_smtp_bytes
from notifications.models import OutboxMessage
from notifications.transports.base import DeliveryError, Transport


class EmailTransport(Transport):
    channel = OutboxMessage.Channel.EMAIL

    def __init__(self, connection_factory):
        self.connection_factory = connection_factory
        self.connection = None  # Django's SMTP backend, from the batch's first send to close()
        self.envelope_from = ""  # DEFAULT_FROM_EMAIL as the backend sanitizes it, per connection

    def send(self, message: OutboxMessage) -> str:
        host = urlsplit(settings.SITE_URL).hostname or "referral-desk"
        message_id = f"<outbox-{message.pk}@{host}>"
        to = ascii_address(message.recipient)
        if self.connection is None:
            # first, so a sender the backend would refuse fails each message as it did there
            self.envelope_from = sanitize_address(settings.DEFAULT_FROM_EMAIL, _encoding())
            self.connection = self.connection_factory()
        try:
            return self._send(message, message_id, to, self.connection)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()  # QUIT; also a half-open one (STARTTLS or login refused)

    def _send(self, message: OutboxMessage, message_id: str, to: str, connection) -> str:
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            reply_to=[settings.REPLY_TO_EMAIL] if settings.REPLY_TO_EMAIL else None,
            headers={"Auto-Submitted": "auto-generated", "Message-ID": message_id},
            connection=connection,
        )
        if message.body_html:
            mail.attach_alternative(message.body_html, "text/html")
        try:
            connection.open()  # once per batch: it stays open, so mail.send() leaves it open
            if isinstance(connection, SmtpBackend):
                self._sendmail(mail, connection)
            else:
                mail.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused ({codes})", permanent=all(c >= 500 for c in codes)
            ) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise DeliveryError(f"SMTP {exc.smtp_code}", permanent=exc.smtp_code >= 500) from exc
        except smtplib.SMTPNotSupportedError as exc:  # STARTTLS or AUTH asked for, not offered
            raise DeliveryError(
                f"configuration error: the mail server refused: {exc} Fix EMAIL_URL "
                "(?tls=0 turns STARTTLS off, for a trusted local relay only).",
                configuration=True,
            ) from exc
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"SMTP authentication failed ({exc.smtp_code})", permanent=True
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP unreachable: {type(exc).__name__}") from exc
        return message_id

    def _sendmail(self, mail: EmailMultiAlternatives, connection: SmtpBackend) -> None:
        """What the SMTP backend's `send_messages([mail])` does on an open connection, with the
        envelope sender sanitized once per connection and the bytes written by `as_smtp_bytes`
        (the same bytes; tests/delivery/test_email_bytes.py)."""
        recipients = [envelope_address(to) for to in mail.recipients()]
        data = as_smtp_bytes(mail.message())
        connection.connection.sendmail(self.envelope_from, recipients, data)


# An address whose local part is a dot-atom and whose domain is ASCII labels of 1 to 63
# characters: Django's sanitize_address gives it back unchanged (nothing to quote, encode or
# punycode), after parsing it with email.headerregistry, which costs more than the rest of
# the envelope.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*"
)


def envelope_address(address: str) -> str:
    """The address as Django's SMTP backend puts it in the envelope (`sanitize_address`): a
    plain address as it is, any other through sanitize_address itself."""
    # A local part starting with "=?" is an encoded word, which sanitize_address decodes.
    if not address.startswith("=?") and _PLAIN_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, _encoding())


def _encoding() -> str:
    return EmailMultiAlternatives.encoding or settings.DEFAULT_CHARSET


def ascii_address(address: str) -> str:
    """The address as SMTP can carry it without SMTPUTF8, or a permanent DeliveryError."""
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        raise DeliveryError("recipient address is not an email address", permanent=True)
    if not local.isascii():
        raise DeliveryError(
            "recipient address cannot be encoded: its local part is not ASCII "
            "(needs SMTPUTF8, which this sender does not use)",
            permanent=True,
        )
    encoded = ascii_domain(domain)
    if encoded is None:
        raise DeliveryError(
            "recipient address cannot be encoded: its domain is not a valid "
            "internationalised domain name (IDNA)",
            permanent=True,
        )
    return f"{local}@{encoded}"
