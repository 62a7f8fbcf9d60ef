"""Staff's view of clients and referrals in Django admin, with the audit trail and the messages.

Admin never changes a referral's state by editing fields: every lifecycle field is read-only and
the only thing the change page can do is add a note to the audit trail through
`services.add_note`. Accepting, declining and offering happen on the Accept Referral page and the
staff desk, which call the services. Nothing here can be deleted: the trail is append-only.
A correction of a client's details goes through `services.edit_client_details`, which writes the
old values into the trail. Opening a referral's or a client's change page is recorded as a view
of the client's details (`access_log`).
"""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from config.flash import flash
from config.readonly_admin import ReadOnlyAdmin
from notifications.models import OutboxMessage
from referrals import services
from referrals.access_log import Page, record_views
from referrals.models import Client, ClientDataView, Referral, ReferralEvent
from referrals.web.intake_forms import ClientContactRules

TIMES = (
    "created_at",
    "offered_at",
    "accepted_at",
    "contacted_at",
    "last_declined_at",
    "expired_at",
    "remind_at",
    "expires_at",
)
EVENT_FIELDS = (
    "at",
    "kind",
    "provider",
    "actor_label",
    "reason",
    "outcome",
    "note",
    "changes",
    "response_seconds",
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = ReferralEvent
    fields = EVENT_FIELDS
    verbose_name_plural = "audit trail"
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider")


class MessageInline(ReadOnlyInline):
    model = OutboxMessage
    fields = ("created_at", "channel", "template", "recipient", "status", "attempts", "sent_at")
    verbose_name_plural = "messages (outbox)"
    ordering = ("created_at", "id")


class ReferralNoteForm(forms.ModelForm):
    note = forms.CharField(
        label="Add a note to the audit trail",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Saved as a note event with your name; it changes nothing else.",
    )

    class Meta:
        model = Referral
        fields = ()


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    form = ReferralNoteForm
    list_display = (
        "number",
        "kind",
        "status",
        "insurance_network",
        "preferred_provider",
        "accepted_by",
        "created_at",
        "expires_at",
    )
    list_filter = ("status", "kind", "insurance_network", "created_at")
    list_select_related = ("insurance_network", "preferred_provider", "accepted_by")
    search_fields = ("client__last_name",)
    search_help_text = "Referral number (R-00042 or 42) or the client's last name."
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("number", "client_link", "kind", "status", "insurance_network")}),
        ("Providers", {"fields": ("preferred_provider", "offered_to", "accepted_by")}),
        (
            "What the client asked for",
            {"fields": ("care_for", "modality", "language", "focus_areas")},
        ),
        ("Times", {"fields": TIMES}),
        (
            "Outcome",
            {
                "fields": (
                    "outcome",
                    "closed_at",
                    "first_session_on",
                    "merged_into",
                    "attention_since",
                    "attention_owner",
                    "asked_again_at",
                )
            },
        ),
        (
            "Client's status page",
            {"fields": ("best_times", "not_contacted_at", "status_link_version")},
        ),
        ("Internals", {"classes": ("collapse",), "fields": ("round", "source", "slack_ts")}),
        ("Note", {"fields": ("note",)}),
    )
    actions = ("revoke_status_links",)
    # Every field shown is read-only except the note: no state changes by editing.
    readonly_fields = tuple(f for _, opts in fieldsets for f in opts["fields"] if f != "note")
    inlines = (EventInline, MessageInline)

    @admin.display(description="number", ordering="pk")
    def number(self, obj):
        return obj.number

    @admin.action(description="Revoke the client's status page links")
    def revoke_status_links(self, request, queryset):
        """Every status page link sent for the chosen referrals stops working."""
        actor = services.Actor.for_user(request.user)
        for pk in queryset.values_list("pk", flat=True):
            services.revoke_status_links(pk, actor=actor)
        flash(request, messages.SUCCESS, "status_links_revoked")

    @admin.display(description="client")
    def client_link(self, obj):
        url = reverse("admin:referrals_client_change", args=[obj.client_id])
        return format_html('<a href="{}">{}</a>', url, obj.client)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = search_term.strip().upper().removeprefix("R-").lstrip("0")
        if number.isdigit() and len(number) <= 9:
            results |= queryset.filter(pk=int(number))
        return results, may_have_duplicates

    def has_add_permission(self, request):
        return False  # referrals come from the intake form and the API

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Only the note is saved, through the services; the referral row itself is untouched."""
        note = form.cleaned_data.get("note", "").strip()
        if note:
            services.add_note(obj.pk, note, actor=services.Actor.for_user(request.user))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = _shown(response)
        if original is not None:
            record_views(request.user, [original], Page.ADMIN_REFERRAL)
        return response


def _shown(response):
    """The object a rendered admin change page shows, None when it redirected or refused."""
    if response.status_code != 200 or not hasattr(response, "context_data"):
        return None
    return response.context_data.get("original")


class ClientForm(ClientContactRules, forms.ModelForm):
    """The intake form's rules, so a correction made in admin is as valid as the original."""

    class Meta:
        model = Client
        fields = ("first_name", "last_name", "email", "phone", "consent_sms")


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    """Contact details may be corrected here; referrals are created by intake and the API."""

    form = ClientForm
    list_display = ("last_name", "first_name", "email", "phone", "consent_sms", "created_at")
    list_filter = ("consent_sms",)
    search_fields = ("last_name", "first_name", "email")
    readonly_fields = ("created_at",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """The correction is made by the services, which keep the old values in the trail."""
        services.edit_client_details(
            obj.pk,
            {name: form.cleaned_data[name] for name in form.changed_data},
            actor=services.Actor.for_user(request.user),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = _shown(response)
        if original is not None:
            record_views(request.user, original.referrals.all(), Page.ADMIN_CLIENT)
        return response


@admin.register(ReferralEvent)
class ReferralEventAdmin(ReadOnlyAdmin):
    """The audit trail across all referrals: read-only, append-only."""

    list_display = ("referral", *EVENT_FIELDS[:-2])
    list_filter = ("kind", "reason", "at")
    list_select_related = ("referral", "provider")
    search_fields = ("referral__client__last_name", "actor_label")
    date_hierarchy = "at"


@admin.register(ClientDataView)
class ClientDataViewAdmin(ReadOnlyAdmin):
    """Who looked at which client's details, when and where: read-only, filter by person and
    date."""

    list_display = ("at", "who", "referral", "page")
    list_filter = ("user", "page", "at")
    list_select_related = ("referral",)
    search_fields = ("who",)
    date_hierarchy = "at"
