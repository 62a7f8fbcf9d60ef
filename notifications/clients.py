"""Every external client is built here, from settings, so tests point them at loopback servers.

A channel without configuration gets the development backend (see transports/development.py).
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import get_connection

from notifications.models import OutboxMessage
from notifications.transports.base import Transport
from notifications.transports.development import DevelopmentTransport

Channel = OutboxMessage.Channel
log = logging.getLogger("referral_desk.delivery")


def timeout_seconds() -> float:
    return settings.DELIVERY_TIMEOUT.total_seconds()


def slack_client(timeout: float | None = None, *, keep_alive: bool = False):
    """The Slack Web API client. `keep_alive`: the worker's, which keeps one connection from one
    call to the next until its `close()` (notifications/slack_connection.py); a one-off call
    (views.open from a request) opens and closes its own."""
    if keep_alive:
        from notifications.slack_connection import KeepAliveWebClient as WebClient
    else:
        from slack_sdk import WebClient

    base_url = (
        settings.SLACK_API_URL
        if settings.SLACK_API_URL.endswith("/")
        else settings.SLACK_API_URL + "/"
    )
    # Our dispatcher owns retries, so the SDK's own retry handlers are switched off.
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=base_url,
        timeout=int(max(1, timeout if timeout is not None else timeout_seconds())),
        retry_handlers=[],
    )


class UnsafeResponseUrl(ValueError):
    """A `response_url` that is not Slack's (or, in tests, the configured Slack API host)."""


def is_slack_response_url(url: str) -> bool:
    """True for https://hooks.slack.com/... or a URL on the configured SLACK_API_URL's host, so a
    forged payload cannot make us fetch an arbitrary address (SSRF)."""
    try:
        parts = urlsplit(url)
        api = urlsplit(settings.SLACK_API_URL)
        port, api_port = parts.port, api.port
    except ValueError:
        return False
    if parts.username or parts.password:
        return False
    if parts.scheme == "https" and parts.hostname == "hooks.slack.com" and port in (None, 443):
        return True
    return (parts.scheme, parts.hostname, port) == (api.scheme, api.hostname, api_port)


def slack_response_url_client(url: str):
    """A client for one button press's `response_url`; refuses any URL that is not Slack's."""
    from slack_sdk.webhook import WebhookClient

    if not is_slack_response_url(url):
        raise UnsafeResponseUrl("not a Slack response_url")
    return WebhookClient(url, timeout=int(max(1, timeout_seconds())), retry_handlers=[])


def twilio_client():
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    # The SDK logs every request's headers at INFO; our own log lines say what matters.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    http_client = TwilioHttpClient(timeout=timeout_seconds())
    read_environment_once(http_client.session, settings.TWILIO_API_URL)
    client = Client(
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client
    )
    client.api.base_url = settings.TWILIO_API_URL.rstrip("/")
    return client


def read_environment_once(session, url: str) -> None:
    """Settle a requests session's proxy and CA bundle from the environment once, for the one
    origin its client calls, instead of on every request: requests scans all of os.environ for
    them each time (about 40% of the CPU a text costs the worker). The same variables are
    honoured (HTTPS_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, ...), read when the client is built."""
    found = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies.update(found["proxies"])
    session.verify = found["verify"]
    session.trust_env = False


def email_connection():
    return get_connection(timeout=timeout_seconds())


def configured_channels() -> dict[str, bool]:
    return {
        Channel.SLACK: bool(settings.SLACK_BOT_TOKEN),
        Channel.EMAIL: bool(settings.EMAIL_URL),
        Channel.SMS: bool(
            settings.TWILIO_ACCOUNT_SID
            and settings.TWILIO_AUTH_TOKEN
            and settings.TWILIO_FROM_NUMBER
        ),
    }


def build_transport(channel: str) -> Transport:
    if not configured_channels()[channel]:
        return DevelopmentTransport(channel)
    if channel == Channel.SLACK:
        from notifications.transports.slack import SlackTransport

        return SlackTransport(
            slack_client(keep_alive=True),
            settings.SLACK_CHANNEL,
            settings.SLACK_MIN_INTERVAL.total_seconds(),
        )
    if channel == Channel.EMAIL:
        from notifications.transports.email import EmailTransport

        return EmailTransport(email_connection)
    from notifications.transports.sms import SmsTransport

    return SmsTransport(
        twilio_client(), settings.TWILIO_FROM_NUMBER, settings.SMS_MIN_INTERVAL.total_seconds()
    )


def announce_development_channels() -> None:
    """Say once, at worker start-up, which channels only record messages."""
    for channel, configured in configured_channels().items():
        if not configured:
            log.warning(
                "%s is not configured: messages go to the development backend (recorded, not delivered)",
                channel,
            )
