"""Benchmarks (see docs/benchmarks.md). Not built yet: the harness arrives with the benchmarks issue."""

import sys

print("bench: not built yet" + (" (smoke)" if "--smoke" in sys.argv else ""))
