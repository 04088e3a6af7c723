"""Tables of the project shell: the failed attempts of background jobs (procrastinate keeps no error text)."""

from django.db import models

MESSAGE_MAX_CHARS = 1000


class JobFailure(models.Model):
    """One failed attempt of a procrastinate job: which job, which try, what was raised.

    Written by the workers' middleware (callbot_site/job_failures.py). `job_id` is no foreign key:
    procrastinate deletes its jobs in SQL of its own, which a constraint would block; `remove_old_jobs`
    deletes the failures of the jobs it removed.
    """

    job_id = models.BigIntegerField(db_index=True, help_text="procrastinate job (procrastinate_jobs.id).")
    task_name = models.CharField(max_length=255)
    attempt = models.PositiveIntegerField(help_text="1 for the first try.")
    error_type = models.CharField(max_length=255, help_text="The exception's class, with its module.")
    # The exception's own text, cut at MESSAGE_MAX_CHARS; never a traceback (it could show local variables).
    message = models.CharField(max_length=MESSAGE_MAX_CHARS, blank=True)
    failed_at = models.DateTimeField()

    class Meta:
        db_table = "job_failures"
        ordering = ["-failed_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(attempt__gte=1), name="job_failures_attempt_from_1")]

    def __str__(self) -> str:
        return f"{self.task_name} job {self.job_id}, attempt {self.attempt}: {self.error_type}"
