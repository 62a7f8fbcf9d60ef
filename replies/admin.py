"""Staff see every Slack press and text-message reply, and the numbers that texted STOP."""

from django.contrib import admin

from config.readonly_admin import ReadOnlyAdmin
from replies.models import InboundMessage, SmsOptOut


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "channel", "sender", "provider", "referral", "text", "outcome")
    list_filter = ("channel", "outcome")
    list_select_related = ("provider", "referral")


@admin.register(SmsOptOut)
class SmsOptOutAdmin(ReadOnlyAdmin):
    list_display = ("phone", "opted_out_at")
