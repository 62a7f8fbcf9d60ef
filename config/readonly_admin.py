"""Admin for records that are only ever appended (the audit trail, the outbox): staff may look,
filter and run the actions offered, never add, edit or delete a row by hand."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
