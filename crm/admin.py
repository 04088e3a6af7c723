"""The mini-CRM in the console, read-only: customers and the CRM actions the bot ran."""

from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from core.paginators import LargeTablePaginator

from .models import CrmAction, Customer


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("customer_id", "name", "segment", "phone", "email", "created_at")
    list_filter = ("segment",)
    search_fields = ("customer_id__exact", "name")
    ordering = ("customer_id",)
    show_full_result_count = False
    paginator = LargeTablePaginator


@admin.register(CrmAction)
class CrmActionAdmin(ReadOnlyAdmin):
    list_display = ("executed_at", "customer_id", "action_type", "success", "execution_time_ms", "error_message")
    list_filter = ("success", "action_type")
    search_fields = ("customer_id__exact",)
    ordering = ("-executed_at", "action_id")
    show_full_result_count = False
    paginator = LargeTablePaginator
