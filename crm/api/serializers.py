"""Input and output shapes of the CRM API: customers and the CRM actions the bot ran."""

import uuid

from rest_framework import serializers

from core.api.fields import AllowedChoiceField, BoundedIntegerField, JSONObjectField
from core.api.serializers import StrictInputSerializer
from crm.models import ActionProposal, ActionType, CrmAction, Customer, Segment


class CrmActionInput(StrictInputSerializer):
    customer_id = serializers.CharField(max_length=50)
    action_type = AllowedChoiceField(ActionType)
    input_data = JSONObjectField(
        help_text="Default: {} — or, with proposal_id, the approved input (which it must equal when given)."
    )
    output_data = JSONObjectField(default=dict)
    success = serializers.BooleanField(required=False, default=True)
    error_message = serializers.CharField(required=False, allow_blank=True, default="")
    execution_time_ms = BoundedIntegerField(min_value=0, required=False, allow_null=True, default=None)
    proposal_id = serializers.UUIDField(
        required=False,
        help_text="The approved proposal this action executes; required for action types that need approval.",
    )


class CrmActionOutput(serializers.ModelSerializer):
    interaction_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = CrmAction
        fields = [
            "action_id",
            "interaction_id",
            "customer_id",
            "action_type",
            "input_data",
            "output_data",
            "success",
            "error_message",
            "execution_time_ms",
            "executed_at",
            "proposal_id",
        ]

    proposal_id = serializers.SerializerMethodField(help_text="The proposal this action executed, or null.")

    def get_proposal_id(self, action) -> uuid.UUID | None:
        # log_crm_action's gate links the proposal to the instance it returns (no query); others have none.
        return action.proposal.pk if CrmAction.proposal.is_cached(action) else None


class CustomerCreateInput(StrictInputSerializer):
    customer_id = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    segment = AllowedChoiceField(Segment, required=False, default=Segment.STANDARD)
    metadata = JSONObjectField(default=dict)


class CustomerUpdateInput(StrictInputSerializer):
    """PATCH: only the fields sent are changed."""

    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    segment = AllowedChoiceField(Segment, required=False)
    metadata = JSONObjectField()


class CustomerOutput(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["customer_id", "name", "email", "phone", "segment", "metadata", "created_at", "updated_at"]


class ProposalInput(StrictInputSerializer):
    action_type = AllowedChoiceField(ActionType)
    input_data = JSONObjectField(default=dict, help_text="What the bot wants to do (the action's input).")
    reason = serializers.CharField(max_length=2000, help_text="Why: shown to the agent who decides.")


class ProposalOutput(serializers.ModelSerializer):
    interaction_id = serializers.UUIDField(read_only=True)
    executed_action_id = serializers.UUIDField(read_only=True, allow_null=True)
    escalated = serializers.SerializerMethodField()

    class Meta:
        model = ActionProposal
        fields = [
            "proposal_id",
            "interaction_id",
            "customer_id",
            "action_type",
            "input_data",
            "reason",
            "status",
            "approved_input",
            "edited",
            "decision_reason",
            "decided_at",
            "due_at",
            "escalated",
            "escalated_at",
            "executed_action_id",
            "created_at",
        ]
        extra_kwargs = {
            "approved_input": {
                "help_text": "What was approved (the proposed input, or the agent's edit); null "
                "until approved. Log the action with this input (or omit input_data)."
            },
            "decision_reason": {"help_text": "The agent's reason (required when rejected)."},
        }

    def get_escalated(self, proposal) -> bool:
        return proposal.escalated_at is not None
