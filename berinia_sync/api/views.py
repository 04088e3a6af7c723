"""POST /api/v1/berinia/exports/: the lead-generation agent exports a bounded batch of leads."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsBotOrSupervisor
from berinia_sync.services import BeriniaUnavailable, export_leads
from berinia_sync.services.errors import BeriniaSchemaError

from .serializers import ExportRequestSerializer, ExportResultSerializer


class BeriniaUnavailableError(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "berinia_unavailable"
    default_detail = "Berinia's database is unreachable; retry later."


class ExportView(APIView):
    # The lead-generation agent is a bot client; human agents have no business writing into Berinia.
    permission_classes = [IsBotOrSupervisor]
    # Its ledger commits per Berinia batch, so one transaction of ours around it would roll back the
    # ledger while Berinia keeps the leads; a re-run converges by matching, so no key is needed.
    idempotency_exempt = True
    # Up to 1,000 leads: 2.5 MB (Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which bounds every body anyway)
    # is 2.6 KB a lead, four times the largest sample lead (a 1,000-lead body of those is 624 KB).
    max_body_bytes = 2_621_440

    @extend_schema(
        request=ExportRequestSerializer,
        responses={
            201: ExportResultSerializer,
            400: OpenApiResponse(description="Invalid body, or an unknown campaign_id for the run."),
            403: OpenApiResponse(description="Only bot clients and supervisors may export leads."),
            503: OpenApiResponse(
                description="Berinia's database is unreachable, or its schema is not the expected one."
            ),
        },
        summary="Export leads into Berinia",
        description="Validates, deduplicates (phone, then e-mail) and writes up to 1,000 infra-ia leads. "
        "Rejected leads are listed with their reason; re-sending the same leads inserts nothing new.",
    )
    def post(self, request):
        payload = ExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rejected = []
        try:
            result = export_leads(
                payload.validated_data["leads"],
                payload.validated_data.get("campaign_id"),
                dry_run=payload.validated_data["dry_run"],
                started_by=request.user.get_username(),
                origin="api",
                on_rejected=lambda position, infra_id, reason: rejected.append(
                    {"position": position, "id": infra_id, "reason": reason}
                ),
            )
        except (BeriniaUnavailable, BeriniaSchemaError) as error:
            # Not the caller's fault either way: Berinia must be fixed or come back; retrying later is right.
            raise BeriniaUnavailableError(error.message) from None
        body = {**vars(result), "rejected_leads": sorted(rejected, key=lambda item: item["position"])}
        return Response(ExportResultSerializer(body).data, status=status.HTTP_201_CREATED)
