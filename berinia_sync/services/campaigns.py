"""Campaigns and niches in Berinia (the seed's test-campaign script, as a service)."""

from django.db import transaction

from core.errors import InvalidInput
from core.routers import BERINIA_ALIAS

from ..models import BeriniaCampaign, BeriniaNiche
from .connection import berinia_errors

CAMPAIGN_AGENT = "callbot berinia_sync"


def _required_name(field: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput.for_field(field, "This field is required and may not be blank.")
    if len(value) > limit:
        raise InvalidInput.for_field(field, f"{len(value)} characters; Berinia allows {limit}.")
    return value


def create_campaign(*, name: str, niche: str | None = None, description: str = "", status: str = "active"):
    """Create a Berinia campaign, and its niche by exact name when none exists yet; returns (campaign, niche_created).

    Berinia's raw INSERT default status is 'draft'; its ORM supplies 'active', which we follow.
    """
    name = _required_name("name", name, 100)
    niche_name = _required_name("niche", niche, 100) if niche is not None else None
    with berinia_errors(), transaction.atomic(using=BERINIA_ALIAS):
        niche_obj, niche_created = None, False
        if niche_name:
            niche_obj = BeriniaNiche.objects.filter(name=niche_name).order_by("id").first()
            if niche_obj is None:
                niche_obj = BeriniaNiche.objects.create(name=niche_name, status="active")
                niche_created = True
        campaign = BeriniaCampaign.objects.create(
            name=name, description=description or None, niche=niche_obj, agent=CAMPAIGN_AGENT, status=status
        )
    return campaign, niche_created
