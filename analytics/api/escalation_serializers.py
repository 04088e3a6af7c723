"""Output shapes of GET /api/v1/metrics/escalations/ (why bots escalate)."""

from rest_framework import serializers

from analytics.escalations import CONFIDENCE_GROUPS, HISTOGRAM_BUCKETS, OPEN_REASON, UNSPECIFIED_REASON

from .daily import DailyMetricsFilterInput


class EscalationFilterInput(DailyMetricsFilterInput):
    """The range of interactions (by creation day) the report covers; defaults as for metrics/daily/."""


class ReasonRowOutput(serializers.Serializer):
    intent = serializers.CharField(help_text="The interaction's intent (empty when the bot recorded none).")
    reason_code = serializers.CharField(
        help_text=f"Resolution reason of the latest ticket; '{OPEN_REASON}' while it is not resolved, "
        f"'{UNSPECIFIED_REASON}' when it was resolved without one."
    )
    reason_label = serializers.CharField()
    escalations = serializers.IntegerField(help_text="Escalated interactions (each counted once).")


class ConfidenceOutput(serializers.Serializer):
    group = serializers.ChoiceField(
        choices=list(CONFIDENCE_GROUPS),
        help_text="escalated: interactions with a ticket; completed: completed without a ticket.",
    )
    interactions = serializers.IntegerField()
    scored = serializers.IntegerField(help_text="Interactions with a confidence score.")
    average = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    histogram = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=HISTOGRAM_BUCKETS,
        max_length=HISTOGRAM_BUCKETS,
        help_text="Scored interactions per 0.1 of confidence: [0, 0.1), [0.1, 0.2) … [0.9, 1.0].",
    )


class CrmFailuresOutput(serializers.Serializer):
    escalations = serializers.IntegerField()
    with_failed_crm_action = serializers.IntegerField(
        help_text="Escalated interactions with at least one failed CRM action."
    )
    share = serializers.FloatField(allow_null=True, help_text="with_failed_crm_action / escalations (0 to 1).")


class FirstTouchOutput(serializers.Serializer):
    queue = serializers.CharField()
    tickets = serializers.IntegerField()
    touched = serializers.IntegerField(help_text="Tickets assigned or started.")
    untouched = serializers.IntegerField(help_text="Tickets nobody was assigned to nor started yet.")
    avg_minutes = serializers.FloatField(
        allow_null=True, help_text="Creation to the earlier of assignment and start, over touched tickets."
    )
    p50_minutes = serializers.FloatField(allow_null=True)
    p90_minutes = serializers.FloatField(allow_null=True)


class ApprovalRateOutput(serializers.Serializer):
    action_type = serializers.CharField()
    proposals = serializers.IntegerField(help_text="CRM action proposals created in the range.")
    pending = serializers.IntegerField()
    approved = serializers.IntegerField()
    approved_edited = serializers.IntegerField(help_text="Approved after a person edited the input.")
    rejected = serializers.IntegerField()
    approval_rate = serializers.FloatField(allow_null=True, help_text="approved / (approved + rejected), 0 to 1.")
    edited_share = serializers.FloatField(allow_null=True, help_text="approved_edited / approved, 0 to 1.")
    median_decision_minutes = serializers.FloatField(allow_null=True, help_text="Creation to decision.")


class EscalationReportOutput(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    by_intent_and_reason = ReasonRowOutput(many=True, help_text="By intent, then most frequent reason first.")
    confidence = ConfidenceOutput(many=True, help_text="Always two rows: escalated, then completed.")
    crm_failures = CrmFailuresOutput()
    first_touch_by_queue = FirstTouchOutput(many=True, help_text="By queue name.")
    approvals_by_action_type = ApprovalRateOutput(
        many=True, help_text="By number of proposals, largest first (proposals by their own creation day)."
    )
