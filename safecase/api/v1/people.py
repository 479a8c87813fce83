"""API: people (search, create, read, change under optimistic locking, add an identifier) and a
person's chronology. Every read starts from the people selectors and every write is an action.
"""

from __future__ import annotations

import re

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
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
from safecase.concerns.selectors import CHRONOLOGY_PAGE_SIZE, person_chronology_page
from safecase.people import actions, selectors
from safecase.people.identifiers import IdentifierScheme
from safecase.people.models import Gender, Person, PersonKind, VulnerabilityFlag

# --- Serializers ----------------------------------------------------------------------------


class IdentifierInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    scheme = serializers.ChoiceField(choices=IdentifierScheme.choices)
    value = serializers.CharField(
        max_length=64, help_text="NHS numbers and UPNs are checked against their check digit."
    )


class IdentifierOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    scheme = serializers.ChoiceField(choices=IdentifierScheme.choices)
    value = serializers.CharField(help_text="Stored normalised (no spaces, upper case).")


PersonKindField = enum_field(PersonKind, "PersonKindEnum")


class PersonFieldsInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The fields a person's details are made of; a PATCH sends any of them."""

    kind = PersonKindField(default=PersonKind.CHILD)
    given_names = serializers.CharField(max_length=200, help_text="Legal given names, in full.")
    family_name = serializers.CharField(max_length=200, help_text="Legal family name, in full.")
    preferred_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    date_of_birth = serializers.DateField(allow_null=True, default=None)
    gender = serializers.ChoiceField(choices=Gender.choices, default=Gender.NOT_KNOWN)
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=VulnerabilityFlag.choices),
        default=list,
        max_length=len(VulnerabilityFlag.choices),
        help_text="Vulnerability flags, shown wherever the person appears.",
    )


class PersonCreateInputSerializer(PersonFieldsInputSerializer):
    identifiers = serializers.ListField(
        child=IdentifierInputSerializer(), default=list, max_length=10
    )
    not_a_duplicate = serializers.BooleanField(
        default=False,
        help_text="Set after checking the possible duplicates a 409 answer listed: "
        "none of them is this person.",
    )


class PersonOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    organisation_id = serializers.UUIDField()
    kind = PersonKindField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    preferred_name = serializers.CharField()
    display_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    gender = serializers.ChoiceField(choices=Gender.choices)
    flags = serializers.ListField(child=serializers.ChoiceField(choices=VulnerabilityFlag.choices))
    identifiers = IdentifierOutputSerializer(many=True)
    version = serializers.IntegerField(help_text="Also sent as the ETag header.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PossibleDuplicateOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    display_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)


class DuplicatesOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    detail = serializers.CharField()
    possible_duplicates = PossibleDuplicateOutputSerializer(many=True)


class ChronologyEntryOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    when = serializers.DateTimeField(help_text="When it happened (event time), newest first.")
    kind = serializers.CharField(help_text="Concern, Low-level concern, Addendum, ...")
    title = serializers.CharField()
    summary = serializers.CharField()
    concern_id = serializers.UUIDField()
    approximate = serializers.BooleanField(help_text="The time is approximate or not known.")
    significant = serializers.BooleanField(help_text="Marked significant by the lead.")


class ChronologyOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    person_id = serializers.UUIDField()
    total = serializers.IntegerField(help_text="Entries you may see in the whole chronology.")
    older = serializers.URLField(
        allow_null=True, help_text="The page of older entries, or null on the oldest page."
    )
    newer = serializers.URLField(
        allow_null=True, help_text="The page of newer entries, or null on the newest page."
    )
    entries = ChronologyEntryOutputSerializer(many=True)


# --- Views ----------------------------------------------------------------------------------


class PeoplePagination(KeysetPagination):
    key = ("family_name", "given_names", "id")


def _person_url(person: Person) -> str:
    return reverse("api:person", kwargs={"person_id": person.pk})


def _person_response(person: Person) -> Response:
    return with_etag(PersonOutputSerializer(person).data, person.version)


_PERSON_FIELDS = {"identifier": "identifiers"}


class PersonListCreateApi(RecordApiView):
    required_permission = Permission.PERSON_VIEW
    method_permissions = {"POST": Permission.PERSON_MANAGE}
    pagination_class = PeoplePagination

    @extend_schema(
        summary="Search people",
        description="People your organisation holds, and those shared with it, by family name.",
        parameters=[
            OpenApiParameter(
                "q", str, description="Words from a name, or an identifier (up to 4 words)."
            )
        ],
        responses={200: PersonOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "").strip()[:100]
        return self.page(selectors.person_list(self.actor, query=query), PersonOutputSerializer)

    @extend_schema(
        summary="Create a person",
        parameters=[etag_header(201)],
        description="Refuses with 409 and the possible duplicates it found unless "
        "`not_a_duplicate` is set after checking them.",
        request=PersonCreateInputSerializer,
        responses={
            201: PersonOutputSerializer,
            409: OpenApiResponse(DuplicatesOutputSerializer, description="Possible duplicates."),
            **error_responses(400),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = PersonCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        identifiers = [(row["scheme"], row["value"]) for row in data.pop("identifiers")]
        if not data.pop("not_a_duplicate"):
            duplicates = selectors.possible_duplicates(
                self.actor,
                given_names=data["given_names"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                identifiers=identifiers,
            )
            if duplicates:
                body = {
                    "detail": "This may be someone already known to your organisation. Check "
                    "these records; if none is this person, send again with not_a_duplicate.",
                    "possible_duplicates": PossibleDuplicateOutputSerializer(
                        duplicates, many=True
                    ).data,
                }
                return Response(body, status=status.HTTP_409_CONFLICT)
        with domain_errors(_PERSON_FIELDS):
            person = actions.person_create(actor=self.actor, identifiers=identifiers, **data)
        return created(PersonOutputSerializer(person).data, _person_url(person), person.version)


class PersonApi(RecordApiView):
    required_permission = Permission.PERSON_VIEW
    method_permissions = {"PATCH": Permission.PERSON_MANAGE}

    @extend_schema(
        summary="A person",
        description="Every read is written to the audit trail.",
        responses={
            200: OpenApiResponse(PersonOutputSerializer, description="The person."),
            **error_responses(404),
        },
        parameters=[etag_header()],
    )
    def get(self, request: Request, person_id: str) -> Response:
        person = access_object(
            self.actor,
            selectors.person_list(self.actor),
            person_id,
            Permission.PERSON_VIEW,
            log_view=True,
        )
        return _person_response(person)

    @extend_schema(
        summary="Change a person's details",
        description="Send only the fields to change, with If-Match holding the ETag you read.",
        request=PersonFieldsInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: PersonOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request: Request, person_id: str) -> Response:
        person = access_object(
            self.actor, selectors.person_list(self.actor), person_id, Permission.PERSON_MANAGE
        )
        version = if_match_version(request, person.version)
        serializer = PersonFieldsInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data:
            raise serializers.ValidationError({"detail": ["Send at least one field to change."]})
        with domain_errors(_PERSON_FIELDS):
            person = actions.person_update(
                actor=self.actor, person=person, version=version, **serializer.validated_data
            )
        return _person_response(person)


class PersonIdentifierCreateApi(RecordApiView):
    required_permission = Permission.PERSON_MANAGE

    @extend_schema(
        summary="Add an identifier to a person",
        request=IdentifierInputSerializer,
        responses={201: PersonOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, person_id: str) -> Response:
        person = access_object(
            self.actor, selectors.person_list(self.actor), person_id, Permission.PERSON_MANAGE
        )
        serializer = IdentifierInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors({"identifier": "value"}):
            actions.person_add_identifier(
                actor=self.actor, person=person, **serializer.validated_data
            )
        # Read again: the identifiers fetched with the person no longer tell the whole story.
        person = selectors.person_list(self.actor).get(pk=person.pk)
        return created(PersonOutputSerializer(person).data, _person_url(person), person.version)


class PersonChronologyApi(RecordApiView):
    required_permission = Permission.PERSON_VIEW

    @extend_schema(
        summary="A person's chronology",
        description="Everything recorded about the person that you may see (concerns, "
        "addenda, triage decisions, actions), newest first, a page at a time: follow `older` "
        "and `newer`. Every read is written to the audit trail.",
        parameters=[
            OpenApiParameter(
                "older", str, description="Cursor from a page's `older` link.", required=False
            ),
            OpenApiParameter(
                "newer", str, description="Cursor from a page's `newer` link.", required=False
            ),
            OpenApiParameter(
                "page_size",
                int,
                description=f"Entries per page (default {CHRONOLOGY_PAGE_SIZE}, at most 200).",
                required=False,
            ),
        ],
        responses={200: ChronologyOutputSerializer, **error_responses(400, 404)},
    )
    def get(self, request: Request, person_id: str) -> Response:
        size = _chronology_page_size(request)
        person = access_object(
            self.actor,
            selectors.people_visible_to(self.actor),
            person_id,
            Permission.PERSON_VIEW,
            log_view=True,
        )
        newer = request.query_params.get("newer", "")[:200]
        page = person_chronology_page(
            self.actor,
            person,
            cursor=newer or request.query_params.get("older", "")[:200] or None,
            newer=bool(newer),
            size=size,
        )
        here = request.build_absolute_uri()

        def link(name: str, cursor: str | None) -> str | None:
            if cursor is None:
                return None
            other = "newer" if name == "older" else "older"
            return replace_query_param(remove_query_param(here, other), name, cursor)

        data = ChronologyOutputSerializer(
            {
                "person_id": person.pk,
                "total": page.total,
                "older": link("older", page.older_cursor),
                "newer": link("newer", page.newer_cursor),
                "entries": page.entries,
            }
        ).data
        return Response(data)


def _chronology_page_size(request: Request) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return CHRONOLOGY_PAGE_SIZE
    if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= 200:
        raise serializers.ValidationError({"page_size": ["A whole number from 1 to 200."]})
    return int(raw)
