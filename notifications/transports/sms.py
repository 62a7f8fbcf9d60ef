"""SMS through the official twilio SDK. Texts carry no client details (templates see to that).

Which of a batch's numbers texted STOP is asked once, when the batch starts (a batch of texts
lasts seconds; Twilio itself refuses a number that opted out meanwhile, code 21610, permanent).
"""

from twilio.base.exceptions import TwilioException, TwilioRestException

from notifications.gsm import segments
from notifications.models import OutboxMessage
from notifications.signals import first_answer, sms_refused
from notifications.transports.base import DeliveryError, Transport

# Twilio error codes that trying again will not fix: invalid or unreachable numbers, opted out.
PERMANENT_CODES = {21211, 21214, 21408, 21606, 21610, 21612, 21614, 21659, 20003, 20404}


class SmsTransport(Transport):
    channel = OutboxMessage.Channel.SMS

    def __init__(self, client, from_number: str, min_interval: float = 1.0):
        self.client = client
        self.from_number = from_number
        self.min_interval = min_interval  # about one segment per second per sending number
        self.refused: set[str] | None = None  # the batch's numbers that texted STOP

    def prepare(self, messages: list[OutboxMessage]) -> None:
        self.refused = _refused({m.recipient for m in messages})

    def close(self) -> None:
        self.refused = None
        self.client.http_client.session.close()  # the SDK's requests session keeps a connection

    def cost(self, message: OutboxMessage) -> int:
        return segments(message.body_text)  # a sending number is limited per segment

    def send(self, message: OutboxMessage) -> str:
        refused = self.refused if self.refused is not None else _refused({message.recipient})
        if message.recipient in refused:
            raise DeliveryError("the number texted STOP: not texted until START", permanent=True)
        try:
            sent = self.client.messages.create(
                to=message.recipient, from_=self.from_number, body=message.body_text
            )
        except TwilioRestException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise DeliveryError(f"Twilio answered {exc.status}") from exc
            permanent = exc.code in PERMANENT_CODES or 400 <= exc.status < 500
            raise DeliveryError(
                f"Twilio refused: {exc.code or exc.status}", permanent=permanent
            ) from exc
        except TwilioException as exc:
            raise DeliveryError(f"Twilio unreachable: {exc}") from exc
        except OSError as exc:
            raise DeliveryError(f"Twilio unreachable: {type(exc).__name__}") from exc
        return sent.sid


def _refused(phones: set[str]) -> set[str]:
    """Which of these numbers texted STOP (and not START since): one question for a batch."""
    return first_answer(sms_refused, set(), phones=phones)
