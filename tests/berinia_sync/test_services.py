"""export_leads against a real second PostgreSQL database holding Berinia's tables."""

import gc
import sys
import threading

import pytest
from django.db import connections

from berinia_sync.models import BeriniaLead, ExportRecord, ExportRun
from berinia_sync.services import BeriniaUnavailable, UnknownCampaign, export_leads
from tests.berinia_sync.conftest import BERINIA_DB
from tests.berinia_sync.factories import BeriniaLeadFactory, CampaignFactory, NicheFactory, infra_lead

pytestmark = pytest.mark.django_db(databases=BERINIA_DB)


def records_by_position(run_id):
    return {record.position: record for record in ExportRecord.objects.filter(run_id=run_id)}


def test_a_lead_is_mapped_onto_berinias_current_columns(campaign, niche):
    result = export_leads([infra_lead(1, campaign.pk, email=" Contact1@Resto-1.Example.FR ", phone="01 99 00 00 01")])

    lead = BeriniaLead.objects.get()
    assert (lead.first_name, lead.last_name) == ("Julien", "Moreau1")
    assert (lead.company, lead.entreprise) == ("Restaurant Numéro 1", "Restaurant Numéro 1")
    assert (lead.email, lead.phone) == ("contact1@resto-1.example.fr", "+33199000001")
    assert (lead.website, lead.source, lead.score, lead.status) == (
        "https://www.resto-1.example.fr",
        "Google Maps",
        92,
        "new",
    )
    assert (lead.campaign_id, lead.niche_id, lead.industry) == (campaign.pk, niche.pk, "Restaurant")
    assert lead.score_details["address"] == "1 rue de Buci, 75006 Paris, France"
    assert lead.score_details["classification"]["qualite_lead"] == "HOT"
    assert lead.score_details["id"] == "apify_1752573012_1"
    assert (result.inserted, result.rejected) == (1, 0)
    record = ExportRecord.objects.get()
    assert (record.infra_id, record.berinia_lead_id, record.outcome) == ("apify_1752573012_1", lead.pk, "inserted")
    run = ExportRun.objects.get(pk=result.run_id)
    assert (run.status, run.received, run.inserted, run.finished_at is not None) == ("finished", 1, 1, True)


def test_a_company_only_lead_shows_its_company_as_name_and_an_unknown_niche_stays_in_details(campaign):
    export_leads([infra_lead(1, campaign.pk, contact_name=None, niche="fleuriste")])

    lead = BeriniaLead.objects.get()
    assert (lead.first_name, lead.last_name, lead.niche_id) == ("Restaurant Numéro 1", None, None)
    assert lead.score_details["niche"] == "fleuriste"


def test_a_courtesy_title_stays_with_the_first_name(campaign):
    export_leads([infra_lead(1, campaign.pk, contact_name="Dr Julie Masson")])

    assert BeriniaLead.objects.values_list("first_name", "last_name").get() == ("Dr Julie", "Masson")


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"contact_name": None, "company_name": ""}, "missing_name"),
        ({"email": None}, "missing_email"),
        ({"email": "  "}, "missing_email"),
        ({"email": "sophie.garnier.example.fr"}, "invalid_email"),
        ({"campaign_id": 9999}, "unknown_campaign"),
        ({"campaign_id": None}, "missing_campaign"),
        ({"campaign_id": "abc"}, "invalid_campaign"),
        ({"company_name": "x" * 256}, "too_long"),
        ({"contact_name": None, "company_name": "x" * 101}, "too_long"),
        ({"website": "https://" + "x" * 250}, "too_long"),
        ({"score": 150}, "invalid_score"),
        ({"score": "high"}, "invalid_score"),
        ({"source": {"nested": True}}, "invalid_value"),
    ],
)
def test_each_rejection_has_its_reason_and_the_run_goes_on(campaign, overrides, reason):
    result = export_leads([{**infra_lead(1, campaign.pk), **overrides}, infra_lead(2, campaign.pk)])

    assert (result.inserted, result.rejected) == (1, 1)
    records = records_by_position(result.run_id)
    assert records[1].outcome == "rejected" and records[1].reason.startswith(reason + ":")
    assert records[1].berinia_lead_id is None
    assert BeriniaLead.objects.get().email == "contact2@resto-2.example.fr"


def test_an_item_that_is_not_an_object_is_rejected(campaign):
    result = export_leads(["not a lead", infra_lead(2, campaign.pk)])

    assert records_by_position(result.run_id)[1].reason.startswith("not_an_object:")


