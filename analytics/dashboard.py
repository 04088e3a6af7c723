"""What the admin dashboard shows: selectors' figures shaped for the template and its SVG charts."""

from django.utils import timezone

from analytics import charts, selectors
from core.replica import reads_from_replica


def _today_figures() -> dict:
    today = timezone.localdate()
    rows = selectors.get_daily_metrics(date_from=today, date_to=today)
    figures = rows[0] if rows else {}
    total = figures.get("total_interactions", 0)
    return {
        "total": total,
        "completed": figures.get("completed", 0),
        "failed": figures.get("failed", 0),
        "escalated": figures.get("escalated", 0),
        "completion_rate": figures.get("completed", 0) / total if total else None,
        "avg_resolution_seconds": figures.get("avg_resolution_seconds"),
        "unique_customers": figures.get("unique_customers", 0),
    }


@reads_from_replica()  # heavy reads: the read replica when one is configured
def dashboard_context(*, days: int = 30) -> dict:
    today = timezone.localdate()
    performance = selectors.daily_performance(days=days)
    labels = [row["date"].strftime("%d/%m") for row in performance]
    crm_actions = selectors.top_crm_actions(day=today)
    queues = selectors.queue_overview()
    busiest = max((queue["queued"] for queue in queues), default=0)
    most_actions = max((row["count"] for row in crm_actions), default=0)
    return {
        "today": today,
        "figures": _today_figures(),
        "days": days,
        "trend_chart": charts.bars_with_rate_line(
            labels,
            [row["total_interactions"] for row in performance],
            [row["completion_rate"] for row in performance],
        ),
        "resolution_chart": charts.line(labels, [row["avg_resolution_seconds"] for row in performance], unit=" s"),
        "period_total": sum(row["total_interactions"] for row in performance),
        "crm_actions": [{**row, "share": charts.horizontal_share(row["count"], most_actions)} for row in crm_actions],
        "queues": [{**queue, "share": charts.horizontal_share(queue["queued"], busiest)} for queue in queues],
        "queued_total": sum(queue["queued"] for queue in queues),
        "generated_at": timezone.localtime(),
    }
