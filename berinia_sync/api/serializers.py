"""Shapes of POST /api/v1/berinia/exports/: the leads come as infra-ia dicts, validated by the service."""

from rest_framework import serializers

MAX_LEADS_PER_REQUEST = 1000


class ExportRequestSerializer(serializers.Serializer):
    leads = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=MAX_LEADS_PER_REQUEST,
        help_text="infra-ia lead objects.",
    )
    campaign_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    dry_run = serializers.BooleanField(default=False)


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
