"""The mini-CRM in the console: customers and the CRM actions the bot ran (read-only), the approval rules.

The Approvals queue itself is console/approvals_admin.py (it reads interactions beside crm)."""

from django.contrib import admin

from core.admin_base import ReadOnlyAdmin, StrictModelAdmin
from core.paginators import LargeTablePaginator

from .models import ActionRule, CrmAction, Customer


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


@admin.register(ActionRule)
class ActionRuleAdmin(StrictModelAdmin):
    """Which action types need a person's approval, and their SLA: supervisors edit them (change_actionrule).

    One row per action type, seeded by the migration: none is added or deleted here.
    """

    list_display = ("action_type", "requires_approval", "sla_minutes", "updated_at")
    list_editable = ("requires_approval", "sla_minutes")
    readonly_fields = ("action_type", "updated_at")
    ordering = ("action_type",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
