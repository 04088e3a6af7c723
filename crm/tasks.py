"""Jobs of the crm app (procrastinate; docs/deployment.md, "Background jobs").

Every minute, proposals past their SLA escalate to the supervisors. No retry: the next minute is the
retry. The lock keeps two runs from overlapping; the queueing lock keeps a late worker from piling runs up.
"""

from django.conf import settings
from procrastinate.contrib.django import app

from crm import approvals

DUTY = "crm.escalate_overdue_proposals"


@app.periodic(cron=settings.BACKGROUND_JOB_SCHEDULES.get("escalate_overdue_proposals", "* * * * *"))
@app.task(lock=DUTY, queueing_lock=DUTY)
def escalate_overdue_proposals(timestamp: int) -> str:
    escalated = approvals.escalate_overdue_proposals()
    return f"{escalated} proposal(s) escalated."
