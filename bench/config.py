"""Sizes of a benchmark run: the full run of the benchmarks issue, and a tiny smoke run for `make test`."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    runs: int
    # lead export
    leads: int
    existing_leads: int
    old_connector_leads: int
    # bot turn (HTTP)
    http_seconds: int
    http_connections: int
    # claim next
    queued_tickets: int
    claims_per_agent: int
    agents: int
    # queue page
    queue_page_tickets: int
    page_sizes: tuple[int, int]
    # analytics
    analytics_interactions: int
    analytics_days: int
    # purge
    purge_old_interactions: int
    purge_recent_interactions: int


FULL = Sizes(
    runs=3,
    leads=100_000,
    existing_leads=100_000,
    old_connector_leads=2_000,
    http_seconds=20,
    http_connections=8,
    queued_tickets=100_000,
    claims_per_agent=250,
    agents=8,
    queue_page_tickets=1_000_000,
    page_sizes=(50, 200),
    analytics_interactions=1_000_000,
    analytics_days=60,
    purge_old_interactions=500_000,
    purge_recent_interactions=100_000,
)

SMOKE = Sizes(
    runs=1,
    leads=1_000,
    existing_leads=1_000,
    old_connector_leads=50,
    http_seconds=2,
    http_connections=8,
    queued_tickets=2_000,
    claims_per_agent=10,
    agents=8,
    queue_page_tickets=5_000,
    page_sizes=(50, 200),
    analytics_interactions=5_000,
    analytics_days=60,
    purge_old_interactions=2_000,
    purge_recent_interactions=500,
)
