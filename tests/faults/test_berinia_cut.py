"""Berinia's connection is cut in the middle of an export: one-line failure, a consistent ledger, a clean re-run."""

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from berinia_sync.management.commands import export_leads as command
from berinia_sync.models import BeriniaLead, ExportRecord, ExportRun, Outcome
from tests.berinia_sync.conftest import BERINIA_DB, run_export
from tests.berinia_sync.factories import infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB, transaction=True)

LEADS = 50
BATCH = 10


def _terminate_berinia_backends() -> int:
    """From a `default` connection (same cluster): end every other session on the Berinia test database."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [connections["berinia"].settings_dict["NAME"]],
        )
        return cursor.fetchone()[0]


def test_a_connection_cut_after_the_first_batch_fails_in_one_line_and_a_rerun_completes(
    tmp_path, campaign, monkeypatch
):
    path = tmp_path / "leads.jsonl"
    path.write_text("".join(json.dumps(infra_lead(n, campaign.pk)) + "\n" for n in range(1, LEADS + 1)))
    terminated = []

    class CutAfterFirstBatch(command.Progress):
        """The command's progress line, called after each committed batch: the cut comes right after the first."""

        def __call__(self, result):
            super().__call__(result)
            if not terminated:
                terminated.append(_terminate_berinia_backends())

    monkeypatch.setattr(command, "Progress", CutAfterFirstBatch)
    stderr = StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("export_leads", str(path), "--batch-size", str(BATCH), stdout=StringIO(), stderr=stderr)

    assert terminated == [1]  # the export's own Berinia session, and nothing else
    message = str(failure.value)
    assert message.startswith("Berinia database unreachable") and "\n" not in message, message
    assert "Traceback" not in stderr.getvalue()
    run = ExportRun.objects.get()
    assert (run.status, run.error) == ("failed", message)
    # The ledger lists exactly the committed first batch, and Berinia holds exactly those leads.
    recorded = ExportRecord.objects.filter(run=run).exclude(outcome=Outcome.REJECTED)
    assert sorted(recorded.values_list("position", flat=True)) == list(range(1, BATCH + 1))
    assert set(recorded.values_list("berinia_lead_id", flat=True)) == set(
        BeriniaLead.objects.values_list("pk", flat=True)
    )

    connections["berinia"].close()  # what a new `manage.py` process starts with: a fresh connection
    code, output = run_export(str(path), "--batch-size", str(BATCH))

    assert code == 0, output
    emails = Counter(BeriniaLead.objects.values_list("email", flat=True))
    assert len(emails) == LEADS and set(emails.values()) == {1}
    assert emails.keys() == {infra_lead(n, campaign.pk)["email"].lower() for n in range(1, LEADS + 1)}
    second = ExportRun.objects.exclude(pk=run.pk).get()
    assert second.status == "finished" and second.records.exclude(outcome=Outcome.REJECTED).count() == LEADS
