"""SMS through the official twilio SDK. Texts carry no client details (templates see to that)."""

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

    def close(self) -> None:
        self.client.http_client.session.close()  # the SDK's requests session keeps a connection

    def cost(self, message: OutboxMessage) -> int:
        return segments(message.body_text)  # a sending number is limited per segment

    def send(self, message: OutboxMessage) -> str:
        if first_answer(sms_refused, False, phone=message.recipient):
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
