"""What a run looks up once, before any lead is mapped: field mapping, Berinia's campaigns and niches.

The seed's "cache de campagnes": campaign ids and niche names are read once per run, not once per lead.
"""

from dataclasses import dataclass, field

from django.db import connections

from core.routers import BERINIA_ALIAS

from ..mapping_defaults import DEFAULT_MAPPINGS
from ..models import FieldMapping
from .errors import UnknownCampaign


@dataclass(frozen=True)
class RunContext:
    targets: dict[str, str]  # infra-ia field → MappingTarget value (active mappings only)
    campaign_ids: frozenset[int]
    niche_ids: dict[str, int]  # exact niche name → smallest id (names are not unique in Berinia)
    run_campaign_id: int | None = None
    extra: dict = field(default_factory=dict)


def load_field_targets() -> dict[str, str]:
    """Active mappings; with no mapping row at all (e.g. a flushed test database), the defaults of migration 0002."""
    rows = list(FieldMapping.objects.values_list("source_field", "target", "is_active"))
    if not rows:
        return {source: target for source, target, _ in DEFAULT_MAPPINGS}
    return {source: target for source, target, active in rows if active}


def load_context(*, run_campaign_id: int | None) -> RunContext:
    """Read mapping, campaigns and niches; raise UnknownCampaign when the run's campaign does not exist."""
    with connections[BERINIA_ALIAS].cursor() as cursor:
        cursor.execute("SELECT id FROM campaigns")
        campaign_ids = frozenset(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT name, min(id) FROM niches GROUP BY name")
        niche_ids = dict(cursor.fetchall())
    if run_campaign_id is not None and run_campaign_id not in campaign_ids:
        raise UnknownCampaign.for_field("campaign_id", f"Campaign {run_campaign_id} does not exist in Berinia.")
    return RunContext(
        targets=load_field_targets(),
        campaign_ids=campaign_ids,
        niche_ids=niche_ids,
        run_campaign_id=run_campaign_id,
    )
