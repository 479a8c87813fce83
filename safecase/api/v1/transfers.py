"""API: Record transfer (M9). The same selectors and actions as the pages.

The sender's side (transfer.send) under ``transfers/sent``; the receiver's (transfer.receive)
under ``transfers/received``; each side reads its own view of a transfer and anyone else gets
404. Accept, reject and resend need If-Match with the transfer's ETag (its version): missing
428, stale 412, nothing changed.

``POST transfers/inbound`` is where another Safecase installation delivers a bundle. It needs no
token: the bundle authenticates itself (signed by a sender key this installation trusts) and is
refused with a reason code (400) and nothing imported when it does not hold (ADR 0017).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.accounts.models import Organisation
from safecase.api.base import (
    IF_MATCH,
    RecordApiView,
    created,
    domain_errors,
    enum_field,
    error_responses,
    etag_header,
    if_match_version,
    list_error_responses,
    with_etag,
)
from safecase.api.pagination import KeysetPagination
from safecase.partnerships.transfers import (
    actions,
    download_actions,
    inbound_actions,
    keys,
    selectors,
)
from safecase.partnerships.transfers.choices import TransferMode, TransferStatus
from safecase.partnerships.transfers.envelope import MAX_ENVELOPE_BYTES, BundleRefused
from safecase.partnerships.transfers.models import Transfer
from safecase.people.models import Person
from safecase.people.selectors import people_visible_to

StatusField = enum_field(TransferStatus, "TransferStatusEnum")
ModeField = enum_field(TransferMode, "TransferModeEnum")


class TransferOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    bundle_id = serializers.UUIDField()
    mode = ModeField()
    status = StatusField()
    person_label = serializers.CharField()
    sender_organisation = serializers.UUIDField(source="sender_organisation_id", allow_null=True)
    sender_label = serializers.CharField()
    receiver_organisation = serializers.UUIDField(
        source="receiver_organisation_id", allow_null=True
    )
    receiver_label = serializers.CharField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    due_on = serializers.DateField()
    escalation_step = serializers.IntegerField()
    viewed_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    receipt_confirmed_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    supersedes = serializers.UUIDField(source="supersedes_id", allow_null=True)
    version = serializers.IntegerField(help_text="Also sent as the ETag header.")


class TransferReceivedOutputSerializer(TransferOutputSerializer):
    document = serializers.JSONField(
        help_text="The bundle's document (format safecase.transfer/1, docs/transfers-format.md)."
    )


class TransferSendInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    person = serializers.UUIDField(help_text="A person of your organisation.")
    receiver_organisation = serializers.UUIDField(
        help_text="An organisation of your partnership on this installation."
    )
    reason = serializers.CharField(max_length=2000)
    include_attachments = serializers.BooleanField(default=False)


class TransferExportInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    person = serializers.UUIDField(help_text="A person of your organisation.")
    receiver_organisation_id = serializers.CharField(max_length=64)
    receiver_organisation_name = serializers.CharField(max_length=200)
    receiver_public_key = serializers.CharField(
        max_length=100, help_text="The receiving installation's X25519 public key (base64)."
    )
    reason = serializers.CharField(max_length=2000)
    include_attachments = serializers.BooleanField(default=False)


class TransferAcceptInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    person = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="One of your people to put the file on; leave out to add a new person.",
    )


class TransferReasonInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=2000)


class TransferAcceptOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    received_file = serializers.UUIDField()
    person = serializers.UUIDField()
    transfer = TransferOutputSerializer()


class TransferKeysOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    installation = serializers.CharField()
    signing_key_id = serializers.CharField()
    signing_public_key = serializers.CharField(help_text="Ed25519, base64 (raw 32 bytes).")
    encryption_public_key = serializers.CharField(help_text="X25519, base64 (raw 32 bytes).")


class TransferInboundOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    bundle_id = serializers.UUIDField()
    status = StatusField()


class TransferRefusalOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(
        help_text="malformed, unknown_format, unknown_sender_key, tampered, "
        "not_for_this_installation, wrong_organisation, expired, replayed or superseded."
    )
    detail = serializers.CharField()


class TransferPagination(KeysetPagination):
    key = ("-created_at", "id")
    page_size = 25


def _out(transfer: Transfer) -> dict[str, Any]:
    fresh = Transfer.objects.defer("envelope", "sender_copy", "sender_pdf").get(pk=transfer.pk)
    return dict(TransferOutputSerializer(fresh).data)


def _own_person(actor: Any, person_id: object) -> Person:
    people = people_visible_to(actor).filter(organisation_id=actor.organisation_id)
    return access_object(actor, people, person_id, Permission.PERSON_VIEW)


def _light(transfers: Any) -> Any:
    return transfers.defer("envelope", "sender_copy", "sender_pdf", "reason")


class SentListCreateApi(RecordApiView):
    required_permission = Permission.TRANSFER_SEND
    pagination_class = TransferPagination

    @extend_schema(
        summary="Files your organisation sent",
        description="Newest first, in keyset pages.",
        responses={200: TransferOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.page(_light(selectors.outbox(self.actor)), TransferOutputSerializer)

    @extend_schema(
        summary="Send a person's file to an organisation on this installation",
        description="Signed and encrypted; it waits, pending, in the receiver's inbox.",
        request=TransferSendInputSerializer,
        parameters=[etag_header(201)],
        responses={201: TransferOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request) -> Response:
        serializer = TransferSendInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = _own_person(self.actor, data["person"])
        receiver = Organisation.objects.filter(pk=data["receiver_organisation"]).first()
        with domain_errors({"receiver": "receiver_organisation"}):
            transfer = actions.transfer_send(
                actor=self.actor,
                person=person,
                receiver_organisation=receiver,
                reason=data["reason"],
                include_attachments=data["include_attachments"],
            )
        return created(_out(transfer), f"/api/v1/transfers/sent/{transfer.pk}", transfer.version)


class SentExportApi(RecordApiView):
    required_permission = Permission.TRANSFER_SEND

    @extend_schema(
        summary="Seal a person's file for an organisation on another installation",
        description="Encrypted to that installation's published X25519 key; then download the "
        "signed bundle (`transfers/sent/{id}/bundle`) and deliver it to its "
        "`/api/v1/transfers/inbound`.",
        request=TransferExportInputSerializer,
        parameters=[etag_header(201)],
        responses={201: TransferOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request) -> Response:
        serializer = TransferExportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = _own_person(self.actor, data.pop("person"))
        with domain_errors():
            transfer = actions.transfer_export(actor=self.actor, person=person, **data)
        return created(_out(transfer), f"/api/v1/transfers/sent/{transfer.pk}", transfer.version)


class TransferDownloadInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    person = serializers.UUIDField(help_text="A person of your organisation.")
    recipient_name = serializers.CharField(max_length=200)
    recipient_email = serializers.EmailField()
    reason = serializers.CharField(max_length=2000)


class TransferDownloadOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    transfer = TransferOutputSerializer()
    code = serializers.CharField(
        help_text="The six-digit code, returned this once and never kept: give it to the "
        "recipient by telephone."
    )


class SentDownloadApi(RecordApiView):
    required_permission = Permission.TRANSFER_SEND

    @extend_schema(
        summary="A one-time download of a person's file for a receiver without Safecase",
        description="The link is e-mailed to the recipient; the code is in this answer only. "
        "It works once, for 72 hours, and locks after five wrong codes.",
        request=TransferDownloadInputSerializer,
        responses={201: TransferDownloadOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request) -> Response:
        serializer = TransferDownloadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = _own_person(self.actor, data.pop("person"))
        with domain_errors():
            made = download_actions.transfer_create_download(
                actor=self.actor, person=person, base_url=request.build_absolute_uri("/"), **data
            )
        response = created(
            {"transfer": _out(made.transfer), "code": made.code},
            f"/api/v1/transfers/sent/{made.transfer.pk}",
        )
        response["Cache-Control"] = "no-store"
        return response


class SentApi(RecordApiView):
    required_permission = Permission.TRANSFER_SEND

    @extend_schema(
        summary="A file your organisation sent",
        parameters=[etag_header()],
        responses={200: TransferOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, transfer_id: str) -> Response:
        transfer = selectors.access_sent(self.actor, transfer_id)
        return with_etag(dict(TransferOutputSerializer(transfer).data), transfer.version)


class SentBundleApi(RecordApiView):
    required_permission = Permission.TRANSFER_SEND

    @extend_schema(
        summary="The signed, encrypted bundle of a file you sent",
        description="The envelope exactly as sealed (docs/transfers-format.md); audited.",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The envelope (JSON)."),
            **error_responses(404, 409),
        },
    )
    def get(self, request: Request, transfer_id: str) -> HttpResponse:
        transfer = selectors.access_sent(self.actor, transfer_id)
        with domain_errors(stale=False):
            data = actions.transfer_record_export(actor=self.actor, transfer=transfer)
        return HttpResponse(data, content_type="application/json")


class SentResendApi(RecordApiView):
    required_permission = Permission.TRANSFER_SEND

    @extend_schema(
        summary="Resend a file",
        description="A new bundle (new id, new expiry) supersedes this one, which is refused "
        "if it is ever presented again.",
        request=TransferReasonInputSerializer,
        parameters=[IF_MATCH, etag_header(201)],
        responses={201: TransferOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, transfer_id: str) -> Response:
        transfer = selectors.access_sent(self.actor, transfer_id)
        version = if_match_version(request, transfer.version)
        serializer = TransferReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            new = actions.transfer_resend(
                actor=self.actor,
                transfer=transfer,
                version=version,
                reason=serializer.validated_data["reason"],
            )
        return created(_out(new), f"/api/v1/transfers/sent/{new.pk}", new.version)


class ReceivedListApi(RecordApiView):
    required_permission = Permission.TRANSFER_RECEIVE
    pagination_class = TransferPagination

    @extend_schema(
        summary="Files sent to your organisation",
        description="Newest first, in keyset pages; a resent file's old bundle is not listed.",
        responses={200: TransferOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.page(_light(selectors.inbox(self.actor)), TransferOutputSerializer)


class ReceivedApi(RecordApiView):
    required_permission = Permission.TRANSFER_RECEIVE

    @extend_schema(
        summary="Open a file sent to your organisation",
        description="Verified and decrypted; the first opening marks it viewed (the sender "
        "sees that). Every opening is audited.",
        parameters=[etag_header()],
        responses={200: TransferReceivedOutputSerializer, **error_responses(404, 409)},
    )
    def get(self, request: Request, transfer_id: str) -> Response:
        transfer = selectors.access_received(self.actor, transfer_id)
        with domain_errors(stale=False):
            document = actions.transfer_view(actor=self.actor, transfer=transfer)
        data = {**TransferOutputSerializer(transfer).data, "document": document}
        return with_etag(data, transfer.version)


class ReceivedAcceptApi(RecordApiView):
    required_permission = Permission.TRANSFER_RECEIVE

    @extend_schema(
        summary="Accept a file and confirm receipt",
        description="It becomes a read-only received file on one of your people (or a new "
        "person made from it); receipt is confirmed to the sender.",
        request=TransferAcceptInputSerializer,
        parameters=[IF_MATCH],
        responses={200: TransferAcceptOutputSerializer, **error_responses(400, 404, 409, 412, 428)},
    )
    def post(self, request: Request, transfer_id: str) -> Response:
        transfer = selectors.access_received(self.actor, transfer_id)
        version = if_match_version(request, transfer.version)
        serializer = TransferAcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person_id = serializer.validated_data["person"]
        link_to = _own_person(self.actor, person_id) if person_id else None
        with domain_errors():
            received = actions.transfer_accept(
                actor=self.actor, transfer=transfer, version=version, link_to=link_to
            )
        return Response(
            {"received_file": received.pk, "person": received.person_id, "transfer": _out(transfer)}
        )


class ReceivedRejectApi(RecordApiView):
    required_permission = Permission.TRANSFER_RECEIVE

    @extend_schema(
        summary="Reject a file, with the reason",
        request=TransferReasonInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: TransferOutputSerializer, **error_responses(400, 404, 409, 412, 428)},
    )
    def post(self, request: Request, transfer_id: str) -> Response:
        transfer = selectors.access_received(self.actor, transfer_id)
        version = if_match_version(request, transfer.version)
        serializer = TransferReasonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.transfer_reject(
                actor=self.actor,
                transfer=transfer,
                version=version,
                reason=serializer.validated_data["reason"],
            )
        return with_etag(_out(transfer), transfer.version)


class ReceivedReceiptApi(RecordApiView):
    required_permission = Permission.TRANSFER_RECEIVE

    @extend_schema(
        summary="The signed receipt for a file from another installation",
        description="After you accept or reject a file that came from another Safecase: the "
        "receipt (format safecase.transfer-receipt/1) its sender's installation takes at its "
        "`POST /api/v1/transfers/receipts`, confirming receipt on its side.",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="The signed receipt (JSON)."),
            **error_responses(404, 409),
        },
    )
    def get(self, request: Request, transfer_id: str) -> HttpResponse:
        transfer = selectors.access_received(self.actor, transfer_id)
        if not transfer.receipt:
            return Response(
                {
                    "detail": "There is no receipt: the file came from this installation, or it "
                    "has not been accepted or rejected yet."
                },
                status=status.HTTP_409_CONFLICT,
            )
        return HttpResponse(bytes(transfer.receipt), content_type="application/json")


class KeysApi(RecordApiView):
    required_permission = Permission.TRANSFER_SEND

    @extend_schema(
        summary="This installation's public transfer keys",
        description="What another installation needs: the signing key to trust, the "
        "encryption key to seal bundles to.",
        responses={200: TransferKeysOutputSerializer, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "installation": keys.installation_name(),
                "signing_key_id": keys.signing_key_id(),
                "signing_public_key": keys.b64(keys.signing_public()),
                "encryption_public_key": keys.b64(keys.encryption_public()),
            }
        )


class RawJsonParser(BaseParser):
    """Keeps the body's bytes exactly as sent: the signature covers them."""

    media_type = "application/json"

    def parse(  # type: ignore[override]  # the raw bytes, by design
        self, stream: Any, media_type: Any = None, parser_context: Any = None
    ) -> bytes:
        # Never more than a bundle may be (and one byte, so that too big is seen as such).
        return bytes(stream.read(MAX_ENVELOPE_BYTES + 1)) if stream is not None else b""