def test_an_invalid_phone_is_dropped_with_a_warning_and_kept_in_details(campaign):
    result = export_leads([infra_lead(1, campaign.pk, phone="+33639980131")])

    lead = BeriniaLead.objects.get()
    assert lead.phone is None and lead.score_details["invalid_phone"] == "+33639980131"
    record = ExportRecord.objects.get(run_id=result.run_id)
    assert record.outcome == "inserted" and record.reason.startswith("warning: invalid_phone")


def test_the_runs_campaign_applies_to_every_lead(campaign):
    other = CampaignFactory()
    export_leads([infra_lead(1, 9999), infra_lead(2, None)], other.pk)

    assert set(BeriniaLead.objects.values_list("campaign_id", flat=True)) == {other.pk}


def test_an_unknown_run_campaign_fails_the_run_up_front(campaign):
    with pytest.raises(UnknownCampaign):
        export_leads([infra_lead(1, campaign.pk)], 424242)

    assert BeriniaLead.objects.count() == 0
    run = ExportRun.objects.get()
    assert run.status == "failed" and "424242" in run.error


def test_an_existing_lead_matches_by_phone_in_another_format_and_keeps_its_progress(campaign):
    existing = BeriniaLeadFactory(phone="01 99 00 00 01", email="old@elsewhere.example.fr", campaign=campaign)
    BeriniaLead.objects.filter(pk=existing.pk).update(status="qualified", contact_status="responded")

    result = export_leads([infra_lead(1, campaign.pk, phone="+33199000001")])

    lead = BeriniaLead.objects.get()
    assert lead.pk == existing.pk
    assert (lead.status, lead.contact_status) == ("qualified", "responded")  # never set back to "new"
    assert (lead.first_name, lead.email, lead.company) == (
        "Julien",
        "contact1@resto-1.example.fr",
        "Restaurant Numéro 1",
    )
    assert (result.inserted, result.updated) == (0, 1)
    assert ExportRecord.objects.get().berinia_lead_id == existing.pk


def test_an_existing_lead_matches_by_email_whatever_its_case_and_spaces(campaign):
    existing = BeriniaLeadFactory(phone=None, email=" Contact1@RESTO-1.example.fr", campaign=campaign)

    result = export_leads([infra_lead(1, campaign.pk)])

    assert BeriniaLead.objects.get().pk == existing.pk
    assert result.updated == 1


def test_phone_takes_precedence_over_email_when_they_point_at_different_leads(campaign):
    by_email = BeriniaLeadFactory(phone=None, email="contact1@resto-1.example.fr", campaign=campaign)
    by_phone = BeriniaLeadFactory(phone="0199000001", email="someone@else.example.fr", campaign=campaign)

    export_leads([infra_lead(1, campaign.pk)])

    assert BeriniaLead.objects.get(pk=by_phone.pk).email == "contact1@resto-1.example.fr"
    assert BeriniaLead.objects.get(pk=by_email.pk).first_name == "Existing"


def test_a_company_only_lead_does_not_replace_an_existing_contact_name(campaign):
    BeriniaLeadFactory(first_name="Claire", last_name="Lemoine", phone="+33199000001", campaign=campaign)

    export_leads([infra_lead(1, campaign.pk, contact_name=None)])

    assert BeriniaLead.objects.values_list("first_name", "last_name").get() == ("Claire", "Lemoine")


def test_an_existing_lead_is_never_moved_to_another_campaign(campaign):
    BeriniaLeadFactory(phone="+33199000001", campaign=campaign)
    other = CampaignFactory()

    export_leads([infra_lead(1, other.pk)])

    assert BeriniaLead.objects.get().campaign_id == campaign.pk


def test_duplicates_inside_the_input_are_merged_into_one_lead(campaign):
    leads = [
        infra_lead(1, campaign.pk),
        infra_lead(2, campaign.pk, email="CONTACT1@resto-1.example.fr", website="https://new.example.fr"),
        infra_lead(3, campaign.pk, phone="01 99 00 00 01", email="other@resto.example.fr", website=None),
    ]
    result = export_leads(leads)

    lead = BeriniaLead.objects.get()
    assert lead.website == "https://new.example.fr"
    assert (result.inserted, result.merged) == (1, 2)
    assert {r.outcome for r in ExportRecord.objects.filter(position__gt=1)} == {"merged"}
    assert set(ExportRecord.objects.values_list("berinia_lead_id", flat=True)) == {lead.pk}


def test_duplicates_in_different_batches_meet_in_berinia(campaign):
    result = export_leads([infra_lead(1, campaign.pk), infra_lead(1, campaign.pk, score=10)], batch_size=1)

    assert BeriniaLead.objects.get().score == 10  # folded in as inside a batch
    # The first input lead owns the Berinia lead; the later one is merged into it, whatever the batch.
    assert (result.inserted, result.updated, result.merged) == (1, 0, 1)


