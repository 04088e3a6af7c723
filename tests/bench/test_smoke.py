"""SLOW: `python -m bench --smoke` and `--growth --smoke`, at tiny sizes, so that the bench never rots.

About a minute of its own (its figures mean nothing here: other tests run beside it). Marked `slow`, it starts
first on a worker of its own, beside the 2-minute webhook outage, instead of after the whole suite.
"""

import os
import subprocess

import pytest

from bench import scenarios
from tests.processes import PYTHON, ROOT

pytestmark = pytest.mark.slow


def _bench(*arguments: str, databases: str, timeout: int) -> tuple[list[str], str]:
    """Run the bench as `make bench-smoke` does, on its own databases (apart from a parallel run's); the bench
    picks its own settings. (lines of its table, its whole output for the assertion messages)."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["BENCH_DB_SUFFIX"] = f"_{databases}{os.environ.get('TEST_DB_SUFFIX', '')}"
    result = subprocess.run(
        [PYTHON, "-m", "bench", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    output = (result.stdout + result.stderr)[-5000:]
    assert result.returncode == 0, output
    return result.stdout.splitlines(), output


@pytest.mark.timeout(600)
def test_every_scenario_of_the_bench_runs_at_smoke_size():
    table, output = _bench("--smoke", databases="smoke", timeout=560)

    names = {scenario.NAME for scenario in scenarios.load()}
    assert all(any(line.startswith(name) for line in table) for name in names), output


@pytest.mark.timeout(300)
def test_the_growth_table_runs_at_smoke_size():
    table, output = _bench("--growth", "--smoke", databases="growth", timeout=280)

    for measure in ("queue page", "claim-next", "POST turns/", "export dedupe", "30-day performance"):
        assert any(line.startswith(measure) for line in table), output
