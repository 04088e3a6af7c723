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
    QUEUED = "queued", "queued"  # stored by the API, waiting for (or between attempts of) its job
    RUNNING = "running", "running"
    FINISHED = "finished", "finished"
    FAILED = "failed", "failed"
    INTERRUPTED = "interrupted", "interrupted"  # its process died mid-run (services/liveness.py)


ENDED_STATUSES = (ExportStatus.FINISHED, ExportStatus.FAILED, ExportStatus.INTERRUPTED)


class ExportRun(models.Model):
    """One export: who started it, from where, and what came of it (counts are written batch by batch)."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ExportStatus.choices, default=ExportStatus.RUNNING)
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
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Leads in the input, when known up front.")
    # Liveness: written when a process takes the run and after every batch (services/liveness.py).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    host = models.CharField(max_length=255, blank=True, help_text="Host name of the process running the run.")
    pid = models.IntegerField(null=True, blank=True)
    lease = models.CharField(max_length=32, blank=True, help_text="Token of the process that holds the run.")
    job_id = models.BigIntegerField(null=True, blank=True, help_text="procrastinate job of a queued run.")

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.CheckConstraint(condition=in_choices("status", ExportStatus), name="export_run_status")]

    def __str__(self):
        return f"export #{self.pk} ({self.status})"

    @property
    def processed(self) -> int:
        """Input leads done so far (batches cover consecutive positions, so also the last position done)."""
        return self.received

    @property
    def percent(self) -> int | None:
        if self.status == ExportStatus.FINISHED:
            return 100
        return min(100, self.received * 100 // self.total) if self.total else None


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
    matched_on = models.CharField(
        max_length=5,
        blank=True,
        help_text="phone or email: how an existing Berinia lead was found (updated, unchanged).",
    )
    merged_into = models.PositiveIntegerField(
        null=True, blank=True, help_text="Position of the earlier input lead this one was merged into."
    )

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
            # A resumed run never records a lead twice.
            models.UniqueConstraint(fields=["run", "position"], name="export_record_one_per_position"),
        ]

    def __str__(self):
        return f"{self.infra_id or self.position}: {self.outcome}"


class ExportInput(models.Model):
    """The input of a queued run, stored with the run so that a job in another process can run and resume it.

    A chunk holds consecutive leads as JSON Lines (each lead re-encoded by json.dumps, ASCII-only, so any text
    the caller sent is storable); a line starting with "!" is an input line that could not be parsed, with its
    reason. Deleted when the run finishes (the ledger keeps what happened to each lead).
    """

    run = models.ForeignKey(ExportRun, on_delete=models.CASCADE, related_name="inputs", db_index=False)
    first_position = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    lines = models.TextField()

    class Meta:
        ordering = ["run_id", "first_position"]
        constraints = [models.UniqueConstraint(fields=["run", "first_position"], name="export_input_chunk")]

    def __str__(self):
        return f"run #{self.run_id}, leads {self.first_position}-{self.first_position + self.count - 1}"


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
