"""API: the current user, their organisations, the organisation's members, and API tokens."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access import scoping
from safecase.access.lookups import access_api_token
from safecase.access.permissions import Permission
from safecase.accounts import auth_actions, selectors
from safecase.accounts.models import ApiToken, OrganisationType
from safecase.api.base import PolicyApiView
from safecase.api.pagination import CursorPagination


class MeApi(PolicyApiView):
    required_permission = Permission.ACCOUNT_SELF

    class MeOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        id = serializers.UUIDField()
        email = serializers.EmailField()
        full_name = serializers.CharField()
        organisation_id = serializers.UUIDField(allow_null=True)
        organisation_name = serializers.CharField(allow_null=True)
        roles = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        responses=MeOutputSerializer, summary="The signed-in user and current organisation"
    )
    def get(self, request: Request) -> Response:
        actor = self.actor
        data = {
            "id": actor.user.pk,
            "email": actor.user.email,
            "full_name": actor.user.full_name,
            "organisation_id": actor.organisation_id,
            "organisation_name": actor.organisation.name if actor.organisation else None,
            "roles": sorted(actor.roles),
        }
        return Response(self.MeOutputSerializer(data).data)


class OrganisationListApi(PolicyApiView):
    required_permission = Permission.ACCOUNT_SELF

    class OrganisationOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        id = serializers.UUIDField()
        name = serializers.CharField()
        org_type = serializers.ChoiceField(choices=OrganisationType.choices)

    @extend_schema(
        responses=OrganisationOutputSerializer(many=True), summary="Organisations you belong to"
    )
    def get(self, request: Request) -> Response:
        paginator = CursorPagination()
        paginator.ordering = "name"
        rows = paginator.paginate_queryset(
            scoping.organisations_visible_to(self.actor), request, self
        )
        return paginator.get_paginated_response(
            self.OrganisationOutputSerializer(rows, many=True).data
        )


class MembershipListApi(PolicyApiView):
    required_permission = Permission.ORG_MANAGE_MEMBERS

    class MembershipOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        id = serializers.UUIDField()
        email = serializers.EmailField(source="user.email")
        full_name = serializers.CharField(source="user.full_name")
        is_active = serializers.BooleanField()
        roles = serializers.SerializerMethodField()

        def get_roles(self, obj: Any) -> list[str]:
            return [r.role for r in obj.roles.all()]

    @extend_schema(
        responses=MembershipOutputSerializer(many=True),
        summary="Members of your current organisation (administrators only)",
    )
    def get(self, request: Request) -> Response:
        paginator = CursorPagination()
        paginator.ordering = "created_at"
        rows = paginator.paginate_queryset(selectors.member_list(self.actor), request, self)
        return paginator.get_paginated_response(
            self.MembershipOutputSerializer(rows, many=True).data
        )


class TokenOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    name = serializers.CharField()
    organisation_id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)


class TokenListCreateApi(PolicyApiView):
    required_permission = Permission.TOKEN_MANAGE_OWN

    class TokenInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
        name = serializers.CharField(max_length=100)
        days = serializers.IntegerField(min_value=1, max_value=3650)

    class TokenCreatedSerializer(TokenOutputSerializer):
        secret = serializers.CharField(help_text="Shown once. Store it safely.")

    @extend_schema(responses=TokenOutputSerializer(many=True), summary="Your API tokens")
    def get(self, request: Request) -> Response:
        paginator = CursorPagination()
        rows = paginator.paginate_queryset(scoping.api_tokens_visible_to(self.actor), request, self)
        return paginator.get_paginated_response(TokenOutputSerializer(rows, many=True).data)

    @extend_schema(
        request=TokenInputSerializer,
        responses={201: TokenCreatedSerializer},
        summary="Create a token",
    )
    def post(self, request: Request) -> Response:
        # Tokens are made by a person at a signed-in browser, never by another token: a leaked
        # token must not be able to mint replacements that outlive its revocation.
        if isinstance(request.auth, ApiToken):
            raise exceptions.PermissionDenied(
                "Create tokens from a signed-in session, not a token."
            )
        serializer = self.TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, secret = auth_actions.api_token_create(
            actor=self.actor, with_mfa=request.user.is_verified(), **serializer.validated_data
        )
        data = dict(TokenOutputSerializer(token).data, secret=secret)
        return Response(data, status=status.HTTP_201_CREATED)


class TokenRevokeApi(PolicyApiView):
    required_permission = Permission.TOKEN_MANAGE_OWN

    @extend_schema(request=None, responses=TokenOutputSerializer, summary="Revoke a token")
    def post(self, request: Request, token_id: str) -> Response:
        token = access_api_token(self.actor, token_id, Permission.TOKEN_MANAGE_OWN)
        token = auth_actions.api_token_revoke(actor=self.actor, token=token)
        return Response(TokenOutputSerializer(token).data)
