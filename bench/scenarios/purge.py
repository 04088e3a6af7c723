"""Purge: purge_old_data of 500,000 old interactions with their children, next to a single DELETE.

Baseline: one `DELETE FROM interactions WHERE created_at < cut-off` relying on the database's
ON DELETE CASCADE. Both get freshly generated old rows each run, and a transaction monitor
reports the longest transaction (the longest time locks were held) of each.
"""

import io

from django.core.management import call_command

from bench import datagen, features, people
from bench.report import NOT_BUILT, Figure, ScenarioResult
from bench.runner import timed
from bench.txmonitor import TransactionMonitor

NAME = "purge"
DAYS = 90
PRODUCT = "purge_old_data"
BASELINE = "single DELETE"
OLD = f"created_at < now() - interval '{DAYS} days'"


def run(ctx) -> ScenarioResult:
    built = features.command_exists("purge_old_data")
    recent = _prepare(ctx)
    product = Figure(PRODUCT, "s", baseline=BASELINE, goal="≤ 2× baseline")
    product_lock = Figure(f"{PRODUCT} longest transaction", "ms", goal="< 1,000 ms")
    baseline = Figure(BASELINE, "s")
    baseline_lock = Figure(f"{BASELINE} longest transaction", "ms")
    jobs = [(baseline, baseline_lock, _single_delete)]
    if built:
        jobs.insert(0, (product, product_lock, _purge_command))
    else:
        product.status = product_lock.status = NOT_BUILT
    for _ in range(ctx.sizes.runs):
        for figure, lock, job in jobs:
            _add_old_interactions(ctx)
            with TransactionMonitor(ctx.dbs.callbot) as monitor:
                seconds, _ = timed(lambda: job(ctx))  # noqa: B023 - called at once
            _verify(ctx, recent)
            figure.values.append(seconds)
            lock.values.append(monitor.longest_seconds * 1000)
    result = ScenarioResult(NAME, [product, product_lock, baseline, baseline_lock])
    if built:
        product.met = result.ratio(product) <= 2
        product_lock.met = product_lock.median < 1000
    product.note = f"{ctx.sizes.purge_old_interactions:,} old interactions with children"
    return result


def _prepare(ctx) -> int:
    s = ctx.sizes
    people.queues()
    with ctx.dbs.callbot(autocommit=True) as conn:
        datagen.truncate_callbot(conn)
        datagen.interactions(conn, s.purge_recent_interactions, days_min=0, days_max=DAYS - 5)
        datagen.children(conn)
        return conn.execute("SELECT count(*) FROM interactions").fetchone()[0]


def _add_old_interactions(ctx) -> None:
    s = ctx.sizes
    with ctx.dbs.callbot(autocommit=True) as conn:
        datagen.interactions(conn, s.purge_old_interactions, days_min=DAYS + 5, days_max=DAYS + 400)
        datagen.children(conn, where=f"i.{OLD}")
        conn.execute("VACUUM ANALYZE")


def _purge_command(ctx) -> None:
    call_command("purge_old_data", "--days", str(DAYS), stdout=io.StringIO())


def _single_delete(ctx) -> None:
    with ctx.dbs.callbot() as conn:
        conn.execute(f"DELETE FROM interactions WHERE {OLD}")


def _verify(ctx, recent: int) -> None:
    with ctx.dbs.callbot() as conn:
        old = conn.execute(f"SELECT count(*) FROM interactions WHERE {OLD}").fetchone()[0]
        kept = conn.execute("SELECT count(*) FROM interactions").fetchone()[0]
    if old or kept != recent:
        raise RuntimeError(f"purge left {old} old interactions and {kept} of {recent} recent ones")
