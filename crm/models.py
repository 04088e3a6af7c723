"""The mini-CRM: customers and the CRM actions the bot ran for them during an interaction."""

import uuid

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
