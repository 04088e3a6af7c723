"""The human-agent console: the ticket queue page, the ticket page and its life-cycle buttons.

Every button and action calls handoff.services (the same functions as the API); this module
only reads the request, calls the service and turns domain errors into admin messages.
Nothing here edits a ticket's fields directly: tickets, transcripts and the audit trail are
read-only in the admin.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from accounts.roles import agents_queryset, is_supervisor
from core.admin_base import ReadOnlyAdmin, StrictModelAdmin
from core.errors import DomainError
from core.paginators import LargeTablePaginator
from handoff import packet, rules, selectors, services
from handoff.models import (
    PRIORITY_RANK,
    AgentNotification,
    AgentProfile,
    HandoffTicket,
    Queue,
    ResolutionReason,
    TicketEvent,
    TicketStatus,
)
from interactions import selectors as interaction_selectors

from . import selectors as console
from . import ticket_work
from .filters import HolderFilter, TicketStatusFilter
from .work_queue import WorkQueueAdminMixin, run_service

RANK_PRIORITY = {rank: priority for priority, rank in PRIORITY_RANK.items()}
AGEING_RULE = (
    "Ageing: a queued ticket moves up one priority level for every full target wait of its queue "
    "(a medium ticket waiting past the target ranks with the high ones). Claim next follows it."
)


def ticket_buttons(ticket, user) -> dict[str, bool]:
    """The ticket page's buttons: the move must be in the transitions table and the user allowed to make it."""
    works = rules.may_work(ticket, user)

    def allowed(target, permitted):
        return permitted and rules.can_move(ticket.status, target)

    return {
        "can_start": allowed(TicketStatus.IN_PROGRESS, works),
        "can_resolve": allowed(TicketStatus.RESOLVED, works),
        "can_hand_back": allowed(TicketStatus.QUEUED, works),
        "can_assign": allowed(TicketStatus.ASSIGNED, rules.may_assign(user)),
    }


