"""The mini-CRM in the console: customers and the CRM actions the bot ran (read-only), the approval rules.

The Approvals queue itself is console/approvals_admin.py (it reads interactions beside crm)."""

from django.contrib import admin
from django.utils.html import format_html

from core.admin_base import ReadOnlyAdmin, StrictModelAdmin
from core.paginators import LargeTablePaginator

from . import customer_search
from .models import ActionRule, CrmAction, Customer


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    """The customer page. Its history of contacts and tickets comes from the console, which sits above
    crm and supplies this page's template (console/templates/admin/crm/customer/change_form.html)."""

    list_display = ("customer_id", "name", "segment", "phone_link", "email_link", "created_at")
    list_filter = ("segment",)
    search_fields = ("customer_id",)  # shows the box; get_search_results says what it finds
    search_help_text = "Customer id (any case), name (accents and case ignored) or phone number (any format)."
    fields = ("customer_id", "name", "segment", "phone_link", "email_link", "created_at", "updated_at", "metadata")
    readonly_fields = ("phone_link", "email_link")
    ordering = ("customer_id",)
    show_full_result_count = False
    paginator = LargeTablePaginator

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(pk__in=customer_search.customers_matching(search_term).values("pk")), False

    @admin.display(description="phone", ordering="phone")
    def phone_link(self, customer):
        if not customer.phone:
            return "—"
        uri = customer_search.tel_uri(customer.phone)
        return format_html('<a href="{}" class="cb-tel">{}</a>', uri, customer.phone)

    @admin.display(description="e-mail", ordering="email")
    def email_link(self, customer):
        if not customer.email:
            return "—"
        return format_html('<a href="mailto:{}" class="cb-mailto">{}</a>', customer.email, customer.email)


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
