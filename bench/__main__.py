"""`python -m bench [--smoke] [--only NAME ...] [--keep-db]`: run the benchmarks, print the table.

See docs/benchmarks.md. The harness creates its own databases (bench_callbot, bench_berinia) in the
configured PostgreSQL cluster, generates its data there, and drops them at the end.
"""

import argparse
import sys
from pathlib import Path

from bench import config, report, scenarios
from bench.databases import bench_databases
from bench.runner import Context, run_scenarios

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one run each (part of `make test`)")
    parser.add_argument("--only", nargs="+", choices=scenarios.MODULES, help="run only these scenarios")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3, smoke 1)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the bench databases at the end")
    parser.add_argument("--growth", action="store_true", help="only the growth table: hot paths at 3 sizes ×10 apart")
    args = parser.parse_args(argv)
    if args.growth:
        return _growth(args)

    sizes = config.SMOKE if args.smoke else config.FULL
    if args.runs:
        sizes = config.Sizes(**{**sizes.__dict__, "runs": args.runs})
    with bench_databases(keep=args.keep_db) as dbs:
        ctx = Context(sizes=sizes, smoke=args.smoke, dbs=dbs)
        results = run_scenarios(ctx, scenarios.load(args.only))
        machine = report.machine_info(dbs.server_version(), sizes.runs)
    print(report.text_table(results))
    path = report.write_files(results, machine, RESULTS_DIR, args.smoke)
    print(
        f"\n{machine['cores']} cores, {machine['memory_gb']} GB, PostgreSQL {machine['postgresql']}; "
        f"results in {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
    )
    failed = [r.name for r in results if r.status == "error" or any(f.status == "error" for f in r.figures)]
    if failed:
        print(f"bench: scenario(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _growth(args) -> int:
    """The growth table (bench/growth.py) instead of the scenarios; smoke: tiny sizes."""
    import time

    sizes = config.SMOKE if args.smoke else config.FULL
    if args.runs:
        sizes = config.Sizes(**{**sizes.__dict__, "runs": args.runs})
    started = time.perf_counter()
    with bench_databases(keep=args.keep_db) as dbs:
        from bench import growth  # imports the scenarios' Django code: only once Django is set up

        steps = growth.SMOKE_SIZES if args.smoke else growth.FULL_SIZES
        ctx = Context(sizes=sizes, smoke=args.smoke, dbs=dbs)
        measures = growth.run(ctx, steps)
        machine = report.machine_info(dbs.server_version(), max(sizes.runs, 3))
    seconds = time.perf_counter() - started
    print(growth.text(growth.table(measures, steps)))
    path = growth.write_files(measures, steps, machine, seconds, RESULTS_DIR, args.smoke)
    print(f"\ngrowth table in {seconds / 60:.1f} min; results in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
