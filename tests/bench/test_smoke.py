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


@pytest.mark.timeout(600)
def test_every_scenario_of_the_bench_runs_at_smoke_size():
    # Its own databases (bench_callbot_smoke…), apart from a parallel run's; the bench picks its own settings.
    suffix = f"_smoke{os.environ.get('TEST_DB_SUFFIX', '')}"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [PYTHON, "-m", "bench", "--smoke"],
        cwd=ROOT,
        env={**env, "BENCH_DB_SUFFIX": suffix},
        capture_output=True,
        text=True,
        timeout=560,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    names = {scenario.NAME for scenario in scenarios.load()}
    table = result.stdout.splitlines()
    assert all(any(line.startswith(name) for line in table) for name in names), output[-5000:]


@pytest.mark.timeout(300)
def test_the_growth_table_runs_at_smoke_size():
    suffix = f"_growth{os.environ.get('TEST_DB_SUFFIX', '')}"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [PYTHON, "-m", "bench", "--growth", "--smoke"],
        cwd=ROOT,
        env={**env, "BENCH_DB_SUFFIX": suffix},
        capture_output=True,
        text=True,
        timeout=280,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    for measure in ("queue page", "claim-next", "POST turns/", "export dedupe", "30-day performance"):
        assert any(line.startswith(measure) for line in result.stdout.splitlines()), output[-5000:]
