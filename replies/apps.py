from django.apps import AppConfig


class RepliesConfig(AppConfig):
    name = "replies"
    verbose_name = "Replies from Slack and text messages"

    def ready(self):
        from notifications.signals import sms_refused

        sms_refused.connect(_texted_stop, dispatch_uid="replies")


def _texted_stop(sender, *, phones: set[str], **kwargs) -> set[str]:
    """The SMS transport asks before each batch of texts: which of these numbers texted STOP and
    not START since."""
    from replies.models import SmsOptOut

    return set(SmsOptOut.objects.filter(phone__in=phones).values_list("phone", flat=True))
