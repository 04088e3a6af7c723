"""The layers of docs/architecture.md are enforced: import-linter passes on the tree and fails on an upward import."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-logo", "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_of_the_project(tmp_path: Path) -> Path:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    for package in config["root_packages"]:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_project_keeps_its_layers(tmp_path):
    result = _lint(_copy_of_the_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "0 broken" in result.stdout


def test_an_upward_import_hidden_in_a_function_breaks_the_layers(tmp_path):
    tree = _copy_of_the_project(tmp_path)
    with (tree / "core" / "errors.py").open("a") as module:
        module.write("\n\ndef _sneaky():\n    from handoff import services  # noqa: F401\n")
    result = _lint(tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout and "core.errors -> handoff.services" in result.stdout


def test_console_may_not_read_analytics(tmp_path):
    tree = _copy_of_the_project(tmp_path)
    with (tree / "console" / "selectors.py").open("a") as module:
        module.write("\nfrom analytics import selectors as analytics_selectors  # noqa: E402,F401\n")
    result = _lint(tree)
    assert result.returncode != 0 and "console.selectors -> analytics.selectors" in result.stdout
