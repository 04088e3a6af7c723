import factory

from berinia_sync.models import BeriniaCampaign, BeriniaLead, BeriniaNiche, ExportRun, FieldMapping


class NicheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BeriniaNiche

    name = factory.Sequence(lambda n: f"niche {n}")
    status = "active"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BeriniaCampaign

    name = factory.Sequence(lambda n: f"campaign {n}")
    niche = factory.SubFactory(NicheFactory)
    agent = "tests"
    status = "active"


class BeriniaLeadFactory(factory.django.DjangoModelFactory):
    """A lead as another Berinia tool wrote it (formats of phone and e-mail not normalised)."""

    class Meta:
        model = BeriniaLead

    first_name = "Existing"
    last_name = factory.Sequence(lambda n: f"Lead{n}")
    email = factory.Sequence(lambda n: f"Existing{n}@Berinia.example.fr")
    phone = factory.Sequence(lambda n: f"01 99 00 {n // 100 % 100:02d} {n % 100:02d}")
    campaign = factory.SubFactory(CampaignFactory)
    status = "new"
    contact_status = "never_contacted"


class ExportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportRun

    origin = "python"
    batch_size = 100


class FieldMappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FieldMapping

    source_field = factory.Sequence(lambda n: f"field_{n}")
    target = "score_details"


def infra_lead(n: int, campaign_id: int, **overrides) -> dict:
    """A lead in infra-ia's format (the shape of ../shared/berinia/sample_leads.jsonl)."""
    lead = {
        "id": f"apify_1752573012_{n}",
        "company_name": f"Restaurant Numéro {n}",
        "contact_name": f"Julien Moreau{n}",
        "email": f"contact{n}@resto-{n}.example.fr",
        "phone": f"+3319900{n:04d}",
        "website": f"https://www.resto-{n}.example.fr",
        "address": f"{n} rue de Buci, 75006 Paris, France",
        "city": "Paris",
        "postal_code": "75006",
        "country": "France",
        "status": "new",
        "campaign_id": campaign_id,
        "niche": "restaurant",
        "business_type": "Restaurant",
        "source": "Google Maps",
        "scrape_date": "2025-07-15T08:07:13",
        "score": 92,
        "classification": {"qualite_lead": "HOT", "score": 0.92, "priorite": "haute"},
    }
    lead.update(overrides)
    return lead
