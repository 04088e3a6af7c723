"""Bookkeeping of lead exports into Berinia (default database) and Berinia's own tables (unmanaged).

Berinia's tables belong to another team: the unmanaged models (berinia_models.py) name only the columns we read or
write, with Berinia's own table and column names; the router in callbot_site sends them to the `berinia`
alias and never migrates there. ExportRun, ExportRecord and FieldMapping are ours (default database).
"""

from django.db import models

from core.db import in_choices

from .berinia_models import BeriniaCampaign, BeriniaLead, BeriniaNiche  # noqa: F401 (registered with the app here)

# --- Our bookkeeping (default database) -----------------------------------------------------------------------


class ExportStatus(models.TextChoices):
    RUNNING = "running", "running"
    FINISHED = "finished", "finished"
    FAILED = "failed", "failed"


class ExportRun(models.Model):
    """One export: who started it, from where, and what came of it (counts are written batch by batch)."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.RUNNING)
    started_by = models.CharField(max_length=150, blank=True, help_text="User name, or the OS user of a command.")
    origin = models.CharField(max_length=20, help_text="command, api or python")
    source_name = models.CharField(max_length=255, blank=True, help_text="File name, when there is one.")
    campaign_id = models.IntegerField(null=True, blank=True, help_text="Berinia campaign forced for the run.")
    dry_run = models.BooleanField(default=False)
    batch_size = models.PositiveIntegerField()
    received = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0, help_text="Duplicates inside the input, merged into one lead.")
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.CheckConstraint(condition=in_choices("status", ExportStatus), name="export_run_status")]

    def __str__(self):
        return f"export #{self.pk} ({self.status})"


class Outcome(models.TextChoices):
    INSERTED = "inserted", "inserted"
    UPDATED = "updated", "updated"
    UNCHANGED = "unchanged", "unchanged"
    MERGED = "merged", "merged (duplicate in the input)"
    REJECTED = "rejected", "rejected"


class ExportRecord(models.Model):
    """What happened to one input lead in one run; written after Berinia committed its batch."""

    run = models.ForeignKey(ExportRun, on_delete=models.CASCADE, related_name="records", db_index=False)
    position = models.PositiveIntegerField(help_text="1-based position of the lead in the run's input.")
    infra_id = models.CharField(max_length=255, blank=True, help_text="infra-ia's id of the lead.")
    berinia_lead_id = models.IntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    email = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    campaign_id = models.IntegerField(null=True, blank=True)
    berinia_status = models.CharField(max_length=50, blank=True, help_text="Last status read back from Berinia.")
    status_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "position"]
        indexes = [
            models.Index(fields=["run", "outcome"], name="export_record_run_outcome"),
            models.Index(fields=["berinia_lead_id"], name="export_record_berinia_lead"),
            models.Index(fields=["infra_id"], name="export_record_infra_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=in_choices("outcome", Outcome), name="export_record_outcome"),
            models.CheckConstraint(
                condition=models.Q(outcome="rejected") | models.Q(berinia_lead_id__isnull=False),
                name="export_record_lead_unless_rejected",
            ),
        ]

    def __str__(self):
        return f"{self.infra_id or self.position}: {self.outcome}"


class MappingTarget(models.TextChoices):
    NAME = "name", "contact name → first_name + last_name"
    COMPANY = "company", "company (and entreprise)"
    EMAIL = "email", "email"
    PHONE = "phone", "phone"
    WEBSITE = "website", "website"
    SOURCE = "source", "source"
    POSITION = "position", "position"
    INDUSTRY = "industry", "industry"
    LINKEDIN_URL = "linkedin_url", "linkedin_url"
    NOTES = "notes", "notes"
    SCORE = "score", "score"
    STATUS = "status", "status (new leads only)"
    CAMPAIGN = "campaign", "campagne_id"
    NICHE = "niche", "niche_id (by niche name)"
    SCORE_DETAILS = "score_details", "kept in score_details"
    IGNORE = "ignore", "dropped"


class FieldMapping(models.Model):
    """Where an infra-ia field goes in Berinia; fields without a mapping are kept in score_details."""

    source_field = models.CharField(max_length=100, unique=True)
    target = models.CharField(max_length=20, choices=MappingTarget.choices)
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["source_field"]
        constraints = [
            models.CheckConstraint(condition=in_choices("target", MappingTarget), name="field_mapping_target"),
            # One source per Berinia column: two active fields feeding `email` would make the result arbitrary.
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(is_active=True) & ~models.Q(target__in=["score_details", "ignore"]),
                name="field_mapping_one_source_per_target",
            ),
        ]

    def __str__(self):
        return f"{self.source_field} → {self.target}"
