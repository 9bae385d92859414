from django.contrib import admin

from cdrp.accounts.models import ApiToken, AuditEvent, PartnershipRole


@admin.register(PartnershipRole)
class PartnershipRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "partnership", "role", "granted_at"]
    list_filter = ["partnership", "role"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The trail is evidence: it can be read, never edited."""

    # Titles and changed values are read on the audit trail page, which redacts restricted
    # records for readers outside their group; this admin shows neither.
    list_display = ["at", "actor", "action", "model", "object_id", "partnership"]
    list_filter = ["action", "model"]
    exclude = ["object_repr", "changes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
