"""The Approvals queue of the console: proposals of risky CRM actions, and the proposal page's buttons.

Every button calls crm.approvals (the services behind the whole loop); this module reads the request,
calls the service and turns domain errors into admin messages. Proposals and their audit trail are
read-only in the admin: nobody edits their fields by hand.
"""

import json
import uuid

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from accounts.roles import agents_queryset, is_supervisor
from core.admin_base import ReadOnlyAdmin
from core.errors import DomainError
from core.paginators import LargeTablePaginator
from crm import approval_rules, approvals
from crm import selectors as crm_selectors
from crm.models import ActionProposal, ProposalEvent, ProposalStatus
from interactions import selectors as interaction_selectors

from . import selectors as console
from .approvals_filters import EscalatedFilter, ProposalHolderFilter, ProposalStatusFilter
from .work_queue import WorkQueueAdminMixin

EDIT_SESSION_KEY = "approvals_edit_input"
SLA_RULE = (
    "Oldest due first: “Claim next” gives you the pending proposal whose SLA ends soonest. "
    "Past its SLA a proposal escalates to the supervisors (highlighted in red)."
)


def due_text(proposal, now) -> tuple[str, bool]:
    """'due in 7 min' / 'overdue by 3 min', and whether it is late."""
    seconds = (proposal.due_at - now).total_seconds()
    if seconds >= 0:
        return f"due in {int(seconds // 60)} min", False
    return f"overdue by {int(-seconds // 60)} min", True


def proposal_buttons(proposal, user) -> dict[str, bool]:
    """The proposal page's buttons: derived from its status, holder and the user's role."""
    pending = proposal.status == ProposalStatus.PENDING
    decides = pending and approval_rules.may_decide(proposal, user)
    return {
        "can_decide": decides,
        "can_release": pending and proposal.holder_id is not None and approval_rules.may_release(proposal, user),
        "can_assign": pending and approval_rules.may_assign(user),
    }


