"""The management commands: exit statuses, summary, report, campaign creation, schema check, status read-back."""

import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from berinia_sync.models import BeriniaCampaign, BeriniaLead, BeriniaNiche, ExportRecord
from tests.berinia_sync.conftest import BERINIA_DB, run_export
from tests.berinia_sync.factories import infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB)
SAMPLE = Path(__file__).resolve().parents[2] / "berinia_sync" / "samples" / "sample_leads.jsonl"


def test_every_lead_exported_exits_0_with_a_summary(tmp_path, campaign):
    path = tmp_path / "leads.json"
    path.write_text(json.dumps([infra_lead(1, campaign.pk), infra_lead(2, campaign.pk)]))

    code, output = run_export(str(path))

    assert code == 0
    assert "inserted" in output and "2" in output
    assert BeriniaLead.objects.count() == 2


def test_rejected_leads_exit_3_and_go_to_the_report(tmp_path, campaign):
    path = tmp_path / "leads.csv"
    with path.open("w", newline="") as file:
        writer = csv.DictWriter(file, ["id", "contact_name", "company_name", "email", "phone", "campaign_id"])
        writer.writeheader()
        writer.writerow({"id": "a", "contact_name": "Ann Lee", "email": "ann@x.example.fr", "campaign_id": campaign.pk})
        writer.writerow({"id": "b", "contact_name": "Bob Ray", "email": "", "campaign_id": campaign.pk})
    report = tmp_path / "rejected.json"

    code, output = run_export(str(path), "--report", str(report))

    assert code == 3
    inserted_id = BeriniaLead.objects.get().pk
    assert json.loads(report.read_text()) == [
        {
            "position": 1,
            "id": "a",
            "outcome": "inserted",
            "berinia_lead_id": inserted_id,
            "matched_on": "",
            "merged_into": None,
            "reason": "",
        },
        {
            "position": 2,
            "id": "b",
            "outcome": "rejected",
            "berinia_lead_id": None,
            "matched_on": "",
            "merged_into": None,
            "reason": "missing_email: the lead has no e-mail address (none is ever invented).",
        },
    ]
    assert BeriniaLead.objects.get().email == "ann@x.example.fr"


def test_the_shipped_sample_file_references_the_demo_campaign_and_exports(campaign):
    assert {json.loads(line)["campaign_id"] for line in SAMPLE.read_text().splitlines()} == {1}  # `make run`'s
    code, output = run_export(str(SAMPLE), "--campaign", str(campaign.pk))

    assert code == 3  # the sample shows two rejections on purpose
    assert BeriniaLead.objects.count() == 9


def test_dry_run_writes_nothing(tmp_path, campaign):
    path = tmp_path / "leads.jsonl"
    path.write_text(json.dumps(infra_lead(1, campaign.pk)) + "\n")

    code, output = run_export(str(path), "--dry-run")

    assert code == 0 and "dry run" in output
    assert BeriniaLead.objects.count() == 0


def test_an_unknown_campaign_is_a_one_line_error(tmp_path, campaign):
    path = tmp_path / "leads.jsonl"
    path.write_text(json.dumps(infra_lead(1, campaign.pk)) + "\n")

    with pytest.raises(CommandError, match="Campaign 4242 does not exist in Berinia"):
        call_command("export_leads", str(path), "--campaign", "4242", stdout=StringIO(), stderr=StringIO())


def test_a_missing_file_is_a_one_line_error():
    with pytest.raises(CommandError, match="cannot read /nonexistent.jsonl"):
        call_command("export_leads", "/nonexistent.jsonl", stdout=StringIO())


def test_an_unwritable_report_path_is_a_one_line_error(tmp_path, campaign):
    path = tmp_path / "leads.jsonl"
    path.write_text(json.dumps(infra_lead(1, campaign.pk)) + "\n")
    with pytest.raises(CommandError, match="cannot write the report"):
        call_command("export_leads", str(path), "--report", str(tmp_path / "missing" / "r.csv"), stdout=StringIO())
    assert not BeriniaLead.objects.exists()


def test_a_malformed_csv_is_a_one_line_error(tmp_path, campaign):
    path = tmp_path / "leads.csv"
    path.write_text("company_name,email,campaign_id\n" + "Acme," + "x" * 200_000 + f",{campaign.pk}\n")
    with pytest.raises(CommandError, match="field larger than field limit"):
        call_command("export_leads", str(path), stdout=StringIO(), stderr=StringIO())


def test_berinia_campaign_create_makes_the_campaign_and_its_niche():
    out = StringIO()
    call_command("berinia_campaign", "create", "Plombiers Lyon", "--niche", "plombier", stdout=out)

    campaign = BeriniaCampaign.objects.get(name="Plombiers Lyon")
    assert (campaign.niche.name, campaign.status) == ("plombier", "active")
    assert f"Created campaign {campaign.pk}" in out.getvalue()
    call_command("berinia_campaign", "create", "Plombiers Lyon 2", "--niche", "plombier", stdout=StringIO())
    assert BeriniaNiche.objects.filter(name="plombier").count() == 1


def test_berinia_campaign_refuses_a_blank_name():
    with pytest.raises(CommandError, match="name"):
        call_command("berinia_campaign", "create", "  ", stdout=StringIO())


def test_berinia_check_says_ok_then_names_what_is_missing():
    out = StringIO()
    call_command("berinia_check", stdout=out)
    assert "Berinia OK" in out.getvalue()

    with connections["berinia"].cursor() as cursor:
        cursor.execute("ALTER TABLE leads DROP COLUMN website, DROP COLUMN score_details")
    with pytest.raises(CommandError, match="table leads lacks column.s. website, score_details"):
        call_command("berinia_check", stdout=StringIO())


@pytest.mark.django_db(databases=BERINIA_DB, transaction=True)
def test_berinia_unreachable_exits_1_without_credentials(tmp_path):
    path = tmp_path / "leads.jsonl"
    path.write_text(json.dumps(infra_lead(1, 1)) + "\n")
    connection = connections["berinia"]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="/nonexistent/socket/dir", PASSWORD="s3cret-password")
    try:
        with pytest.raises(CommandError) as error:
            call_command("export_leads", str(path), stdout=StringIO(), stderr=StringIO())
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert error.value.returncode == 1
    assert str(error.value).startswith("Berinia database unreachable") and "s3cret" not in str(error.value)


def test_sync_lead_status_reads_back_berinia_progress(campaign):
    from berinia_sync.services import export_leads

    export_leads([infra_lead(1, campaign.pk), infra_lead(2, campaign.pk)])
    first, second = BeriniaLead.objects.order_by("id")
    BeriniaLead.objects.filter(pk=first.pk).update(status="qualified")
    BeriniaLead.objects.filter(pk=second.pk).delete()

    out = StringIO()
    call_command("sync_lead_status", stdout=out)

    statuses = dict(ExportRecord.objects.values_list("berinia_lead_id", "berinia_status"))
    assert statuses == {first.pk: "qualified", second.pk: "missing_in_berinia"}
    assert "Checked 2 Berinia leads: 2 export records changed status, 1 leads no longer in Berinia." in out.getvalue()
