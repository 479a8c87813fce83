"""API: sharing (issue 5, M3/M6) and the Model 2 read API for linked views (M5), under
/api/v1/sharing/.

- ``GET shared``: what partner organisations shared with the token's organisation and has not
  ended: each item's kind, id, owner, purpose, lawful basis, expiry and readable fields (and,
  for a case, a person or a concern, the existing API route that reads it), newest first, with
  keyset cursors and ``updated_since`` (items whose grant or content changed since).
- ``GET shared/<id>``: one, recorded as ``record.viewed`` on the item.
- ``GET given`` / ``POST given``: the organisation's shares, and sharing one item.
- ``POST given/<id>/revoke``: end a share at once, with a reason.

The same selectors and actions as the pages; missing and forbidden are the same 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access import actions as access_actions
from safecase.access.lookups import access_object
from safecase.access.models import Consent, ShareGrant
from safecase.access.permissions import Permission
from safecase.accounts.models import Organisation, User
from safecase.api.base import (
    RecordApiView,
    created,
    domain_errors,
    enum_field,
    error_responses,
    list_error_responses,
)
from safecase.api.pagination import KeysetPagination
from safecase.core.errors import DomainError
from safecase.sharing import actions, selectors
from safecase.sharing.kinds import KINDS
from safecase.sharing.lookups import found_or_404

ConsentField = enum_field(Consent, "ShareConsentEnum")


KIND_CHOICES = [(code, kind.label) for code, kind in KINDS.items()]

_API_ROUTES = {
    "case": ("api:case", "case_id"),
    "person": ("api:person", "person_id"),
    "concern": ("api:concern", "concern_id"),
}


class OrganisationRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    name = serializers.CharField()


class FieldSerializer(serializers.Serializer):  # type: ignore[type-arg]
    label = serializers.CharField()
    value = serializers.CharField()


class ExtractLineSerializer(serializers.Serializer):  # type: ignore[type-arg]
    when = serializers.DateTimeField()
    approximate = serializers.BooleanField()
    kind = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()


class SharedItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="grant.pk", help_text="The share (grant).")
    kind = serializers.ChoiceField(choices=KIND_CHOICES, source="kind.code")
    item_id = serializers.UUIDField(source="item.pk")
    title = serializers.CharField()
    owner_organisation = OrganisationRefSerializer(source="grant.owner_organisation")
    purpose = serializers.CharField(source="grant.purpose")
    lawful_basis = serializers.CharField(source="grant.lawful_basis")
    shared_at = serializers.DateTimeField(source="grant.created_at")
    expires_at = serializers.DateTimeField(source="grant.expires_at", allow_null=True)
    updated_at = serializers.DateTimeField(
        source="grant.updated_at", help_text="When the share last changed."
    )
    readable_fields = serializers.SerializerMethodField(
        help_text="What the receiver may read of the item, as label and value."
    )
    lines = serializers.SerializerMethodField(help_text="A chronology extract's lines.")
    api_url = serializers.SerializerMethodField(
        help_text="The API route reading the whole record (cases, people, concerns), or null."
    )

    @extend_schema_field(FieldSerializer(many=True))
    def get_readable_fields(self, row: selectors.GrantRow) -> list[dict[str, str]]:
        if row.kind is None or row.item is None:
            return []
        return [{"label": label, "value": value} for label, value in row.kind.fields(row.item)]

    @extend_schema_field(ExtractLineSerializer(many=True))
    def get_lines(self, row: selectors.GrantRow) -> list[dict[str, Any]]:
        if row.kind is None or row.kind.code != "chronology_extract" or row.item is None:
            return []
        return list(ExtractLineSerializer(selectors.extract_lines(row.item), many=True).data)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_api_url(self, row: selectors.GrantRow) -> str | None:
        route = _API_ROUTES.get(row.kind.code if row.kind else "")
        if route is None or row.item is None:
            return None
        return reverse(route[0], kwargs={route[1]: row.item.pk})


class GivenShareSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField(source="grant.pk")
    kind = serializers.CharField(source="kind.code", allow_null=True)
    item_id = serializers.CharField(source="grant.object_id")
    title = serializers.CharField()
    to_organisation = OrganisationRefSerializer(source="grant.to_organisation")
    purpose = serializers.CharField(source="grant.purpose")
    lawful_basis = serializers.CharField(source="grant.lawful_basis")
    consent = ConsentField(source="grant.consent")
    consent_override_reason = serializers.CharField(source="grant.consent_override_reason")
    consent_overridden_by = serializers.UUIDField(
        source="grant.consent_overridden_by_id", allow_null=True
    )
    granted_by = serializers.UUIDField(source="grant.granted_by_id")
    shared_at = serializers.DateTimeField(source="grant.created_at")
    expires_at = serializers.DateTimeField(source="grant.expires_at", allow_null=True)
    revoked_at = serializers.DateTimeField(source="grant.revoked_at", allow_null=True)
    active = serializers.BooleanField(source="is_active")


class ShareInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    item_id = serializers.UUIDField()
    to_organisation = serializers.UUIDField(help_text="A partner organisation.")
    purpose = serializers.CharField(max_length=2000)
    lawful_basis = serializers.CharField(max_length=2000)
    consent = ConsentField()
    consent_override_reason = serializers.CharField(
        max_length=2000, allow_blank=True, default="", help_text="Required unless consent given."
    )
    consent_overridden_by = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="Who decided; default: you."
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class RevokeInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=2000)


class SharePagination(KeysetPagination):
    key = ("-created_at", "-id")


class _RowsPagination(SharePagination):
    """Pages of grants, each turned into a row with its item (one query per kind on a page)."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        return selectors.rows_for(super().paginate_queryset(queryset, request, view))


