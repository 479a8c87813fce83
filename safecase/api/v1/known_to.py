"""API: the known-to check (M7). The same action as the page: ``POST /api/v1/known-to/checks``
asks, ``GET /api/v1/known-to/checks/<id>`` reads one of the caller's own answers again.

The answer lists only the partner organisations the person is known to, each with its contact
(role and mailbox); never anything of their records. Bad input: 400, nothing recorded. Past
the caller's hourly limit: 429. Someone else's check: 404, as a missing one."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.api.base import ErrorOutputSerializer, RecordApiView, domain_errors, error_responses
from safecase.partnerships.knownto import actions, selectors
from safecase.partnerships.knownto.models import KnownToCheck
from safecase.people.identifiers import IdentifierScheme


class KnownToOrganisationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organisation = serializers.UUIDField(source="organisation_id")
    organisation_name = serializers.CharField()
    contact_role = serializers.CharField(help_text="Empty when the organisation set no contact.")
    contact_mailbox = serializers.CharField(help_text="Empty when the organisation set no contact.")


class KnownToCheckOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    asked_at = serializers.DateTimeField(source="created_at")
    digest_kinds = serializers.ListField(child=serializers.CharField())
    purpose = serializers.CharField()
    known = serializers.SerializerMethodField()
    known_to = KnownToOrganisationSerializer(many=True, source="matches.all")
    note = serializers.SerializerMethodField()

    def get_known(self, check: KnownToCheck) -> bool:
        return bool(check.matched)

    def get_note(self, check: KnownToCheck) -> str:
        return selectors.NOT_KNOWN_NOTE


class KnownToIdentifierSerializer(serializers.Serializer):  # type: ignore[type-arg]
    scheme = serializers.ChoiceField(choices=IdentifierScheme.choices)
    value = serializers.CharField(max_length=64)


class KnownToCheckInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    purpose = serializers.CharField(
        max_length=1000, help_text="Why you are asking; recorded in your audit trail."
    )
    identifiers = KnownToIdentifierSerializer(many=True, required=False, default=list)
    given_names = serializers.CharField(max_length=200, allow_blank=True, default="")
    family_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)


# The action names a bad identifier's scheme; the API's field is the list.
IDENTIFIER_FIELDS = {
    **dict.fromkeys(IdentifierScheme.values, "identifiers"),
    "identifier": "identifiers",
}


def _out(check: KnownToCheck) -> dict[str, Any]:
    fresh = KnownToCheck.objects.prefetch_related("matches").get(pk=check.pk)
    return dict(KnownToCheckOutputSerializer(fresh).data)


class KnownToCheckCreateApi(RecordApiView):
    required_permission = Permission.KNOWN_TO_CHECK

    @extend_schema(
        summary="Ask whether a person is known to partner organisations",
        description="By identifiers and/or given names, family name and date of birth "
        "together. Answers which other organisations of your current partnerships hold a "
        "record of the person (never a restricted one) and whom to contact there. "
        "Not known is not proof of absence.",
        request=KnownToCheckInputSerializer,
        responses={
            201: KnownToCheckOutputSerializer,
            429: OpenApiResponse(
                ErrorOutputSerializer, description="Hourly limit of checks reached."
            ),
            **error_responses(400),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input."),
        },
    )
    def post(self, request: Request) -> Response:
        data = KnownToCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            with domain_errors(
                {
                    **dict.fromkeys(IdentifierScheme.values, "identifiers"),
                    "identifier": "identifiers",
                },
                stale=False,
            ):
                check = actions.known_to_check(
                    actor=self.actor,
                    purpose=values["purpose"],
                    identifiers=[(i["scheme"], i["value"]) for i in values["identifiers"]],
                    given_names=values["given_names"],
                    family_name=values["family_name"],
                    date_of_birth=values["date_of_birth"],
                )
        except actions.RateLimited as exc:
            return Response({"detail": exc.message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        return Response(
            _out(check),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/known-to/checks/{check.pk}"},
        )


class KnownToCheckApi(RecordApiView):
    required_permission = Permission.KNOWN_TO_CHECK

    @extend_schema(
        summary="One of your own known-to checks, with its answer",
        responses={200: KnownToCheckOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, check_id: str) -> Response:
        found = access_object(
            self.actor,
            selectors.checks_visible_to(self.actor),
            check_id,
            Permission.KNOWN_TO_CHECK,
        )
        return Response(_out(found))


urlpatterns = [
    path("known-to/checks", KnownToCheckCreateApi.as_view(), name="known_to_checks"),
    path("known-to/checks/<str:check_id>", KnownToCheckApi.as_view(), name="known_to_check"),
]
