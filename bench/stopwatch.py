"""Time spent inside given methods during a run, without changing what they do.

Used to split the lead export's end-to-end time into its database part: the harness wraps the
export's writer methods for the duration of one call and restores them afterwards.
"""

import functools
import threading
import time
from contextlib import contextmanager


class Stopwatch:
    def __init__(self):
        self.seconds = 0.0
        self._lock = threading.Lock()

    def wrap(self, method):
        @functools.wraps(method)
        def timed_method(*args, **kwargs):
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds += time.perf_counter() - start

        return timed_method


@contextmanager
def timing(cls, *names: str):
    """Yield a Stopwatch summing the time spent in cls.<name>() for each name, while the block runs."""
    watch = Stopwatch()
    originals = {name: cls.__dict__[name] for name in names}
    try:
        for name, method in originals.items():
            setattr(cls, name, watch.wrap(method))
        yield watch
    finally:
        for name, method in originals.items():
            setattr(cls, name, method)
