"""`python -m bench --growth`: how the cost of the hot paths grows with the data, at three sizes ×10 apart.

For each measure the data set is regenerated at each size (bench.datagen, the scenarios' own set-ups) and
the scenarios' own timing code runs on it; nothing here has a baseline: the figure is the growth factor
per ×10 of data. Anything growing faster than log-linear is flagged: factor > 10 · log(10n) / log(n)
(12.5 from 10k to 100k, 12.0 from 100k to 1M). A measure whose work does not depend on the data size
(a page of 50, 400 claims, one turn) should stay near 1×; the export's dedupe indexes every existing lead
once per run, so it may grow up to ~10× (linear) without a flag.

Writes bench/results/growth.md and growth.json (the README's table); `--smoke` runs tiny sizes.
"""

import json
import math
import statistics
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench import claims, datagen, features, leadgen, stopwatch
from bench.runner import Context, timed
from bench.scenarios import analytics, bot_turn, claim_next, lead_export, queue_page

FULL_SIZES = (10_000, 100_000, 1_000_000)
SMOKE_SIZES = (100, 1_000, 10_000)
EXPORT_INPUT = 10_000  # leads exported at every size of the existing table (smoke: 500)
CLAIMS_PER_AGENT = 50
TURNS = 100  # in-process POST turns/ per size, after 10 untimed ones


@dataclass
class Measure:
    label: str
    unit: str
    data: str  # what grows
    values: dict[int, float] = field(default_factory=dict)  # size → median

    def factors(self, sizes) -> list[float | None]:
        pairs = zip(sizes, sizes[1:], strict=False)
        return [self.values[b] / self.values[a] if self.values.get(a) and b in self.values else None for a, b in pairs]


def log_linear_limit(n: int) -> float:
    """The growth factor from n to 10n of an n·log(n) cost."""
    return 10 * math.log(10 * n) / math.log(n)


def run(ctx: Context, sizes=FULL_SIZES) -> list[Measure]:
    measures = []
    for measure in (_queue_page, _claim_next, _turns, _export_dedupe, _thirty_days):
        label, unit, data = measure.__doc__.split(" | ")
        result = Measure(label, unit, data.strip())
        for size in sizes:
            started = time.perf_counter()
            result.values[size] = measure(ctx, size)
            ctx.log(f"{label} at {size:,}: {result.values[size]:.1f} {unit} ({time.perf_counter() - started:.0f} s)")
        measures.append(result)
    return measures