@admin.register(HandoffTicket)
class HandoffTicketAdmin(WorkQueueAdminMixin, ReadOnlyAdmin):
    url_name_prefix = "handoff_ticket"
    item_actions = {
        "start": "start_view",
        "resolve": "resolve_view",
        "assign": "assign_view",
        "hand-back": "hand_back_view",
        "notes": "notes_view",
    }
    change_list_template = "admin/handoff/handoffticket/queue.html"
    change_form_template = "admin/handoff/handoffticket/ticket.html"
    list_display = (
        "ticket_link",
        "priority_badge",
        "queue",
        "customer",
        "intent_and_emotion",
        "short_reason",
        "wait",
        "due",
        "status_badge",
        "holder",
    )
    list_display_links = None
    list_filter = (TicketStatusFilter, "queue", "priority", HolderFilter)
    list_select_related = ("interaction", "queue", "assigned_agent")
    ordering = ("-priority_rank", "created_at", "ticket_id")
    search_fields = ("customer_id",)
    search_help_text = (
        "Ticket id as shown (#eb6f74dd), customer id, name (accents and case ignored) or phone number, in every status."
    )
    show_full_result_count = False
    paginator = LargeTablePaginator
    list_per_page = 50
    actions = ["return_selected_to_queue"]

    # -- queue page -------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = selectors.with_wait(super().get_queryset(request))
        return queryset.annotate(customer_name=console.customer_name_subquery())

    def get_search_results(self, request, queryset, search_term):
        """Ids as displayed, customer ids, names and phones (console.selectors.ticket_search_filter).

        A search looks through every status unless one is chosen (filters.TicketStatusFilter).
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        return console.search_tickets(queryset, term), False

    @admin.display(description="ticket")
    def ticket_link(self, ticket):
        url = reverse("admin:handoff_handoffticket_change", args=[ticket.pk])
        return format_html('<a href="{}">#{}</a>', url, str(ticket.pk)[:8])

    @admin.display(description="priority", ordering="-priority_rank")
    def priority_badge(self, ticket):
        effective = RANK_PRIORITY.get(getattr(ticket, "effective_rank", None))
        aged = ticket.status == TicketStatus.QUEUED and effective and effective != ticket.priority
        return format_html(
            '<span class="cb-badge cb-prio-{}">{}</span>{}',
            ticket.priority,
            ticket.get_priority_display(),
            format_html(' <span class="cb-aged" title="aged: ranks as {}">↑ {}</span>', effective, effective)
            if aged
            else "",
        )

    @admin.display(description="customer", ordering="customer_id")
    def customer(self, ticket):
        name = getattr(ticket, "customer_name", None)
        return format_html("{}<br><small>{}</small>", name, ticket.customer_id) if name else ticket.customer_id

    @admin.display(description="intent · emotion")
    def intent_and_emotion(self, ticket):
        return format_html(
            "{}<br><small>{}</small>", ticket.interaction.intent or "—", ticket.interaction.emotion or "—"
        )

    @admin.display(description="reason")
    def short_reason(self, ticket):
        return Truncator(ticket.reason).chars(48)

    @admin.display(description="wait", ordering="created_at")
    def wait(self, ticket):
        late = ticket.wait_minutes > ticket.queue.target_wait_minutes
        return format_html(
            '<span class="cb-wait{}" title="target {} min">{} min</span>',
            " cb-late" if late else "",
            ticket.queue.target_wait_minutes,
            ticket.wait_minutes,
        )

    @admin.display(description="due", ordering="due_at")
    def due(self, ticket):
        """The countdown to the time the bot promised the customer (rendered by the server, per page load)."""
        if ticket.due_at is None or ticket.status == TicketStatus.RESOLVED:
            return "—"
        state, minutes = rules.due_state(ticket.due_at, timezone.now(), settings.HANDOFF_PROMISE_REMINDER_MINUTES)
        return format_html(
            '<span class="cb-due cb-due-{}" title="promised for {}">{}</span>',
            state,
            timezone.localtime(ticket.due_at).strftime("%Y-%m-%d %H:%M"),
            rules.countdown_text(state, minutes),
        )

    @admin.display(description="status", ordering="status")
    def status_badge(self, ticket):
        return format_html('<span class="cb-badge cb-status-{}">{}</span>', ticket.status, ticket.get_status_display())

    @admin.display(description="held by")
    def holder(self, ticket):
        return ticket.assigned_agent.get_username() if ticket.assigned_agent_id else "—"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "queue_board": selectors.queue_board(),
            "ageing_rule": AGEING_RULE,
            "due_soon_minutes": settings.HANDOFF_PROMISE_REMINDER_MINUTES,
            "held_count": selectors.held_count(agent=request.user),
            "is_supervisor": is_supervisor(request.user),
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description="Return selected tickets to the queue", permissions=["view"])
    def return_selected_to_queue(self, request, queryset):
        returned = 0
        for ticket_id in queryset.values_list("pk", flat=True):
            try:
                services.return_ticket_to_queue(
                    ticket_id=ticket_id,
                    actor=request.user,
                    note=f"Returned by {request.user.get_username()} from the queue page",
                )
                returned += 1
            except DomainError as error:
                messages.error(request, f"#{str(ticket_id)[:8]}: {error.message}")
        if returned:
            messages.success(request, f"{returned} ticket(s) returned to the queue.")

    # -- ticket page ------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        ticket = self.get_object(request, object_id)
        if ticket is not None:
            extra_context = {**(extra_context or {}), **self._ticket_context(request, ticket)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _ticket_context(self, request, ticket) -> dict:
        interaction = ticket.interaction
        buttons = ticket_buttons(ticket, request.user)
        crm_actions = list(console.crm_actions_of_interaction(interaction.pk))
        for action in crm_actions:
            action.input_json = ticket_work.pretty_json(action.input_data)
            action.output_json = ticket_work.pretty_json(action.output_data)
        customer = console.customer_record(ticket.customer_id)
        draft = ticket_work.pop_draft(request, ticket.pk)
        return {
            "ticket": ticket,
            "interaction": interaction,
            "transcript": list(interaction_selectors.get_conversation_history(interaction_id=interaction.pk)),
            "crm_actions": crm_actions,
            "context": packet.read_context(ticket.context_data),
            "crm_action_ids": {str(action.pk) for action in crm_actions},
            "bot_responses": interaction.responses.order_by("created_at"),
            "customer_record": customer,
            "customer_metadata_json": ticket_work.pretty_json(customer.metadata) if customer else "",
            "event_rows": ticket_work.event_rows(ticket),
            "reasons": ResolutionReason.objects.filter(is_active=True),
            "assignable_agents": ticket_work.assignable_agents(ticket) if buttons["can_assign"] else [],
            **ticket_work.holder_context(ticket),
            **ticket_work.notes_context(request, ticket, draft),
            **ticket_work.limits_context(),
            "draft": draft,
            **buttons,
            "ageing_rule": AGEING_RULE,
        }

    def claim_next_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        queue_name = request.POST.get("queue") or None
        try:
            ticket = services.claim_next_ticket(agent=request.user, queue_name=queue_name)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self._queue_url())
        if ticket is None:
            messages.info(request, f"No ticket is waiting{f' in {queue_name}' if queue_name else ''}.")
            return HttpResponseRedirect(self._queue_url())
        messages.success(request, f"You claimed a {ticket.priority} ticket from {ticket.queue_id}.")
        return HttpResponseRedirect(self._item_url(ticket.pk))

    # Every button first saves the working notes its form carries, and a refused button keeps what was
    # typed in it (ticket_work's draft) for the page to show again.

    def _work_button(self, request, object_id, work, success, *, draft=None, done_url=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ticket_work.save_posted_notes(request, object_id)
        ok = run_service(request, work, success)
        if not ok:
            ticket_work.stash_draft(request, object_id, **(draft or {}))
        return HttpResponseRedirect(done_url if ok and done_url else self._item_url(object_id))

    def start_view(self, request, object_id):
        return self._work_button(
            request,
            object_id,
            lambda: services.start_ticket(ticket_id=object_id, actor=request.user),
            "Ticket started: you are working on it (the take-back timer has stopped).",
        )

    def resolve_view(self, request, object_id):
        notes = request.POST.get("resolution_notes", "")
        reason_code = request.POST.get("reason_code", "")
        return self._work_button(
            request,
            object_id,
            lambda: services.resolve_ticket(
                ticket_id=object_id, actor=request.user, resolution_notes=notes, reason_code=reason_code
            ),
            "Ticket resolved.",
            draft={"resolution_notes": notes, "reason_code": reason_code},
            done_url=self._queue_url(),
        )

    def assign_view(self, request, object_id):
        agent = request.POST.get("agent", "")
        reason = request.POST.get("reason", "")
        return self._work_button(
            request,
            object_id,
            lambda: services.assign_ticket_to_agent(
                ticket_id=object_id, agent=agent, actor=request.user, reason=reason
            ),
            f"Ticket assigned to {agent}.",
            draft={"agent": agent, "assign_reason": reason},
        )

    def hand_back_view(self, request, object_id):
        reason = request.POST.get("reason", "")
        return self._work_button(
            request,
            object_id,
            lambda: services.return_ticket_to_queue(ticket_id=object_id, actor=request.user, note=reason),
            "Ticket handed back to the queue.",
            draft={"hand_back_reason": reason},
            done_url=self._queue_url(),
        )

    def notes_view(self, request, object_id):
        """Save the person's working notes: the page's autosave (JSON answer) or a plain form post."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        body = request.POST.get("notes", "")
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            note = services.save_ticket_note(ticket_id=object_id, author=request.user, body=body)
        except DomainError as error:
            if wants_json:
                return JsonResponse({"saved": False, "detail": error.message}, status=ticket_work.error_status(error))
            messages.error(request, error.message)
            ticket_work.stash_draft(request, object_id, working_notes=body)
            return HttpResponseRedirect(self._item_url(object_id))
        saved_at = ticket_work.saved_at_text(note.updated_at)
        if wants_json:
            return JsonResponse({"saved": True, "saved_at": saved_at, "length": len(note.body)})
        messages.success(request, f"Notes saved at {saved_at}.")
        return HttpResponseRedirect(self._item_url(object_id))


