"""API tokens in admin: see who has one and when it was last used, and revoke it.

Tokens are created with `manage.py create_api_token NAME`, the only place the secret is shown;
admin shows its hash and prefix, never the secret, and cannot edit a token, only revoke it.
"""

from django.contrib import admin, messages

from api.models import ApiToken
from config.flash import flash


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix")
    fields = ("name", "prefix", "token_hash", "created_at", "last_used_at", "revoked")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # the secret must be shown once: use `manage.py create_api_token NAME`

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked=False).update(revoked=True)
        flash(request, messages.SUCCESS, "tokens_revoked", count=count)
