"""Berinia's fixtures (campaign, and emptying Berinia after transactional tests) for the fault tests."""

from tests.berinia_sync.conftest import campaign, empty_berinia, niche  # noqa: F401
