"""Indexes that let the analytics page read what it sorts or groups in order, from the index
alone (issue 12: the two-year view with 100,000 referrals): each percentile's values per field
(time to first response, to accept, days to first session) with the columns that pick a period,
type and network; the referrals' received time with their answers (the weeks); the holders'
funnel by holder; and each provider's ended offers by response time. Key columns rather than
INCLUDE, so SQLite builds the same indexes."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('providers', '0008_client_facing_office_phone'),
        ('referrals', '0017_event_received_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=models.Q(('response_seconds__isnull', False)), fields=['response_seconds', 'created_at', 'kind', 'insurance_network'], name='referral_response_order'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=models.Q(('accept_seconds__isnull', False)), fields=['accept_seconds', 'created_at', 'kind', 'insurance_network'], name='referral_accept_order'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=models.Q(('first_session_days__isnull', False)), fields=['first_session_days', 'created_at', 'kind', 'insurance_network'], name='referral_first_session_order'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['created_at', 'response_seconds', 'first_session_days'], name='referral_created_answers'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(condition=models.Q(('accepted_by__isnull', False)), fields=['accepted_by', 'created_at', 'kind', 'insurance_network', 'outcome', 'accept_seconds', 'contacted_at'], name='referral_held'),
        ),
        migrations.AddIndex(
            model_name='referralevent',
            index=models.Index(condition=models.Q(('provider__isnull', False), models.Q(models.Q(('kind__in', ['accepted', 'declined']), ('response_seconds__isnull', False)), ('kind', 'expired'), _connector='OR')), fields=['provider', 'response_seconds', 'received_at', 'kind'], name='event_offer_ended'),
        ),
    ]
