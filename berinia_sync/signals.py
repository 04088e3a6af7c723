"""Signals of berinia_sync, for other apps to hook into (e.g. webhooks); sent after the commit that caused them.

export_finished(run=ExportRun): a run ended (finished, failed, or interrupted by the dead-run sweeper). A run
whose job will retry (Berinia unreachable, attempts left) goes back to `queued` and sends nothing.
"""

import django.dispatch

export_finished = django.dispatch.Signal()
