"""`manage.py check`: with DEBUG off, a channel left on the development backend is a warning."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def channels_configured(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    from notifications.clients import configured_channels

    hints = {
        "slack": "set SLACK_BOT_TOKEN (and SLACK_CHANNEL)",
        "email": "set EMAIL_URL, e.g. smtp://user:password@smtp.example.com:587",
        "sms": "set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER",
    }
    return [
        Warning(
            f"The {channel} channel is not configured; its messages are only recorded.",
            hint=hints[channel],
            id=f"notifications.W00{i}",
        )
        for i, (channel, ok) in enumerate(configured_channels().items(), start=1)
        if not ok
    ]
