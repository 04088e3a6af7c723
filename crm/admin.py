"""The mini-CRM in the console, read-only: customers and the CRM actions the bot ran."""

from django.contrib import admin

from callbot_site.paginators import LargeTablePaginator

from .models import CrmAction, Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("customer_id", "name", "segment", "phone", "email", "created_at")
    list_filter = ("segment",)
    search_fields = ("customer_id__exact", "name")
    ordering = ("customer_id",)
    show_full_result_count = False
    paginator = LargeTablePaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CrmAction)
class CrmActionAdmin(admin.ModelAdmin):
    list_display = ("executed_at", "customer_id", "action_type", "success", "execution_time_ms", "error_message")
    list_filter = ("success", "action_type")
    search_fields = ("customer_id__exact",)
    ordering = ("-executed_at", "action_id")
    show_full_result_count = False
    paginator = LargeTablePaginator

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