def test_running_the_same_input_twice_inserts_nothing_new(campaign):
    leads = [infra_lead(n, campaign.pk) for n in range(1, 31)]
    export_leads(leads, batch_size=7)

    again = export_leads(leads, batch_size=7)

    assert BeriniaLead.objects.count() == 30
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 30)


def test_a_dry_run_validates_and_matches_but_writes_nothing(campaign):
    BeriniaLeadFactory(phone="+33199000001", campaign=campaign)
    leads = [infra_lead(1, campaign.pk), infra_lead(2, campaign.pk), infra_lead(2, campaign.pk), {"id": "x"}]

    result = export_leads(leads, dry_run=True, batch_size=2)

    assert (result.inserted, result.updated, result.rejected) == (1, 1, 1)
    assert result.merged == 1  # the second copy of lead 2 (next batch) is merged into the first one
    assert BeriniaLead.objects.count() == 1 and BeriniaLead.objects.get().first_name == "Existing"
    assert ExportRecord.objects.count() == 0
    assert ExportRun.objects.get().dry_run


def test_a_database_error_in_a_batch_loses_only_the_bad_row(campaign):
    with connections["berinia"].cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.company = 'BOOM' THEN RAISE EXCEPTION 'company BOOM refused'; END IF; RETURN NEW; END $$;"
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON leads FOR EACH ROW EXECUTE FUNCTION refuse_boom();"
        )
    leads = [infra_lead(n, campaign.pk, company_name="BOOM" if n == 5 else f"Company {n}") for n in range(1, 9)]

    result = export_leads(leads)

    assert (result.inserted, result.rejected) == (7, 1)
    assert BeriniaLead.objects.count() == 7
    record = records_by_position(result.run_id)[5]
    assert record.outcome == "rejected" and "company BOOM refused" in record.reason


def test_rejections_are_reported_as_they_happen(campaign):
    seen = []
    export_leads([infra_lead(1, campaign.pk, email=None)], on_rejected=lambda *args: seen.append(args))

    assert seen == [(1, "apify_1752573012_1", "missing_email: the lead has no e-mail address (none is ever invented).")]


@pytest.mark.django_db(databases=BERINIA_DB, transaction=True)
def test_a_run_killed_between_batches_resumes_with_every_lead_exactly_once():
    campaign = CampaignFactory()
    leads = [infra_lead(n, campaign.pk) for n in range(1, 41)]

    def dies_after_25():
        yield from leads[:25]
        raise KeyboardInterrupt("killed")

    with pytest.raises(KeyboardInterrupt):
        export_leads(dies_after_25(), batch_size=10)
    assert BeriniaLead.objects.count() == 20  # two whole batches committed, the third never ran
    assert ExportRun.objects.get().status == "failed"

    result = export_leads(leads, batch_size=10)

    assert BeriniaLead.objects.count() == 40
    assert BeriniaLead.objects.values("email").distinct().count() == 40
    assert (result.inserted, result.unchanged) == (20, 20)


@pytest.mark.django_db(databases=BERINIA_DB, transaction=True)
def test_two_concurrent_exports_create_no_duplicate():
    campaign = CampaignFactory()
    leads = [infra_lead(n, campaign.pk) for n in range(1, 201)]
    errors = []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            export_leads(leads, batch_size=20)
        except Exception as error:  # reported below: an assertion in a thread would be lost
            errors.append(error)
        finally:
            for alias in BERINIA_DB:
                connections[alias].close()

    settings_before = sys.getswitchinterval(), gc.get_threshold()
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert BeriniaLead.objects.count() == 200
    runs = ExportRun.objects.all()
    assert sum(run.inserted for run in runs) == 200 and all(run.status == "finished" for run in runs)
    # The interpreter's settings that an export tunes are back once the last export of the process ends.
    assert (sys.getswitchinterval(), gc.get_threshold()) == settings_before


@pytest.mark.django_db(databases=BERINIA_DB, transaction=True)
def test_berinia_unreachable_fails_the_run_with_a_clean_message():
    connection = connections["berinia"]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="/nonexistent/socket/dir", PASSWORD="s3cret-password")
    try:
        with pytest.raises(BeriniaUnavailable) as error:
            export_leads([infra_lead(1, 1)])
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert error.value.message.startswith("Berinia database unreachable:")
    assert "s3cret" not in error.value.message and "\n" not in error.value.message
    assert ExportRun.objects.get().status == "failed"


def test_the_niche_is_looked_up_by_exact_name(campaign):
    pizzeria = NicheFactory(name="pizzeria")
    export_leads([infra_lead(1, campaign.pk, niche="pizzeria"), infra_lead(2, campaign.pk, niche="Pizzeria")])

    assert list(BeriniaLead.objects.order_by("email").values_list("niche_id", flat=True)) == [pizzeria.pk, None]
