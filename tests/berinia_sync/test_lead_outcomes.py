"""What happened to every lead: inserted, updated / unchanged (and on what they matched), merged (into which
input lead), rejected; and the rule for several input leads on one Berinia lead across batches."""

import csv
import json

import pytest

from berinia_sync.models import BeriniaLead, ExportRecord
from berinia_sync.services import export_leads
from tests.berinia_sync.conftest import BERINIA_DB, run_export
from tests.berinia_sync.factories import BeriniaLeadFactory, infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB)
SHARED_PHONE = "+33199001234"


def outcomes(run_id) -> list[tuple]:
    return list(
        ExportRecord.objects.filter(run_id=run_id)
        .order_by("position")
        .values_list("position", "outcome", "berinia_lead_id", "matched_on", "merged_into")
    )


def test_every_outcome_names_its_berinia_lead_its_match_or_its_first_lead(campaign):
    by_email = BeriniaLeadFactory(phone=None, email="contact2@resto-2.example.fr", campaign=campaign)
    by_phone = BeriniaLeadFactory(phone="01 99 00 00 03", email="old@x.example.fr", campaign=campaign)
    same = BeriniaLeadFactory(phone=None, email="x@y.example.fr", campaign=campaign)
    export_leads([infra_lead(4, campaign.pk, phone=None, email="x@y.example.fr")])  # now exactly as we write it
    leads = [
        infra_lead(1, campaign.pk),  # new
        infra_lead(2, campaign.pk),  # an existing lead with this e-mail
        infra_lead(3, campaign.pk),  # an existing lead with this phone
        infra_lead(4, campaign.pk, phone=None, email="x@y.example.fr"),  # nothing to change
        infra_lead(5, campaign.pk, email="CONTACT1@resto-1.example.fr", phone=None),  # duplicate of 1
        infra_lead(6, campaign.pk, email="not an e-mail"),
    ]

    result = export_leads(leads)

    new = BeriniaLead.objects.get(email="contact1@resto-1.example.fr")
    assert outcomes(result.run_id) == [
        (1, "inserted", new.pk, "", None),
        (2, "updated", by_email.pk, "email", None),
        (3, "updated", by_phone.pk, "phone", None),
        (4, "unchanged", same.pk, "email", None),
        (5, "merged", new.pk, "", 1),
        (6, "rejected", None, "", None),
    ]
    assert ExportRecord.objects.get(run_id=result.run_id, position=6).reason.startswith("invalid_email:")
    assert (result.inserted, result.updated, result.unchanged, result.merged, result.rejected) == (1, 2, 1, 1, 1)


@pytest.mark.parametrize("batch_size", [1, 7, 5000])
def test_leads_sharing_a_phone_update_the_berinia_lead_once_and_are_merged_into_the_first(campaign, batch_size):
    """The 60,000-leads-one-phone report, scaled down: whatever the batches, one update, the rest merged."""
    existing = BeriniaLeadFactory(phone="01 99 00 12 34", email="first@owner.example.fr", campaign=campaign)
    leads = [infra_lead(n, campaign.pk, phone=SHARED_PHONE, score=n) for n in range(1, 31)]

    result = export_leads(leads, batch_size=batch_size)

    assert BeriniaLead.objects.count() == 1
    lead = BeriniaLead.objects.get()
    assert lead.pk == existing.pk
    # Folded as inside one batch: later given values win, the keys the run wrote first stay.
    assert (lead.email, lead.phone, lead.score) == ("contact1@resto-1.example.fr", SHARED_PHONE, 30)
    assert outcomes(result.run_id) == [(1, "updated", existing.pk, "phone", None)] + [
        (n, "merged", existing.pk, "", 1) for n in range(2, 31)
    ]
    assert (result.updated, result.merged, result.inserted) == (1, 29, 0)


def test_a_new_lead_repeated_in_later_batches_is_inserted_once_and_merged_after(campaign):
    leads = (
        [infra_lead(1, campaign.pk)] + [infra_lead(n, campaign.pk) for n in range(2, 5)] + [infra_lead(1, campaign.pk)]
    )

    result = export_leads(leads, batch_size=2)

    first = BeriniaLead.objects.get(email="contact1@resto-1.example.fr")
    assert outcomes(result.run_id)[-1] == (5, "merged", first.pk, "", 1)
    assert (result.inserted, result.merged) == (4, 1)


def test_two_input_groups_on_one_berinia_lead_in_a_batch_merge_into_the_first(campaign):
    existing = BeriniaLeadFactory(phone="+33199000001", email="contact2@resto-2.example.fr", campaign=campaign)
    # Lead 1 finds it by phone, lead 2 (other phone) by e-mail: two groups of one batch, one Berinia lead.
    leads = [infra_lead(1, campaign.pk), infra_lead(2, campaign.pk)]

    result = export_leads(leads)

    assert outcomes(result.run_id) == [
        (1, "updated", existing.pk, "phone", None),
        (2, "merged", existing.pk, "", 1),
    ]


def test_the_report_of_the_command_lists_every_lead(tmp_path, campaign):
    BeriniaLeadFactory(phone=SHARED_PHONE, campaign=campaign)
    path = tmp_path / "leads.jsonl"
    leads = [infra_lead(1, campaign.pk, phone=SHARED_PHONE), infra_lead(2, campaign.pk, phone=SHARED_PHONE)]
    leads += [infra_lead(3, campaign.pk), infra_lead(4, campaign.pk, email="")]
    path.write_text("".join(json.dumps(lead) + "\n" for lead in leads))
    report = tmp_path / "report.csv"

    code, output = run_export(str(path), "--report", str(report), "--batch-size", "1")

    assert code == 3
    assert f"every lead's outcome (and each rejection's reason): {report}" in output
    existing = BeriniaLead.objects.get(phone=SHARED_PHONE).pk
    inserted = BeriniaLead.objects.get(email="contact3@resto-3.example.fr").pk
    with report.open(newline="") as file:
        assert list(csv.reader(file)) == [
            ["position", "id", "outcome", "berinia_lead_id", "matched_on", "merged_into", "reason"],
            ["1", "apify_1752573012_1", "updated", str(existing), "phone", "", ""],
            ["2", "apify_1752573012_2", "merged", str(existing), "", "1", ""],
            ["3", "apify_1752573012_3", "inserted", str(inserted), "", "", ""],
            [
                "4",
                "apify_1752573012_4",
                "rejected",
                "",
                "",
                "",
                "missing_email: the lead has no e-mail address (none is ever invented).",
            ],
        ]


@pytest.mark.parametrize("name", ["report.txt", "report.xlsx", "report"])
def test_a_report_with_an_unknown_extension_is_refused_in_one_line_naming_the_allowed_ones(tmp_path, campaign, name):
    from django.core.management import CommandError, call_command

    path = tmp_path / "leads.jsonl"
    path.write_text(json.dumps(infra_lead(1, campaign.pk)) + "\n")

    with pytest.raises(CommandError) as refused:
        call_command("export_leads", str(path), "--report", str(tmp_path / name))

    message = str(refused.value)
    assert "\n" not in message and "allowed: .csv, .json" in message
    assert not (tmp_path / name).exists() and not BeriniaLead.objects.exists()