def _median_of(fn, runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


def _queue_page(ctx, size: int) -> float:
    """queue page, 50 per page | ms | tickets"""
    from handoff.models import HandoffTicket

    client = queue_page._prepare(_sized(ctx, queue_page_tickets=size))
    url = reverse("admin:handoff_handoffticket_changelist")
    model_admin = _changelist_admin(HandoffTicket)
    original, model_admin.list_per_page = model_admin.list_per_page, 50
    try:
        queue_page._check(client.get(url))  # warm
        return _median_of(lambda: _ms(lambda: queue_page._check(client.get(url))), max(ctx.sizes.runs, 3))
    finally:
        model_admin.list_per_page = original


def _claim_next(ctx, size: int) -> float:
    """claim-next, 8 agents | ms per claim | queued tickets"""
    sized = _sized(ctx, queued_tickets=size, claims_per_agent=min(CLAIMS_PER_AGENT, size // 16))
    agents = claims.prepare(sized)

    def one_run() -> float:
        claims.reset(sized)
        seconds, ids = claim_next._in_threads(sized, agents, claim_next._claim_with_service)
        if len(ids) != len(set(ids)) or claims.double_claims_in_db(sized, len(ids)):
            raise RuntimeError("double claims in the growth run")
        return seconds * 1000 / len(ids)

    return _median_of(one_run, max(ctx.sizes.runs, 3))


def _turns(ctx, size: int) -> float:
    """POST turns/, in-process | ms per turn | interactions"""
    with ctx.dbs.callbot(autocommit=True) as conn:
        datagen.truncate_callbot(conn)
        datagen.interactions(conn, size, days_min=0, days_max=30)
        datagen.children(conn, messages=2)
        conn.execute("VACUUM ANALYZE")
    token = bot_turn._token()
    bot_turn._customer()
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    body = json.dumps(bot_turn.TURN_BODY)

    def post() -> None:
        response = client.post(bot_turn.TURNS_PATH, body, content_type="application/json")
        if response.status_code >= 300:
            raise RuntimeError(f"POST turns/ answered {response.status_code}: {response.content[:200]!r}")

    for _ in range(10):
        post()
    turns = TURNS if not ctx.smoke else 10
    return _median_of(lambda: _ms(lambda: [post() for _ in range(turns)]) / turns, max(ctx.sizes.runs, 3))


def _export_dedupe(ctx, size: int) -> float:
    """export dedupe (writer: index + match + write) | ms | existing Berinia leads"""
    from berinia_sync.services import export_leads
    from berinia_sync.services.writer import BatchWriter

    count = EXPORT_INPUT if not ctx.smoke else 500
    campaign_id = lead_export._campaign_id(ctx)
    path = leadgen.write_jsonl(ctx.workdir / "growth-leads.jsonl", count, campaign_id)
    sized = _sized(ctx, existing_leads=size, leads=count)

    def one_run() -> float:
        lead_export._reset(sized, campaign_id)
        with stopwatch.timing(BatchWriter, *lead_export.WRITER_METHODS) as in_database:
            export_leads(leadgen.read_jsonl(path), campaign_id=campaign_id)
        lead_export._check_outcome(sized, count)
        return in_database.seconds * 1000

    return _median_of(one_run, max(ctx.sizes.runs, 3))


def _thirty_days(ctx, size: int) -> float:
    """30-day performance, nothing stored | ms | interactions over 60 days"""
    sized = _sized(ctx, analytics_interactions=size)
    analytics._prepare(sized)
    figure = analytics._performance_query(sized, timezone.localdate(), "nothing stored")
    if figure.status != "ok":
        raise RuntimeError(f"30-day performance: {figure.status}")
    return figure.median


def _changelist_admin(model):
    admin = features.admin_for(model)
    if admin is None:
        raise RuntimeError("no HandoffTicket changelist in the admin")
    return admin


def _sized(ctx: Context, **sizes) -> Context:
    return replace(ctx, sizes=replace(ctx.sizes, runs=max(ctx.sizes.runs, 3), **sizes))


def _ms(fn) -> float:
    seconds, _ = timed(fn)
    return seconds * 1000


def table(measures: list[Measure], sizes) -> list[list[str]]:
    headers = ["measure", "grows with", *(f"{size:,}" for size in sizes)]
    headers += [f"×{sizes[i + 1] // sizes[i]} ({sizes[i]:,}→{sizes[i + 1]:,})" for i in range(len(sizes) - 1)]
    headers.append("faster than log-linear?")
    rows = [headers]
    for m in measures:
        factors = m.factors(sizes)
        flagged = [f"{a:,}→{b:,}" for (a, b), f in zip(zip(sizes, sizes[1:], strict=False), factors, strict=True)
                   if f is not None and f > log_linear_limit(a)]  # fmt: skip
        rows.append(
            [
                m.label,
                m.data,
                *(f"{m.values[size]:.1f} {m.unit}" if size in m.values else "—" for size in sizes),
                *(f"{f:.2f}×" if f is not None else "—" for f in factors),
                ("FLAGGED " + ", ".join(flagged)) if flagged else "no",
            ]
        )
    return rows


def text(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(rows: list[list[str]], machine: dict, seconds: float) -> str:
    head = (
        f"Growth, measured {machine['date']} on {machine['cores']} cores, PostgreSQL {machine['postgresql']} "
        f"(`python -m bench --growth`, {seconds / 60:.0f} min; median of {machine['runs']} runs per cell). "
        "Flag: growth factor per ×10 above 10·log(10n)/log(n).\n\n"
    )
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return head + "\n".join(lines) + "\n"


def write_files(measures, sizes, machine: dict, seconds: float, directory: Path, smoke: bool) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stem = "growth-smoke" if smoke else "growth"
    rows = table(measures, sizes)
    (directory / f"{stem}.md").write_text(markdown(rows, machine, seconds))
    payload = {
        "machine": machine,
        "seconds": seconds,
        "sizes": list(sizes),
        "measures": [
            {"label": m.label, "unit": m.unit, "data": m.data, "values": m.values, "factors": m.factors(sizes)}
            for m in measures
        ],
    }
    path = directory / f"{stem}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path
