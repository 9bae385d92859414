from django.contrib import admin

from cdrp.partnerships.models import Partnership


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "status", "valid_from", "valid_to"]
    prepopulated_fields = {"slug": ["name"]}
