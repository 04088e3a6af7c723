"""GET /api/v1/metrics/escalations/: why bots escalate over a date range, for agents and supervisors."""

from drf_spectacular.utils import extend_schema

from accounts.permissions import IsAgent
from analytics.escalations import escalation_report
from core.api.views import ApiView
from core.replica import reads_from_replica

from .daily import default_range
from .escalation_serializers import EscalationFilterInput, EscalationReportOutput


class EscalationReportApi(ApiView):
    permission_classes = [IsAgent]
    pagination_class = None

    @extend_schema(tags=["metrics"], parameters=[EscalationFilterInput], responses=EscalationReportOutput)
    @reads_from_replica()
    def get(self, request):
        """Escalations by intent × resolution reason, bot confidence of escalated vs completed interactions,
        escalations after a failed CRM action, time to the first human touch per queue, and approval rates of
        the bot's CRM action proposals per action type.

        Covers the interactions (and proposals) created in the range; a range covers at most 366 days."""
        filters = self.query(EscalationFilterInput)
        date_from, date_to = default_range(filters.get("date_from"), filters.get("date_to"))
        return self.respond(EscalationReportOutput, escalation_report(date_from=date_from, date_to=date_to))