@admin.register(AgentNotification)
class AgentNotificationAdmin(ReadOnlyAdmin):
    """Each person's own inbox (supervisors included): nobody reads another's notifications."""

    list_display = ("created_at", "type_badge", "message", "open_link", "is_read")
    list_filter = ("is_read", "notification_type")
    list_display_links = None
    actions = ["mark_read"]
    change_list_template = "admin/handoff/agentnotification/inbox.html"

    def get_queryset(self, request):
        return selectors.notifications_of(agent=request.user)

    @admin.display(description="type")
    def type_badge(self, notification):
        return format_html(
            '<span class="cb-badge cb-note-{}">{}</span>',
            notification.notification_type,
            notification.get_notification_type_display(),
        )

    @admin.display(description="ticket")
    def open_link(self, notification):
        # A button of the changelist's own form (which carries the CSRF token): opening marks it read.
        url = reverse("admin:handoff_notification_open", args=[notification.pk])
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post">Open ticket</button>', url
        )

    @admin.action(description="Mark selected notifications as read", permissions=["view"])
    def mark_read(self, request, queryset):
        for notification_id in queryset.values_list("pk", flat=True):
            services.mark_notification_read(notification_id=notification_id, agent=request.user)
        messages.success(request, "Notifications marked as read.")

    def get_urls(self):
        return [
            path(
                "<uuid:notification_id>/open/",
                self.admin_site.admin_view(self.open_view),
                name="handoff_notification_open",
            ),
            path("read-all/", self.admin_site.admin_view(self.read_all_view), name="handoff_notifications_read_all"),
            *super().get_urls(),
        ]

    def open_view(self, request, notification_id):
        """The inbox's button (a POST) marks the notification read; any request then shows its ticket.

        A GET (a followed link, a prefetch) changes nothing.
        """
        try:
            if request.method == "POST":
                notification = services.mark_notification_read(notification_id=notification_id, agent=request.user)
            else:
                notification = selectors.get_notification(notification_id=notification_id, agent=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("admin:handoff_agentnotification_changelist"))
        return HttpResponseRedirect(reverse("admin:handoff_handoffticket_change", args=[notification.ticket_id]))

    def read_all_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        count = services.mark_all_notifications_read(agent=request.user)
        messages.success(request, f"{count} notification(s) marked as read.")
        return HttpResponseRedirect(reverse("admin:handoff_agentnotification_changelist"))


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    """The audit trail: who moved which ticket, when, from where to where. Never editable."""

    list_display = (
        "created_at",
        "ticket_link",
        "action",
        "actor",
        "from_status",
        "to_status",
        "from_agent",
        "to_agent",
    )
    list_filter = ("action",)
    list_select_related = ("actor",)
    show_full_result_count = False
    paginator = LargeTablePaginator
    ordering = ("-created_at", "-id")

    @admin.display(description="ticket")
    def ticket_link(self, event):
        url = reverse("admin:handoff_handoffticket_change", args=[event.ticket_id])
        return format_html('<a href="{}">#{}</a>', url, str(event.ticket_id)[:8])


@admin.register(Queue)
class QueueAdmin(StrictModelAdmin):
    list_display = ("name", "target_wait_minutes", "takeback_minutes", "default_capacity")
    list_editable = ("target_wait_minutes", "takeback_minutes", "default_capacity")

    def has_delete_permission(self, request, obj=None):
        return False  # tickets reference their queue for good


@admin.register(ResolutionReason)
class ResolutionReasonAdmin(StrictModelAdmin):
    list_display = ("code", "label", "is_active")
    list_editable = ("label", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False  # resolved tickets keep their reason; deactivate it instead

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()


@admin.register(AgentProfile)
class AgentProfileAdmin(StrictModelAdmin):
    """Capacity overrides, for human agents only: the user list offers staff agents and supervisors,
    never bots or other accounts (not even through `?user=` in the add form's URL)."""

    list_display = ("user", "max_open_tickets")
    list_select_related = ("user",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = agents_queryset().order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
