"""The one interface every channel implements, and the one error type they raise.

`send()` delivers one outbox row and returns the channel's id for it (Slack ts, Twilio SID,
email Message-ID), or a `Sent` carrying a statement to commit with its sent record. The
dispatcher calls `prepare()` with a batch's rows before its first send and `close()` at its end.
A transport may keep its connection from one send to the next, and a send that fails lets its
connection go, so the next one starts on a new connection. A `DeliveryError` says whether trying
again could help (`permanent`) and, if the service said so, how long to wait (`retry_after`,
seconds). A `configuration` error (the channel's settings are wrong, e.g. the mail server refuses
STARTTLS) is permanent too, and the dispatcher logs it once per worker rather than once per
message.
"""

from typing import NamedTuple

from notifications.models import OutboxMessage


class DeliveryError(Exception):
    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        configuration: bool = False,
    ):
        super().__init__(message)
        self.permanent = permanent or configuration
        self.retry_after = retry_after
        self.configuration = configuration


class Sent(NamedTuple):
    """What a send may hand back instead of the bare id: the id, and a statement (SQL, params)
    from the row's owner that must be committed with the message's sent record (where a Slack
    post lives, notifications/slack_thread.py)."""

    external_id: str
    also: tuple[str, list] | None = None


class Transport:
    channel: str = ""
    #: Least time between two sends from one worker (the channel's own rate limit), seconds.
    min_interval: float = 0.0
    #: True when this transport delivers nowhere but the log and memory (development backend).
    is_development: bool = False
    #: The dispatcher's pacing state for this worker (see dispatcher._pace): sends it may make at
    #: once, when that was counted (time.monotonic()), and before when it must not try again
    #: (the service said Retry-After).
    pace_tokens: float = 0.0
    pace_counted_at: float = float("-inf")
    paused_until: float = float("-inf")
    #: The configuration error this worker has already logged for the channel (logged once).
    reported_configuration: str = ""

    def prepare(self, messages: list[OutboxMessage]) -> None:
        """Start of a batch: read at once what the batch's sends need to know (SMS: which of its
        numbers texted STOP), rather than once per message."""

    def send(self, message: OutboxMessage) -> str | Sent:
        raise NotImplementedError

    def cost(self, message: OutboxMessage) -> int:
        """How many of the channel's rate-limit units sending `message` uses (SMS: segments)."""
        return 1

    def close(self) -> None:
        """End of a batch: close the connection kept since its first send, if any."""
