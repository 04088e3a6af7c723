"""The shared runner: the run context, timing helpers, and running every scenario in turn."""

import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.config import Sizes
from bench.databases import BenchDatabases
from bench.report import ScenarioResult


@dataclass
class Context:
    sizes: Sizes
    smoke: bool
    dbs: BenchDatabases
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bench-")))

    def log(self, message: str) -> None:
        print(f"  · {message}", file=sys.stderr, flush=True)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def run_scenarios(ctx: Context, scenarios: list) -> list[ScenarioResult]:
    results = []
    for module in scenarios:
        print(f"[{module.NAME}]", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            result = module.run(ctx)
        except Exception as exc:  # one broken scenario must not hide the others' figures
            traceback.print_exc()
            result = ScenarioResult(module.NAME, status="error", note=f"{type(exc).__name__}: {exc}"[:200])
        ctx.log(f"{module.NAME} done in {time.perf_counter() - start:.1f} s")
        results.append(result)
    return results
