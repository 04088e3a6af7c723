"""Shapes of /api/v1/berinia/exports/: the leads come as infra-ia dicts, validated by the service."""

from rest_framework import serializers

from berinia_sync.models import ExportRecord, ExportRun, ExportStatus, Outcome
from berinia_sync.readers import FORMATS
from berinia_sync.services import DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE

MAX_LEADS_PER_REQUEST = 1000  # up to this, a JSON body is exported during the request (201)
MAX_LEADS_QUEUED = 50_000  # beyond it in one JSON body: a file upload (streamed)


class ExportRequestSerializer(serializers.Serializer):
    leads = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=MAX_LEADS_QUEUED,
        help_text=f"infra-ia lead objects. Up to {MAX_LEADS_PER_REQUEST}: exported at once (201); more: queued "
        "for a background job (202).",
    )
    campaign_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    batch_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_BATCH_SIZE,
        help_text=f"Leads per Berinia transaction (default {DEFAULT_BATCH_SIZE}).",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text=f"Validate and match only; for up to {MAX_LEADS_PER_REQUEST} leads."
    )


class ExportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="infra-ia leads as JSON Lines (.jsonl, .ndjson), CSV (.csv, header row) or a JSON array (.json), "
        "UTF-8. Always queued (202)."
    )
    format = serializers.ChoiceField(
        choices=FORMATS, required=False, help_text="Format of the file; by default from its extension."
    )
    campaign_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    batch_size = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_BATCH_SIZE,
        help_text=f"Leads per Berinia transaction (default {DEFAULT_BATCH_SIZE}).",
    )


class RejectedLeadSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    id = serializers.CharField()
    reason = serializers.CharField()


class ExportResultSerializer(serializers.Serializer):
    run_id = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    received = serializers.IntegerField()
    inserted = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    merged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rejected_leads = RejectedLeadSerializer(many=True)


class LeadOutcomeSerializer(serializers.ModelSerializer):
    """What happened to one input lead."""

    id = serializers.CharField(source="infra_id", help_text="infra-ia's id of the lead.")
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    matched_on = serializers.CharField(help_text="phone or email, for updated and unchanged leads; else empty.")
    merged_into = serializers.IntegerField(
        allow_null=True, help_text="Position of the earlier input lead this one was merged into."
    )

    class Meta:
        model = ExportRecord
        fields = ("position", "id", "outcome", "berinia_lead_id", "matched_on", "merged_into", "reason")


class ProgressSerializer(serializers.Serializer):
    processed = serializers.IntegerField(help_text="Input leads done (exported, merged or rejected).")
    total = serializers.IntegerField(allow_null=True, help_text="Input leads of the run; null when not known.")
    percent = serializers.IntegerField(allow_null=True)


class RejectedPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True, help_text="The next page (GET …/leads/?outcome=rejected&page=2).")
    results = LeadOutcomeSerializer(many=True)


class ExportRunSerializer(serializers.ModelSerializer):
    run_id = serializers.IntegerField(source="pk")
    status = serializers.ChoiceField(choices=ExportStatus.choices)
    progress = ProgressSerializer(source="*")
    rejected_leads = RejectedPageSerializer(
        help_text="The first rejected leads with their reasons; `next` pages through the rest."
    )
    leads_url = serializers.URLField(help_text="What happened to every lead (paginated, filter by outcome).")

    class Meta:
        model = ExportRun
        fields = (
            "run_id",
            "status",
            "origin",
            "source_name",
            "campaign_id",
            "dry_run",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "progress",
            "received",
            "inserted",
            "updated",
            "unchanged",
            "merged",
            "rejected",
            "error",
            "rejected_leads",
            "leads_url",
        )


class LeadFilterSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
