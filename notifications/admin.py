"""The outbox in admin: what was sent, what waits and why, and "Retry now" for failed messages.

Rows are read-only: what staff see is exactly what was (or will be) delivered. Recipients are
masked in the list (client addresses are health information); the detail page shows them.
"""

from django.contrib import admin, messages

from config.flash import flash
from config.readonly_admin import ReadOnlyAdmin
from notifications.models import OutboxMessage, mask
from notifications.services import retry_now


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "channel",
        "template",
        "masked_recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
    )
    list_filter = ("status", "channel", "template")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ["retry_selected"]
    list_select_related = ("referral",)
    fields = (
        "referral",
        "event",
        "channel",
        "template",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "external_id",
        "last_error",
        "subject",
        "body_text",
        "body_html",
        "payload",
        "key",
    )
    readonly_fields = fields

    @admin.display(description="recipient")
    def masked_recipient(self, obj):
        return mask(obj.recipient)

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description="Retry now")
    def retry_selected(self, request, queryset):
        count = retry_now(queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        flash(request, messages.SUCCESS, "messages_retry_queued", count=count, skipped=skipped)
