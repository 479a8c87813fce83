"""API: an investigation's evidence register (mounted by case_investigations.py): items with
their metadata, a file added by multipart upload (checked, encrypted at rest, exactly as a
concern's attachments: safecase.core.files), the file's download (permission-checked,
audited, never rendered), and the chain of custody (append-only). Also the lookups both
investigation modules share: the case from the actor's scoping, then its investigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import URLPattern, path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.api.base import RecordApiView, created, domain_errors, error_responses
from safecase.cases import selectors as case_selectors
from safecase.cases.investigations import evidence_actions, selectors
from safecase.cases.investigations.models import EvidenceItem, Investigation
from safecase.cases.models import Case
from safecase.core.actors import Actor
from safecase.core.files import ALLOWED_TYPES, attachment_response

_DOWNLOAD_TYPES = tuple(kind.mime for kind in ALLOWED_TYPES.values())
_ACCEPTED = ", ".join(f".{ext}" for kind in ALLOWED_TYPES.values() for ext in kind.extensions)


def case_for(
    actor: Actor, case_id: str, perm: Permission, *, own: bool = False, log_view: bool = False
) -> Case:
    cases = case_selectors.cases_visible_to(actor).select_related("case_type", "organisation")
    if own:  # changes and files: the owning organisation only (a share lets a partner read)
        cases = cases.filter(organisation=actor.organisation)
    return access_object(actor, cases, case_id, perm, log_view=log_view)


def investigation_for(
    actor: Actor, case_id: str, perm: Permission, *, own: bool = False, log_view: bool = False
) -> Investigation:
    case = case_for(actor, case_id, perm, own=own, log_view=log_view)
    investigation = selectors.investigation_of(case)
    if investigation is None:
        raise Http404
    investigation.case = case
    return investigation


def _item(investigation: Investigation, evidence_id: str) -> EvidenceItem:
    item = selectors.evidence_on(investigation, evidence_id)
    if item is None:
        raise Http404
    item.investigation = investigation
    return item


def _url(item: EvidenceItem) -> str:
    return reverse(
        "api:case_evidence_file",
        kwargs={"case_id": item.investigation.case_id, "evidence_id": item.pk},
    )


# --- Serializers ----------------------------------------------------------------------------


class EvidenceCustodyOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    from_whom = serializers.CharField()
    to_whom = serializers.CharField()
    transferred_at = serializers.DateTimeField()
    purpose = serializers.CharField()


class EvidenceItemOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    item = serializers.CharField()
    description = serializers.CharField()
    source = serializers.CharField()
    obtained_on = serializers.DateField()
    file_name = serializers.CharField(source="display_name", help_text="Blank: no file.")
    mime = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField(
        help_text="SHA-256 of the file as stored (metadata removed): check a download against it."
    )
    received_sha256 = serializers.CharField(help_text="SHA-256 of the file as received.")
    scan = serializers.CharField(
        source="scan_state", help_text="`pending`, `clean` (downloadable), `quarantined`."
    )
    custody = EvidenceCustodyOutputSerializer(many=True, source="custody.all")
    download = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI_REF)
    def get_download(self, item: EvidenceItem) -> str | None:
        if not item.has_file:
            return None
        return reverse(
            "api:case_evidence_file",
            kwargs={"case_id": item.investigation.case_id, "evidence_id": item.pk},
        )


class EvidenceItemInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    item = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000, allow_blank=True, default="")
    source = serializers.CharField(max_length=300)
    obtained_on = serializers.DateField(help_text="Not in the future.")


class EvidenceFileInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(
        allow_empty_file=True,  # the action refuses it with its own plain message
        help_text=f"One file: {_ACCEPTED}; its content must match its extension.",
    )


class EvidenceCustodyInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    from_whom = serializers.CharField(max_length=200)
    to_whom = serializers.CharField(max_length=200)
    transferred_at = serializers.DateTimeField(help_text="Not in the future.")
    purpose = serializers.CharField(max_length=300)


# --- Views ----------------------------------------------------------------------------------


class EvidenceCreateApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Add an item to the evidence register",
        description="Its metadata; send its file afterwards to `…/evidence/<id>/file`.",
        request=EvidenceItemInputSerializer,
        responses={201: EvidenceItemOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        investigation = investigation_for(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        serializer = EvidenceItemInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            item = evidence_actions.evidence_record(
                actor=self.actor, investigation=investigation, **serializer.validated_data
            )
        item.investigation = investigation
        return created(EvidenceItemOutputSerializer(item).data, _url(item))


class EvidenceFileApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"POST": Permission.CASE_MANAGE}
    parser_classes = [MultiPartParser]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The file answers in its own type whatever Accept says; errors answer JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download an evidence file",
        description="The decrypted file as a download (`Content-Disposition: attachment`, not "
        "cached, never rendered). The owning organisation only; every download is audited. "
        "409 while its virus scan is pending, and for a quarantined file.",
        responses={
            (200, *_DOWNLOAD_TYPES): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **error_responses(404, 409),
        },
    )
    def get(self, request: Request, case_id: str, evidence_id: str) -> HttpResponse:
        investigation = investigation_for(self.actor, case_id, Permission.CASE_VIEW, own=True)
        item = _item(investigation, evidence_id)
        if not item.has_file:
            raise Http404
        data = evidence_actions.evidence_read_file(actor=self.actor, evidence=item)
        return attachment_response(data, filename=item.display_name, mime=item.mime)

    @extend_schema(
        summary="Add the file of an evidence item",
        description="`multipart/form-data` with one `file`. Checked (type from its content, "
        "size, structure), metadata removed, stored encrypted; its SHA-256 recorded. An item "
        "takes one file, once.",
        request={"multipart/form-data": EvidenceFileInputSerializer},
        responses={201: EvidenceItemOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str, evidence_id: str) -> Response:
        investigation = investigation_for(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        item = _item(investigation, evidence_id)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            raise serializers.ValidationError({"file": ["This file is larger than the limit."]})
        if len(request.FILES.getlist("file")) > 1:
            raise serializers.ValidationError({"file": ["Send one file at a time."]})
        serializer = EvidenceFileInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        with domain_errors():
            item = evidence_actions.evidence_add_file(
                actor=self.actor, evidence=item, name=upload.name or "", data=upload.read()
            )
        item.investigation = investigation
        return created(EvidenceItemOutputSerializer(item).data, _url(item))


class CustodyCreateApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Record a handing-over of an evidence item",
        description="From whom, to whom, when (not in the future, not before it was obtained) "
        "and why. Append-only.",
        request=EvidenceCustodyInputSerializer,
        responses={201: EvidenceCustodyOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str, evidence_id: str) -> Response:
        investigation = investigation_for(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        item = _item(investigation, evidence_id)
        serializer = EvidenceCustodyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            entry = evidence_actions.custody_record(
                actor=self.actor, evidence=item, **serializer.validated_data
            )
        return created(EvidenceCustodyOutputSerializer(entry).data, _url(item))


def urlpatterns(base: str) -> list[URLPattern]:
    return [
        path(f"{base}/evidence", EvidenceCreateApi.as_view(), name="case_evidence"),
        path(
            f"{base}/evidence/<uuid:evidence_id>/file",
            EvidenceFileApi.as_view(),
            name="case_evidence_file",
        ),
        path(
            f"{base}/evidence/<uuid:evidence_id>/custody",
            CustodyCreateApi.as_view(),
            name="case_evidence_custody",
        ),
    ]
