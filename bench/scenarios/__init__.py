"""One module per scenario; each exposes NAME and run(ctx) -> ScenarioResult.

Modules are imported only after Django is set up on the bench databases (they import models).
"""

import importlib

MODULES = [
    "lead_export",
    "lead_export_jobs",
    "bot_turn",
    "claim_next",
    "queue_page",
    "console_poll",
    "analytics",
    "purge",
    "pooler",
]


def load(names: list[str] | None = None) -> list:
    return [importlib.import_module(f"bench.scenarios.{name}") for name in names or MODULES]
