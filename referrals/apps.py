from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from notifications.signals import slack_posted, slack_thread_wanted
        from providers.signals import provider_made_inactive
        from referrals import slack_posts

        provider_made_inactive.connect(_release_inactive_provider, dispatch_uid="referrals")
        slack_posted.connect(slack_posts.remember_post, dispatch_uid="referrals")
        slack_thread_wanted.connect(slack_posts.thread_of, dispatch_uid="referrals")


def _release_inactive_provider(sender, *, provider, actor, now, **kwargs):
    from referrals.services import release_inactive_provider

    return release_inactive_provider(provider, actor=actor, now=now)
