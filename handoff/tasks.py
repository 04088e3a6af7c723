"""Jobs of the console (procrastinate; docs/deployment.md, "Background jobs").

The same service as `manage.py send_ticket_reminders`. No retry: the next minute is the retry. The
lock keeps two runs from overlapping; the queueing lock keeps a late worker from piling runs up.
"""

from django.conf import settings
from procrastinate.contrib.django import app

from handoff import reminders

DUTY = "handoff.ticket_reminders"


@app.periodic(cron=settings.BACKGROUND_JOB_SCHEDULES["ticket_reminders"])
@app.task(lock=DUTY, queueing_lock=DUTY)
def send_ticket_reminders(timestamp: int) -> str:
    """Take back forgotten tickets, then remind about late ones (the command's order)."""
    taken_back = reminders.take_back_forgotten_tickets()
    reminded = reminders.send_ticket_reminders()
    return f"{reminded} reminder(s) sent, {taken_back} ticket(s) taken back to the queue."