class InboundApi(APIView):
    """Public: the bundle authenticates itself (see the module's note)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [RawJsonParser]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        view = super().as_view(**initkwargs)
        view.safecase_public = True  # type: ignore[attr-defined]  # read by the guard test
        return login_not_required(view)

    @extend_schema(
        summary="Deliver a bundle from another Safecase installation",
        description="The envelope (docs/transfers-format.md), as the sender exported it. "
        "Verified before anything is stored: a bundle that is malformed, of an unknown format "
        "version, signed by a key this installation does not trust, tampered with, encrypted "
        "for another installation, addressed to an organisation this installation does not "
        "have, expired, already received (replayed) or superseded by a resend is refused with "
        "400 and a reason `code`; nothing is imported. No token: the signature is the proof.",
        request={"application/json": OpenApiTypes.OBJECT},
        auth=[],
        responses={
            201: TransferInboundOutputSerializer,
            400: TransferRefusalOutputSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        raw = request.data if isinstance(request.data, bytes) else b""
        try:
            transfer = inbound_actions.transfer_receive_inbound(
                raw=raw, ip=request.META.get("REMOTE_ADDR")
            )
        except BundleRefused as exc:
            return Response(
                {"code": exc.code, "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(
            {"id": transfer.pk, "bundle_id": transfer.bundle_id, "status": transfer.status},
            status=status.HTTP_201_CREATED,
        )


class ReceiptInboundApi(InboundApi):
    """Public, like the inbound bundle: the receipt's signature is the proof."""

    @extend_schema(
        summary="Take a receipt from the installation a file was sent to",
        description="The receipt (format safecase.transfer-receipt/1) for a bundle this "
        "installation sealed for another: its acceptance (receipt confirmed) or rejection is "
        "recorded on the sent file. Refused with 400 and a `code` (malformed, unknown_format, "
        "unknown_sender_key, tampered, unknown_bundle, wrong_organisation, replayed).",
        request={"application/json": OpenApiTypes.OBJECT},
        auth=[],
        responses={200: TransferInboundOutputSerializer, 400: TransferRefusalOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        raw = request.data if isinstance(request.data, bytes) else b""
        try:
            transfer = inbound_actions.transfer_receipt_inbound(
                raw=raw, ip=request.META.get("REMOTE_ADDR")
            )
        except BundleRefused as exc:
            return Response(
                {"code": exc.code, "detail": exc.message}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response(
            {"id": transfer.pk, "bundle_id": transfer.bundle_id, "status": transfer.status}
        )


urlpatterns = [
    path("transfers/receipts", ReceiptInboundApi.as_view(), name="transfer_receipts"),
    path("transfers/keys", KeysApi.as_view(), name="transfer_keys"),
    path("transfers/inbound", InboundApi.as_view(), name="transfer_inbound"),
    path("transfers/sent", SentListCreateApi.as_view(), name="transfers_sent"),
    path("transfers/sent/exports", SentExportApi.as_view(), name="transfer_exports"),
    path("transfers/sent/downloads", SentDownloadApi.as_view(), name="transfer_downloads"),
    path("transfers/sent/<uuid:transfer_id>", SentApi.as_view(), name="transfer_sent"),
    path(
        "transfers/sent/<uuid:transfer_id>/bundle",
        SentBundleApi.as_view(),
        name="transfer_sent_bundle",
    ),
    path(
        "transfers/sent/<uuid:transfer_id>/resend",
        SentResendApi.as_view(),
        name="transfer_resend",
    ),
    path("transfers/received", ReceivedListApi.as_view(), name="transfers_received"),
    path(
        "transfers/received/<uuid:transfer_id>",
        ReceivedApi.as_view(),
        name="transfer_received",
    ),
    path(
        "transfers/received/<uuid:transfer_id>/accept",
        ReceivedAcceptApi.as_view(),
        name="transfer_accept",
    ),
    path(
        "transfers/received/<uuid:transfer_id>/receipt",
        ReceivedReceiptApi.as_view(),
        name="transfer_receipt",
    ),
    path(
        "transfers/received/<uuid:transfer_id>/reject",
        ReceivedRejectApi.as_view(),
        name="transfer_reject",
    ),
]
