"""Each event carries its referral's received time, so the analytics page finds a period's
answers and expiries without joining every referral (issue 13). Existing events are filled from
their referral (one UPDATE, on SQLite and PostgreSQL).

The trail is append-only: on PostgreSQL a trigger refuses every UPDATE (migration 0006). This
migration alone sets it aside, inside its own transaction and for the new column only: no event's
recorded content changes. If anything fails, the whole migration, the trigger's state included,
rolls back."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

TABLE = "referrals_referralevent"


def fill(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    received = Referral.objects.filter(pk=OuterRef("referral_id")).values("created_at")
    guarded = schema_editor.connection.vendor == "postgresql"
    if guarded:
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only")
    ReferralEvent.objects.update(received_at=Subquery(received))
    if guarded:
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0016_client_lookup_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="referralevent",
            name="received_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="referralevent",
            name="received_at",
            field=models.DateTimeField(
                help_text="When the referral was received (its created_at), copied here so a "
                "period's events are found without reading the referrals (analytics)."
            ),
        ),
        migrations.AddIndex(
            model_name="referralevent",
            index=models.Index(fields=["kind", "received_at"], name="event_kind_received"),
        ),
    ]
