from django.apps import AppConfig


class RepliesConfig(AppConfig):
    name = "replies"
    verbose_name = "Replies from Slack and text messages"

    def ready(self):
        from notifications.signals import sms_refused

        sms_refused.connect(_texted_stop, dispatch_uid="replies")


def _texted_stop(sender, *, phone: str, **kwargs) -> bool:
    """The SMS transport asks before each text: this number texted STOP and not START since."""
    from replies.models import SmsOptOut

    return SmsOptOut.objects.filter(phone=phone).exists()
