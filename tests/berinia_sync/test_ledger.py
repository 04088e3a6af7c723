"""The export ledger is written on the calling thread after each Berinia commit: same transaction, nothing lost."""

import pytest

from berinia_sync.models import BeriniaLead, ExportRecord, ExportRun
from berinia_sync.services import export_leads
from tests.berinia_sync.conftest import BERINIA_DB
from tests.berinia_sync.factories import CampaignFactory, infra_lead


@pytest.mark.django_db(databases=BERINIA_DB)
def test_the_ledger_of_every_batch_is_written_in_the_callers_transaction(campaign):
    # Non-transactional test: the run exists only in this test's transaction, so the ledger's records
    # would break their foreign key if they went through another connection.
    leads = [infra_lead(n, campaign.pk) for n in range(1, 26)]

    result = export_leads(leads, batch_size=10)

    run = ExportRun.objects.get(pk=result.run_id)
    assert (run.status, run.received, run.inserted) == ("finished", 25, 25)
    assert sorted(ExportRecord.objects.filter(run=run).values_list("position", flat=True)) == list(range(1, 26))
    assert set(ExportRecord.objects.values_list("berinia_lead_id", flat=True)) == set(
        BeriniaLead.objects.values_list("id", flat=True)
    )


@pytest.mark.django_db(databases=BERINIA_DB, transaction=True)
def test_a_failed_run_still_records_every_batch_berinia_committed():
    campaign = CampaignFactory()
    leads = [infra_lead(n, campaign.pk) for n in range(1, 41)]

    def dies_after_25():
        yield from leads[:25]
        raise RuntimeError("input broken")

    with pytest.raises(RuntimeError):
        export_leads(dies_after_25(), batch_size=10)

    run = ExportRun.objects.get()
    assert (run.status, run.received, run.inserted) == ("failed", 20, 20)
    assert "input broken" in run.error
    recorded = set(ExportRecord.objects.filter(run=run).values_list("berinia_lead_id", flat=True))
    assert recorded == set(BeriniaLead.objects.values_list("id", flat=True)) and len(recorded) == 20
