"""/api/v1/berinia/exports/: the lead-generation agent exports leads into Berinia and follows its runs.

POST with up to 1,000 leads in JSON: exported during the request (201, as before). More leads, or a file
upload (multipart): stored and queued for a background job (202 + Location of the run). GET on a run: its
status, progress and counts, with the rejected leads; GET on its leads: what happened to every lead.
"""

import csv
import os
from collections.abc import Iterator

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsBotOrSupervisor
from berinia_sync.readers import FORMATS, read_leads
from berinia_sync.selectors import export_run_for, lead_outcomes
from berinia_sync.services import DEFAULT_BATCH_SIZE, BeriniaUnavailable, InvalidUpload, export_leads, queue_export
from berinia_sync.services.errors import BeriniaSchemaError
from berinia_sync.tasks import run_export
from core.api.exceptions import too_large
from core.api.pagination import ApiPagination
from core.api.parsers import BoundedJSONParser
from core.api.views import ApiView

from .serializers import (
    MAX_LEADS_PER_REQUEST,
    ExportRequestSerializer,
    ExportResultSerializer,
    ExportRunSerializer,
    ExportUploadSerializer,
    LeadFilterSerializer,
    LeadOutcomeSerializer,
)

# A JSON body is parsed whole in the request (~3 KB of Python objects a lead): 32 MiB is ~50,000 leads of
# the sample's size. A file is streamed (flat memory): 256 MiB is ~400,000 leads, stored in ~20 s.
MAX_JSON_BYTES = 32 * 1024 * 1024
MAX_UPLOAD_BYTES = 256 * 1024 * 1024
EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
ALLOWED_FILES = "JSON Lines (.jsonl, .ndjson), CSV (.csv) or a JSON array (.json), UTF-8; or give format"
SERVICE_DOWN = OpenApiResponse(description="Berinia's database is unreachable, or its schema is not the expected one.")


class LargeJSONParser(BaseParser):
    """BoundedJSONParser's limits (size, depth) over the raw request stream, for bodies above Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE: DRF hands a JSONParser `request.body`, which that setting bounds (2.5 MB)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return BoundedJSONParser().parse(stream, media_type, parser_context)


class BeriniaUnavailableError(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "berinia_unavailable"
    default_detail = "Berinia's database is unreachable; retry later."


def _defer(run_id: int) -> int:
    return run_export.defer(run_id=run_id)


def _run_body(request, run) -> dict:
    """The run with its first page of rejected leads (in input order) and the links to the rest."""
    leads_url = request.build_absolute_uri(reverse("berinia-export-leads", args=[run.pk]))
    page_size = ApiPagination.page_size
    rejected = list(lead_outcomes(run, outcome="rejected")[: page_size + 1])
    run.rejected_leads = {
        "count": run.rejected,
        "next": f"{leads_url}?outcome=rejected&page=2" if len(rejected) > page_size else None,
        "results": rejected[:page_size],
    }
    run.leads_url = leads_url
    return ExportRunSerializer(run).data


def _accepted(request, run) -> Response:
    response = Response(_run_body(request, run), status=status.HTTP_202_ACCEPTED)
    response["Location"] = reverse("berinia-export-run", args=[run.pk])
    return response


def _upload_errors_as_400(leads: Iterator) -> Iterator:
    """The reader's errors on an uploaded file, as a 400 that says what is allowed (nothing is queued)."""
    try:
        yield from leads
    except UnicodeDecodeError as error:
        raise InvalidUpload.for_field("file", f"not UTF-8 text ({error.reason}); allowed: {ALLOWED_FILES}.") from None
    except csv.Error as error:
        raise InvalidUpload.for_field("file", f"broken CSV: {error}; allowed: {ALLOWED_FILES}.") from None


