"""The supervisor's board: each agent's load against capacity and each queue's backlog, on one page.

Supervisors only (anyone else gets the styled 403). Reads come from handoff.workload, a constant number of
queries whatever the number of agents, queues or tickets; each row links to the queue page filtered by it.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts.roles import is_supervisor
from handoff.rules import duration_text
from handoff.workload import AgentWorkload, QueueWorkload, agent_workloads, queue_workloads

TEMPLATE = "admin/console/board.html"


@dataclass(frozen=True)
class AgentRow:
    load: AgentWorkload
    oldest_held: str
    last_activity: str
    queue_url: str


@dataclass(frozen=True)
class QueueRow:
    load: QueueWorkload
    queue_url: str


def _age(moment, now) -> str:
    if moment is None:
        return "—"
    minutes = int((now - moment).total_seconds() // 60)
    return f"{duration_text(minutes)} ago" if minutes >= 1 else "just now"


def _queue_url(**filters) -> str:
    return f"{reverse('admin:handoff_handoffticket_changelist')}?{urlencode(filters)}"


def board_context(now=None) -> dict:
    now = now or timezone.now()
    agents = [
        AgentRow(
            load=load,
            oldest_held=_age(load.oldest_held_at, now),
            last_activity=_age(load.last_activity_at, now),
            queue_url=_queue_url(holder=load.user.pk),
        )
        for load in agent_workloads()
    ]
    queues = [QueueRow(load=load, queue_url=_queue_url(queue__name__exact=load.name)) for load in queue_workloads()]
    return {
        "agents": agents,
        "queues": queues,
        "held_total": sum(row.load.held for row in agents),
        "capacity_total": sum(row.load.capacity for row in agents),
        "waiting_total": sum(row.load.waiting for row in queues),
        "late_total": sum(row.load.past_target for row in queues),
        "generated_at": now,
    }


def board_view(request):
    if not is_supervisor(request.user):
        raise PermissionDenied("The supervisor's board shows every agent's load; it is for supervisors.")
    context = {**admin.site.each_context(request), "title": "Supervisor's board", **board_context()}
    return TemplateResponse(request, TEMPLATE, context)