class _ReceivedPagination(SharePagination):
    """Pages of grants into the organisation, without items under a parent's restriction."""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        grants = super().paginate_queryset(queryset, request, view)
        return selectors.received_rows(request.actor, grants)  # type: ignore[attr-defined]


UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    str,
    description="ISO 8601 time: only items whose share or content changed since then.",
)


def _since(request: Request) -> datetime | None:
    raw = request.query_params.get("updated_since")
    if raw is None:
        return None
    try:
        when = parse_datetime(raw.strip())
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise serializers.ValidationError(
            {"updated_since": ["An ISO 8601 time with its offset, e.g. 2026-03-01T09:00:00Z."]}
        )
    return when


class SharedListApi(RecordApiView):
    required_permission = Permission.SHARED_VIEW
    pagination_class = _ReceivedPagination

    @extend_schema(
        summary="Items shared with your organisation",
        description="What partner organisations shared with yours and has not been revoked or "
        "expired, newest first; only what was shared, nothing around it.",
        parameters=[UPDATED_SINCE],
        responses={200: SharedItemSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        grants = selectors.shares_received(self.actor).select_related("owner_organisation")
        since = _since(request)
        if since is not None:
            grants = selectors.changed_since(grants, since)
        return self.page(grants, SharedItemSerializer)


class SharedItemApi(RecordApiView):
    required_permission = Permission.SHARED_VIEW

    @extend_schema(
        summary="One item shared with your organisation",
        description="Recorded as a view of the item.",
        responses={200: SharedItemSerializer, **error_responses(404)},
    )
    def get(self, request: Request, grant_id: str) -> Response:
        actor = self.actor
        row = found_or_404(
            actor,
            ShareGrant,
            grant_id,
            Permission.SHARED_VIEW,
            lambda: selectors.received_item(actor, grant_id),
        )
        assert row.kind is not None
        access_object(
            actor,
            row.kind.model._default_manager.filter(pk=row.item.pk),
            row.item.pk,
            Permission.SHARED_VIEW,
            log_view=True,
        )
        return Response(SharedItemSerializer(row).data)


class GivenListApi(RecordApiView):
    required_permission = Permission.SHARE_GRANT
    pagination_class = _RowsPagination

    @extend_schema(
        summary="Shares your organisation has given",
        responses={200: GivenShareSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        grants = selectors.shares_given(self.actor).select_related("to_organisation")
        return self.page(grants, GivenShareSerializer)

    @extend_schema(
        summary="Share one item with a partner organisation",
        request=ShareInputSerializer,
        responses={201: GivenShareSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request) -> Response:
        serializer = ShareInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = self.actor
        kind, item = found_or_404(
            actor,
            KINDS[data["kind"]].model,
            data["item_id"],
            Permission.SHARE_GRANT,
            lambda: selectors.owned_item(actor, data["kind"], data["item_id"]),
        )
        to = Organisation.objects.filter(pk=data["to_organisation"], is_active=True).first()
        if to is None:
            raise serializers.ValidationError({"to_organisation": ["Not a partner organisation."]})
        decider = None
        if data["consent_overridden_by"] is not None:
            decider = User.objects.filter(pk=data["consent_overridden_by"]).first()
            if decider is None:
                raise serializers.ValidationError(
                    {"consent_overridden_by": ["Not a member of your organisation."]}
                )
        with domain_errors():
            grant = actions.item_share(
                actor=actor,
                kind=kind,
                record=item,
                to_organisation=to,
                purpose=data["purpose"],
                lawful_basis=data["lawful_basis"],
                consent=data["consent"],
                consent_override_reason=data["consent_override_reason"],
                consent_overridden_by=decider,
                expires_at=data["expires_at"],
            )
        row = selectors.disclosure(actor, grant.pk)
        return created(
            GivenShareSerializer(row).data, reverse("api:sharing_given") + f"#{grant.pk}"
        )


class RevokeApi(RecordApiView):
    required_permission = Permission.SHARE_GRANT

    @extend_schema(
        summary="Revoke a share",
        description="Ends it at once: the partner's next request no longer sees the item.",
        request=RevokeInputSerializer,
        responses={200: GivenShareSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, grant_id: str) -> Response:
        actor = self.actor

        def own() -> selectors.GrantRow:
            row = selectors.disclosure(actor, grant_id)
            if row.grant.owner_organisation_id != actor.organisation_id:
                raise Http404
            return row

        row = found_or_404(actor, ShareGrant, grant_id, Permission.SHARE_GRANT, own)
        serializer = RevokeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            try:
                access_actions.share_revoke(
                    actor=actor, grant=row.grant, reason=serializer.validated_data["reason"]
                )
            except DomainError as exc:
                if exc.field is None:
                    exc.field = "reason"
                raise
        return Response(GivenShareSerializer(selectors.disclosure(actor, grant_id)).data)


urlpatterns = [
    path("sharing/shared", SharedListApi.as_view(), name="sharing_shared"),
    path("sharing/shared/<uuid:grant_id>", SharedItemApi.as_view(), name="sharing_shared_item"),
    path("sharing/given", GivenListApi.as_view(), name="sharing_given"),
    path("sharing/given/<uuid:grant_id>/revoke", RevokeApi.as_view(), name="sharing_revoke"),
]
