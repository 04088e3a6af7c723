"""The mini-CRM: customers and the CRM actions the bot ran for them during an interaction."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from core.db import in_choices
from interactions.models import Interaction


class Segment(models.TextChoices):
    PREMIUM = "premium"
    STANDARD = "standard"


class ActionType(models.TextChoices):
    UPDATE_ADDRESS = "update_address"
    CHECK_POLICY_STATUS = "check_policy_status"
    GET_CUSTOMER_INFO = "get_customer_info"
    UPDATE_PAYMENT_METHOD = "update_payment_method"


class Customer(models.Model):
    customer_id = models.CharField(max_length=50, primary_key=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=32, blank=True, default="")
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.STANDARD)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "customers"
        ordering = ["customer_id"]
        constraints = [
            models.CheckConstraint(condition=in_choices("segment", Segment), name="customers_segment_valid"),
            models.CheckConstraint(condition=~Q(customer_id=""), name="customers_id_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} · {self.name}"


class CrmAction(models.Model):
    action_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="crm_actions", db_column="interaction_id"
    )
    customer_id = models.CharField(max_length=50)
    action_type = models.CharField(max_length=40, choices=ActionType.choices)
    input_data = models.JSONField(default=dict, blank=True)
    output_data = models.JSONField(default=dict, blank=True)
    success = models.BooleanField(default=True)
    error_message = models.TextField(blank=True, default="")
    execution_time_ms = models.PositiveIntegerField(null=True, blank=True)
    executed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "crm_actions"
        ordering = ["interaction", "executed_at"]
        indexes = [
            # "Top CRM actions of the day": range on executed_at, grouped by type.
            models.Index(fields=["executed_at", "action_type"], name="crm_actions_day_type_idx"),
            models.Index(fields=["interaction", "executed_at"], name="crm_actions_interaction_idx"),
            models.Index(fields=["customer_id"], name="crm_actions_customer_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=in_choices("action_type", ActionType), name="crm_actions_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.action_type} ({'ok' if self.success else 'failed'})"


# -- human approval of risky actions (docs/api.md, "Approvals") -----------------------------------


class ActionRule(models.Model):
    """Per action type: must a person approve it before the bot runs it, and how soon (supervisors edit these)."""

    action_type = models.CharField(max_length=40, choices=ActionType.choices, primary_key=True)
    requires_approval = models.BooleanField(default=False)
    sla_minutes = models.PositiveIntegerField(
        default=15,
        validators=[MinValueValidator(1)],
        help_text="A proposal not decided within this many minutes escalates to the supervisors.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_action_rules"
        ordering = ["action_type"]
        constraints = [
            models.CheckConstraint(condition=in_choices("action_type", ActionType), name="crm_action_rules_type_valid"),
            models.CheckConstraint(condition=Q(sla_minutes__gte=1), name="crm_action_rules_sla_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.action_type}: {'approval required' if self.requires_approval else 'no approval'}"


class ProposalStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ActionProposal(models.Model):
    """A CRM action the bot wants to run, waiting for (or carrying) a person's decision."""

    proposal_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="action_proposals", db_column="interaction_id"
    )
    customer_id = models.CharField(max_length=50)
    action_type = models.CharField(max_length=40, choices=ActionType.choices)
    input_data = models.JSONField(default=dict, blank=True, help_text="What the bot proposed.")
    reason = models.TextField(help_text="Why the bot wants to do it.")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    approved_input = models.JSONField(null=True, blank=True, help_text="What was approved (possibly edited).")
    edited = models.BooleanField(default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="held_proposals"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, default="")
    due_at = models.DateTimeField()
    escalated_at = models.DateTimeField(null=True, blank=True)
    executed_action = models.OneToOneField(
        CrmAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "crm_action_proposals"
        ordering = ["due_at", "created_at"]
        indexes = [
            # Claim next and the escalation job read the pending ones by due time.
            models.Index(
                fields=["due_at", "created_at"], name="crm_proposals_pending_due_idx", condition=Q(status="pending")
            ),
            models.Index(fields=["holder", "status"], name="crm_proposals_holder_idx"),
            models.Index(fields=["interaction", "created_at"], name="crm_proposals_interaction_idx"),
            # Approval rates per type and day (analytics).
            models.Index(fields=["created_at", "action_type"], name="crm_proposals_day_type_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=in_choices("status", ProposalStatus), name="crm_proposals_status_valid"),
            models.CheckConstraint(condition=in_choices("action_type", ActionType), name="crm_proposals_type_valid"),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=ProposalStatus.PENDING) & Q(decided_at__isnull=False)),
                name="crm_proposals_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.APPROVED) | Q(approved_input__isnull=False),
                name="crm_proposals_approved_has_input",
            ),
            models.CheckConstraint(
                condition=Q(executed_action__isnull=True) | Q(status=ProposalStatus.APPROVED),
                name="crm_proposals_executed_only_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_type} for {self.customer_id} ({self.status})"


class ProposalAction(models.TextChoices):
    PROPOSED = "proposed"
    CLAIMED = "claimed"
    ASSIGNED = "assigned"
    RELEASED = "released"
    EDITED = "edited"
    APPROVED = "approved"
    REJECTED = "rejected"
    ESCALATED = "escalated"
    EXECUTED = "executed"


class ProposalEvent(models.Model):
    """The audit trail of a proposal: who did what to it, when. Written by crm.approvals only."""

    Action = ProposalAction

    proposal = models.ForeignKey(ActionProposal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "crm_proposal_events"
        ordering = ["proposal", "at", "id"]
        indexes = [models.Index(fields=["proposal", "at"], name="crm_proposal_events_idx")]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("action", ProposalAction), name="crm_proposal_events_action_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M:%S}"
