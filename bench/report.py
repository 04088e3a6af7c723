"""Figures, the printed table and the JSON/Markdown files a benchmark run leaves behind.

A scenario produces `Figure`s; a figure may name the figure it is compared with (its baseline),
and the ratio median/baseline-median is computed here, once, the same way for every scenario.
"""

import json
import os
import platform
import statistics
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

NOT_BUILT = "not built yet"


@dataclass
class Figure:
    """One measured quantity of a scenario, over several runs."""

    label: str
    unit: str
    values: list[float] = field(default_factory=list)
    baseline: str | None = None  # label of the figure this one is compared with
    goal: str = ""
    met: bool | None = None  # None: no goal, or not decidable
    status: str = "ok"  # ok | not built yet | skipped | error
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None


@dataclass
class ScenarioResult:
    name: str
    figures: list[Figure] = field(default_factory=list)
    status: str = "ok"
    note: str = ""
    details: dict = field(default_factory=dict)

    def figure(self, label: str) -> Figure:
        return next(f for f in self.figures if f.label == label)

    def ratio(self, figure: Figure) -> float | None:
        if not figure.baseline or figure.median is None:
            return None
        base = self.figure(figure.baseline).median
        return figure.median / base if base else None


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _row(result: ScenarioResult, fig: Figure) -> list[str]:
    if fig.status != "ok":
        return [result.name, fig.label, fig.status, "", "", "", fig.goal, fig.note]
    span = f"{fmt(min(fig.values))}–{fmt(max(fig.values))}" if len(fig.values) > 1 else ""
    ratio = result.ratio(fig)
    vs = f"{ratio:.2f}× {fig.baseline}" if ratio is not None else ""
    met = {True: "met", False: "MISSED", None: ""}[fig.met]
    return [result.name, fig.label, f"{fmt(fig.median)} {fig.unit}", span, vs, met, fig.goal, fig.note]


HEADERS = ["scenario", "figure", "median", "min–max", "vs baseline", "goal met", "goal", "note"]


def rows(results: list[ScenarioResult]) -> list[list[str]]:
    table = []
    for result in results:
        if result.status != "ok" and not result.figures:
            table.append([result.name, "", result.status, "", "", "", "", result.note])
        table.extend(_row(result, fig) for fig in result.figures)
    return table


def text_table(results: list[ScenarioResult]) -> str:
    table = [HEADERS, *rows(results)]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(results: list[ScenarioResult], machine: dict) -> str:
    lines = [
        f"Measured {machine['date']} on {machine['cores']} cores, {machine['memory_gb']} GB RAM, "
        f"PostgreSQL {machine['postgresql']}, Python {machine['python']} ({machine['runs']} runs per figure).",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "---|" * len(HEADERS),
    ]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in r) + " |" for r in rows(results)]
    return "\n".join(lines) + "\n"


def machine_info(server_version: str, runs: int) -> dict:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "memory_gb": round(pages / 2**30, 1),
        "postgresql": server_version,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "runs": runs,
    }


def write_files(results: list[ScenarioResult], machine: dict, directory: Path, smoke: bool) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stem = "latest-smoke" if smoke else "latest"
    payload = {"machine": machine, "smoke": smoke, "scenarios": [_as_json(r) for r in results]}
    path = directory / f"{stem}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    (directory / f"{stem}.md").write_text(markdown_table(results, machine))
    return path


def _as_json(result: ScenarioResult) -> dict:
    data = asdict(result)
    for fig, raw in zip(result.figures, data["figures"], strict=True):
        raw["median"] = fig.median
        raw["ratio_to_baseline"] = result.ratio(fig)
    return data
