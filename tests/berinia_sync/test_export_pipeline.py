"""The export's threads: the Berinia writer works ahead of the ledger on the caller's Berinia connection,
stops when the ledger fails, and gives the connection (and the interpreter's settings) back.

That the writer uses the caller's connection, in the caller's transaction, every non-transactional export
test shows: their campaign is not committed, and Berinia's foreign keys would refuse leads written elsewhere."""

import gc
import sys

import pytest
from django.db import connections

from berinia_sync.models import BeriniaLead, ExportRecord
from berinia_sync.services import export_leads, ledger
from berinia_sync.services.errors import RunTakenOver
from tests.berinia_sync.conftest import BERINIA_DB
from tests.berinia_sync.factories import CampaignFactory, infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB, transaction=True)


def test_a_failing_ledger_stops_the_writer_and_the_berinia_connection_is_given_back(monkeypatch):
    campaign = CampaignFactory()
    leads = [infra_lead(n, campaign.pk) for n in range(1, 201)]
    recorded = []

    def taken_over_at_the_second_batch(run, records, counts, *, dry_run):
        if recorded:
            raise RunTakenOver("taken over")
        recorded.append(len(records))
        ledger.write_records(run, records)

    monkeypatch.setattr(ledger, "record_batch", taken_over_at_the_second_batch)
    settings_before = sys.getswitchinterval(), gc.get_threshold()

    with pytest.raises(RunTakenOver):
        export_leads(leads, batch_size=10)

    # The writer is at most a few batches ahead of the ledger (two waiting, one being written), not at the end.
    assert recorded == [10]
    assert 20 <= BeriniaLead.objects.count() <= 40
    assert ExportRecord.objects.count() == 10
    berinia = connections["berinia"]
    assert not berinia.allow_thread_sharing
    assert not berinia.in_atomic_block
    with berinia.cursor() as cursor:  # usable by this thread, with the run's temporary tables dropped
        cursor.execute("SELECT to_regclass('pg_temp.bsync_keys') IS NULL")
        assert cursor.fetchone() == (True,)
    assert (sys.getswitchinterval(), gc.get_threshold()) == settings_before