class ExportView(APIView):
    # The lead-generation agent is a bot client; human agents have no business writing into Berinia.
    permission_classes = [IsBotOrSupervisor]
    parser_classes = [LargeJSONParser, MultiPartParser]
    # Its ledger commits per Berinia batch, so one transaction of ours around it would roll back the
    # ledger while Berinia keeps the leads; a re-run converges by matching, so no key is needed.
    idempotency_exempt = True
    max_body_bytes = MAX_JSON_BYTES

    @extend_schema(
        request={"application/json": ExportRequestSerializer, "multipart/form-data": ExportUploadSerializer},
        responses={
            201: ExportResultSerializer,
            202: OpenApiResponse(
                ExportRunSerializer,
                description="Queued for a background job; `Location` is the run (GET it for progress).",
            ),
            400: OpenApiResponse(
                description="Invalid body or file (unknown format, not UTF-8, broken CSV, no lead), an unknown "
                "campaign_id, or dry_run with more than 1,000 leads."
            ),
            403: OpenApiResponse(description="Only bot clients and supervisors may export leads."),
            413: OpenApiResponse(description="JSON body over 32 MiB, or file over 256 MiB."),
            503: SERVICE_DOWN,
        },
        summary="Export leads into Berinia",
        description="Validates, deduplicates (phone, then e-mail) and writes infra-ia leads. Up to 1,000 leads "
        "in JSON: exported at once (201), rejected leads listed with their reason. More leads, or a file "
        "(multipart field `file`: JSON Lines, CSV or a JSON array): stored and exported by a background job "
        "(202, `Location` of the run). Re-sending the same leads inserts nothing new.",
    )
    def post(self, request):
        if request.content_type.startswith("multipart/"):
            return self._queue_file(request)
        payload = ExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if len(data["leads"]) > MAX_LEADS_PER_REQUEST:
            if data["dry_run"]:
                raise InvalidUpload.for_field(
                    "dry_run",
                    f"allowed for up to {MAX_LEADS_PER_REQUEST} leads; use `manage.py export_leads --dry-run`.",
                )
            return self._queue(request, data["leads"], data, source_name="")
        return self._export_now(request, data)

    def _export_now(self, request, data) -> Response:
        rejected = []
        try:
            result = export_leads(
                data["leads"],
                data.get("campaign_id"),
                batch_size=data.get("batch_size") or DEFAULT_BATCH_SIZE,
                dry_run=data["dry_run"],
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

    def _queue_file(self, request) -> Response:
        payload = ExportUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise too_large(MAX_UPLOAD_BYTES)
        name = upload.name or ""
        fmt = payload.validated_data.get("format") or EXTENSIONS.get(os.path.splitext(name)[1].lower())
        if fmt is None:
            raise InvalidUpload.for_field(
                "format", f"cannot tell the format of {name!r}; allowed: {', '.join(FORMATS)} ({ALLOWED_FILES})."
            )
        leads = _upload_errors_as_400(read_leads(upload.file, fmt, name=name, strict=True))
        return self._queue(request, leads, payload.validated_data, source_name=name)

    def _queue(self, request, leads, data: dict, *, source_name: str) -> Response:
        try:
            run = queue_export(
                leads,
                data.get("campaign_id"),
                defer=_defer,
                batch_size=data.get("batch_size") or DEFAULT_BATCH_SIZE,
                started_by=request.user.get_username(),
                source_name=source_name,
            )
        except (BeriniaUnavailable, BeriniaSchemaError) as error:
            raise BeriniaUnavailableError(error.message) from None
        return _accepted(request, run)


RUN_ID = OpenApiParameter("run_id", int, OpenApiParameter.PATH, description="Export run id.")


class ExportRunView(ApiView):
    permission_classes = [IsBotOrSupervisor]

    @extend_schema(
        parameters=[RUN_ID],
        responses={
            200: ExportRunSerializer,
            403: OpenApiResponse(description="Only bot clients and supervisors may read export runs."),
            404: OpenApiResponse(description="No such run, or a run another bot started."),
        },
        summary="An export run: status, progress, counts, rejected leads",
    )
    def get(self, request, run_id: int):
        """Status (queued, running, finished, failed, interrupted), progress (processed / total), counts, the
        error of a failed run, and the first rejected leads with their reasons (`rejected_leads.next` pages)."""
        return Response(_run_body(request, export_run_for(request.user, run_id)))


class ExportLeadsView(ApiView):
    permission_classes = [IsBotOrSupervisor]
    pagination_class = ApiPagination

    @extend_schema(
        parameters=[RUN_ID, LeadFilterSerializer],
        responses={
            200: LeadOutcomeSerializer(many=True),
            403: OpenApiResponse(description="Only bot clients and supervisors may read export runs."),
            404: OpenApiResponse(description="No such run, a run another bot started, or no such page."),
        },
        summary="What happened to every lead of an export run",
    )
    def get(self, request, run_id: int):
        """Every lead in input order: inserted (Berinia lead id), updated / unchanged (matched on phone or
        email, Berinia lead id), merged (the position of the earlier input lead it was merged into), rejected
        (reason). Filter with `outcome`."""
        run = export_run_for(request.user, run_id)
        filters = self.query(LeadFilterSerializer)
        return self.paginated(LeadOutcomeSerializer, lead_outcomes(run, outcome=filters.get("outcome")))