def parse_edited_input(text: str) -> dict:
    """The edited input from the JSON editor; a clear message (never a 500) for anything but a JSON object."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"The edited input is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise ValueError("The edited input is nested too deeply.") from None
    if not isinstance(value, dict):
        raise ValueError('The edited input must be a JSON object, e.g. {"address": "3 rue Neuve"}.')
    if "\x00" in text or "\\u0000" in text:
        raise ValueError("The edited input may not contain NUL characters.")
    return value


@admin.register(ActionProposal)
class ActionProposalAdmin(WorkQueueAdminMixin, ReadOnlyAdmin):
    url_name_prefix = "crm_proposal"
    item_actions = {
        "approve": "approve_view",
        "edit-approve": "edit_approve_view",
        "reject": "reject_view",
        "release": "release_view",
        "assign": "assign_view",
    }
    change_list_template = "admin/crm/actionproposal/queue.html"
    change_form_template = "admin/crm/actionproposal/proposal.html"
    list_display = ("proposal_link", "action", "customer", "short_reason", "countdown", "status_badge", "holder_name")
    list_display_links = None
    list_filter = (ProposalStatusFilter, ProposalHolderFilter, EscalatedFilter)
    list_select_related = ("holder",)
    ordering = ("due_at", "created_at", "proposal_id")
    search_fields = ("customer_id",)
    search_help_text = "Customer id, proposal id or interaction id."
    show_full_result_count = False
    paginator = LargeTablePaginator
    list_per_page = 50

    # -- queue page -------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(customer_name=console.customer_name_subquery())

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            return queryset.filter(Q(proposal_id=uuid.UUID(term)) | Q(interaction_id=uuid.UUID(term))), False
        except ValueError:
            return queryset.filter(customer_id=term), False

    def get_changelist_instance(self, request):
        self._now = timezone.now()
        return super().get_changelist_instance(request)

    @admin.display(description="proposal")
    def proposal_link(self, proposal):
        url = reverse("admin:crm_actionproposal_change", args=[proposal.pk])
        return format_html('<a href="{}">#{}</a>', url, str(proposal.pk)[:8])

    @admin.display(description="action", ordering="action_type")
    def action(self, proposal):
        return format_html('<span class="cb-action-type">{}</span>', proposal.get_action_type_display())

    @admin.display(description="customer", ordering="customer_id")
    def customer(self, proposal):
        name = getattr(proposal, "customer_name", None)
        return format_html("{}<br><small>{}</small>", name, proposal.customer_id) if name else proposal.customer_id

    @admin.display(description="reason")
    def short_reason(self, proposal):
        return Truncator(proposal.reason).chars(60)

    @admin.display(description="SLA", ordering="due_at")
    def countdown(self, proposal):
        if proposal.status != ProposalStatus.PENDING:
            return format_html('<span class="cb-muted">decided {}</span>', proposal.decided_at.strftime("%H:%M"))
        text, late = due_text(proposal, getattr(self, "_now", timezone.now()))
        return format_html(
            '<span class="cb-countdown{}{}" data-due="{}">{}</span>',
            " cb-late" if late else "",
            " cb-escalated" if proposal.escalated_at else "",
            proposal.due_at.isoformat(),
            text,
        )

    @admin.display(description="status", ordering="status")
    def status_badge(self, proposal):
        escalated = proposal.escalated_at and proposal.status == ProposalStatus.PENDING
        return format_html(
            '<span class="cb-badge cb-proposal-{}">{}</span>{}',
            proposal.status,
            proposal.get_status_display(),
            mark_safe(' <span class="cb-badge cb-escalated-badge">escalated</span>') if escalated else "",
        )

    @admin.display(description="held by")
    def holder_name(self, proposal):
        return proposal.holder.get_username() if proposal.holder_id else "—"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "board": crm_selectors.pending_board(),
            "held_count": crm_selectors.held_pending_count(agent=request.user),
            "capacity": approval_rules.agent_capacity(),
            "sla_rule": SLA_RULE,
            "is_supervisor": is_supervisor(request.user),
        }
        return super().changelist_view(request, extra_context)

    # -- proposal page ----------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, object_id)
        if proposal is not None:
            extra_context = {**(extra_context or {}), **self._proposal_context(request, proposal)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _proposal_context(self, request, proposal) -> dict:
        interaction = proposal.interaction
        text, late = due_text(proposal, timezone.now())
        edit_text = request.session.pop(EDIT_SESSION_KEY, {}).get(str(proposal.pk))
        supervisor = is_supervisor(request.user)
        return {
            "proposal": proposal,
            "interaction": interaction,
            "transcript": interaction_selectors.get_conversation_history(interaction_id=interaction.pk),
            "crm_actions": console.crm_actions_of_interaction(interaction.pk),
            "customer_record": console.customer_record(proposal.customer_id),
            "events": crm_selectors.proposal_events(proposal_id=proposal.pk),
            "proposed_json": json.dumps(proposal.input_data, indent=2, ensure_ascii=False),
            "approved_json": json.dumps(proposal.approved_input, indent=2, ensure_ascii=False),
            "edit_text": edit_text
            if edit_text is not None
            else json.dumps(proposal.input_data, indent=2, ensure_ascii=False),
            "due_text": text,
            "is_late": late,
            "assignable_agents": agents_queryset().order_by("username") if supervisor else [],
            "sla_rule": SLA_RULE,
            **proposal_buttons(proposal, request.user),
        }

    def claim_next_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            proposal = approvals.claim_next_proposal(agent=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self._queue_url())
        if proposal is None:
            messages.info(request, "No proposal is waiting.")
            return HttpResponseRedirect(self._queue_url())
        messages.success(request, f"You claimed a proposal to {proposal.get_action_type_display().lower()}.")
        return HttpResponseRedirect(self._item_url(proposal.pk))

    def approve_view(self, request, object_id):
        return self._post_only(
            request,
            object_id,
            lambda: approvals.approve_proposal(
                proposal_id=object_id, actor=request.user, note=request.POST.get("note", "")
            ),
            "Approved: the bot may now run the action.",
        )

    def edit_approve_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        raw = request.POST.get("edited_input", "")
        try:
            edited = parse_edited_input(raw)
        except ValueError as error:
            request.session[EDIT_SESSION_KEY] = {str(object_id): raw}  # the agent's text comes back, not lost
            messages.error(request, str(error))
            return HttpResponseRedirect(self._item_url(object_id))
        return self._post_only(
            request,
            object_id,
            lambda: approvals.approve_proposal(
                proposal_id=object_id, actor=request.user, edited_input=edited, note=request.POST.get("note", "")
            ),
            "Approved with your changes: the bot will run the edited action.",
        )

    def reject_view(self, request, object_id):
        reason = request.POST.get("reason", "")
        if request.method == "POST" and not reason.strip():
            messages.error(request, "Give a reason for the rejection: the bot tells the customer.")
            return HttpResponseRedirect(self._item_url(object_id))
        return self._post_only(
            request,
            object_id,
            lambda: approvals.reject_proposal(proposal_id=object_id, actor=request.user, reason=reason),
            "Rejected: the bot will not run the action.",
        )

    def release_view(self, request, object_id):
        return self._post_only(
            request,
            object_id,
            lambda: approvals.release_proposal(proposal_id=object_id, actor=request.user),
            "Released: the proposal is back in the queue.",
            done_url=self._queue_url(),
        )

    def assign_view(self, request, object_id):
        agent = request.POST.get("agent", "")
        return self._post_only(
            request,
            object_id,
            lambda: approvals.assign_proposal(proposal_id=object_id, agent=agent, actor=request.user),
            f"Proposal assigned to {agent}.",
        )


@admin.register(ProposalEvent)
class ProposalEventAdmin(ReadOnlyAdmin):
    """The approvals' audit trail: who claimed, edited, approved or rejected which proposal, when."""

    list_display = ("at", "proposal_link", "action", "actor", "note")
    list_filter = ("action",)
    list_select_related = ("actor",)
    show_full_result_count = False
    paginator = LargeTablePaginator
    ordering = ("-at", "-id")

    @admin.display(description="proposal")
    def proposal_link(self, event):
        url = reverse("admin:crm_actionproposal_change", args=[event.proposal_id])
        return format_html('<a href="{}">#{}</a>', url, str(event.proposal_id)[:8])
