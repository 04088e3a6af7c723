"""The dashboard's "Why bots escalate" section: the range form, the report, its charts and CSV links."""

from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from analytics import escalation_charts
from analytics.escalation_csv import CSV_TABLES
from analytics.escalations import escalation_report
from analytics.forms import DateRangeForm
from core.replica import reads_from_replica

CSV_URL_NAME = "admin:analytics_dashboard_escalations_csv"


def _by_reason_rows(rows: list[dict]) -> list[dict]:
    colours = escalation_charts.reason_colours(rows)
    return [
        {**row, "intent_label": escalation_charts.intent_label(row["intent"]), "css": colours[row["reason_code"]]}
        for row in rows
    ]


@reads_from_replica()  # heavy reads: the read replica when one is configured
def escalation_section(params: QueryDict) -> dict:
    """Context for the section; with a refused range, only the form and its messages (no figures)."""
    form = DateRangeForm(data=params)
    if not form.is_valid():
        return {"escalation_form": form, "escalations": None}
    date_from, date_to = form.days()
    report = escalation_report(date_from=date_from, date_to=date_to)
    query = urlencode({"date_from": date_from.isoformat(), "date_to": date_to.isoformat()})
    return {
        "escalation_form": DateRangeForm(initial={"date_from": date_from, "date_to": date_to}),
        "escalations": {
            **report,
            "total": report["crm_failures"]["escalations"],
            "by_intent_and_reason": _by_reason_rows(report["by_intent_and_reason"]),
            "reason_chart": escalation_charts.stacked_reasons(report["by_intent_and_reason"]),
            "confidence_chart": escalation_charts.confidence_histograms(report["confidence"]),
            "touch_chart": escalation_charts.touch_times(report["first_touch_by_queue"]),
            "csv": {name.replace("-", "_"): f"{reverse(CSV_URL_NAME, args=[name])}?{query}" for name in CSV_TABLES},
        },
    }
