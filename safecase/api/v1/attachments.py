"""API: a concern's files. Uploads go through concerns.actions.attachment_add, so the API keeps
the web's rules: an allow-list of types checked against the content, a size limit, encryption at
rest under a generated name, files on a submitted concern only with a reason, and only by the
organisation that owns it. Downloads go through attachment_read (permission-checked, audited,
only once the virus scan found the file clean) and are served as downloads that never render
in a browser."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.api.base import (
    ErrorOutputSerializer,
    RecordApiView,
    created,
    domain_errors,
    error_responses,
    list_error_responses,
)
from safecase.api.pagination import KeysetPagination
from safecase.api.v1.concerns import UserRefOutputSerializer
from safecase.concerns import actions, selectors
from safecase.concerns.models import Attachment, Concern, ScanState
from safecase.core.actors import Actor
from safecase.core.files import ALLOWED_TYPES, attachment_response

_DOWNLOAD_TYPES = tuple(kind.mime for kind in ALLOWED_TYPES.values())
_ACCEPTED = ", ".join(f".{ext}" for kind in ALLOWED_TYPES.values() for ext in kind.extensions)


def _limit() -> str:
    """The upload limit as the file checks word it (safecase.core.files), e.g. "10 MB"."""
    n = settings.SAFECASE_MAX_UPLOAD_BYTES
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _concerns_of(actor: Actor) -> QuerySet[Concern]:
    """The concerns whose files the actor may reach: submitted ones they may see, their drafts."""
    return selectors.drafts_of(actor) | selectors.concerns_visible_to(actor)


def _download_url(attachment: Attachment) -> str:
    return reverse(
        "api:concern_attachment_download",
        kwargs={"concern_id": attachment.concern_id, "attachment_id": attachment.pk},
    )


# --- Serializers ----------------------------------------------------------------------------


class AttachmentInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(
        allow_empty_file=True,  # the action refuses it with its own plain message
        help_text=f"One file: {_ACCEPTED}. Its content must match its extension. "
        "The limit is set by the operator (10 MB unless changed).",
    )
    reason = serializers.CharField(
        max_length=300,
        allow_blank=True,
        default="",
        help_text="Required for a submitted concern: why you are adding this file.",
    )


class AttachmentOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    concern_id = serializers.UUIDField()
    name = serializers.CharField(
        source="display_name", help_text="The uploaded name, sanitised: for display only."
    )
    mime = serializers.CharField(help_text="The type found by checking the content.")
    size = serializers.IntegerField(help_text="In bytes, as stored (metadata removed).")
    sha256 = serializers.CharField(
        help_text="Of the file as stored (images and most PDFs lose their metadata, such as "
        "GPS positions): check a download against it."
    )
    scan = serializers.ChoiceField(
        source="scan_state",
        choices=ScanState.choices,
        help_text="The virus scan: `pending` (not downloadable yet), `clean` (downloadable) or "
        "`quarantined` (a virus was found; never downloadable).",
    )
    reason = serializers.CharField(help_text="Why it was added after submission; else blank.")
    uploaded_by = UserRefOutputSerializer()
    created_at = serializers.DateTimeField()
    download = serializers.SerializerMethodField(help_text="Where to download the file.")

    @extend_schema_field(OpenApiTypes.URI_REF)
    def get_download(self, attachment: Attachment) -> str:
        return _download_url(attachment)


class OldestFirstPagination(KeysetPagination):
    key = ("created_at", "id")


# --- Views ----------------------------------------------------------------------------------


class ConcernAttachmentListCreateApi(RecordApiView):
    required_permission = Permission.CONCERN_VIEW_OWN
    method_permissions = {"POST": Permission.CONCERN_RECORD}
    parser_classes = [MultiPartParser]
    pagination_class = OldestFirstPagination

    @extend_schema(
        summary="A concern's files",
        description="What each file is (never its content), oldest first, for a submitted "
        "concern you may see or your own draft. Every read is written to the audit trail.",
        responses={
            200: AttachmentOutputSerializer(many=True),
            **list_error_responses(),
            404: OpenApiResponse(
                ErrorOutputSerializer, description="No such concern in your scope, or bad cursor."
            ),
        },
    )
    def get(self, request: Request, concern_id: str) -> Response:
        concern = access_object(
            self.actor,
            _concerns_of(self.actor),
            concern_id,
            Permission.CONCERN_VIEW_OWN,
            log_view=True,
        )
        rows = Attachment.objects.filter(concern=concern).select_related("uploaded_by")
        return self.page(rows, AttachmentOutputSerializer)

    @extend_schema(
        summary="Add a file to a concern",
        description="Send `multipart/form-data` with one `file` (and a `reason` for a "
        "submitted concern). The file is checked (type from its content, size, structure) and "
        "stored encrypted; a refused file is not stored at all. Only the organisation that "
        "owns a concern adds files to it; a draft takes files from its author only.",
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentOutputSerializer, **error_responses(400, 404, 415)},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        concern = access_object(
            self.actor, _concerns_of(self.actor), concern_id, Permission.CONCERN_RECORD
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            # Over this the upload handler drops the file rather than hold it: say why.
            raise serializers.ValidationError({"file": [f"This file is larger than {_limit()}"]})
        if len(request.FILES.getlist("file")) > 1:
            raise serializers.ValidationError({"file": ["Send one file at a time."]})
        serializer = AttachmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        with domain_errors():
            attachment = actions.attachment_add(
                actor=self.actor,
                concern=concern,
                name=upload.name or "",
                data=upload.read(),
                reason=serializer.validated_data["reason"],
            )
        data = AttachmentOutputSerializer(attachment).data
        return created(data, _download_url(attachment))


class ConcernAttachmentDownloadApi(RecordApiView):
    required_permission = Permission.CONCERN_RECORD

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The file answers in its own type whatever Accept says; errors answer JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download a file",
        description="The decrypted file, as a download (`Content-Disposition: attachment`, "
        "not cached, never rendered as a page). Every download is written to the audit trail. "
        "A file is downloadable only once its virus scan found it clean: 409 while it is "
        "`pending` (try again later) and for a `quarantined` file (never).",
        responses={
            (200, *_DOWNLOAD_TYPES): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **error_responses(404, 409),
        },
    )
    def get(self, request: Request, concern_id: str, attachment_id: str) -> HttpResponse:
        concern = access_object(
            self.actor, _concerns_of(self.actor), concern_id, Permission.CONCERN_RECORD
        )
        # Only through its own concern: another concern's id answers 404.
        attachment = access_object(
            self.actor, concern.attachments.all(), attachment_id, Permission.CONCERN_RECORD
        )
        data = actions.attachment_read(actor=self.actor, attachment=attachment)
        return attachment_response(data, filename=attachment.display_name, mime=attachment.mime)
