"""API: people (search, create, read, change under optimistic locking, add an identifier) and a
person's chronology. Every read starts from the people selectors and every write is an action.

The first section holds what the record endpoints share (keyset pages, If-Match, error answers);
safecase.api.v1.concerns imports it from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, models
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.api.base import PolicyApiView
from safecase.concerns.selectors import person_chronology
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.core.pagination import keyset_page
from safecase.people import actions, selectors
from safecase.people.identifiers import IdentifierScheme
from safecase.people.models import Gender, Person, PersonKind, VulnerabilityFlag

# --- Shared by the record endpoints ----------------------------------------------------------


class KeysetPagination(BasePagination):
    """Forward-only pages ordered by ``key`` (a tuple ending in a unique field).

    DRF's CursorPagination keeps one position field plus an offset, so long runs of equal values
    (the same family name, every urgent concern) page by ever larger offsets and break past its
    offset cut-off; a keyset compares the whole key, so every page costs the same.
    """

    key: ClassVar[tuple[str, ...]] = ("-created_at", "id")
    page_size = 50
    max_page_size = 200
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def __init__(self) -> None:
        self.next_url: str | None = None

    def _size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise serializers.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def paginate_queryset(
        self, queryset: models.QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any]:
        cursor = request.query_params.get(self.cursor_query_param) or None
        try:
            page = keyset_page(queryset, key=self.key, cursor=cursor, size=self._size(request))
        except (DjangoValidationError, DataError, ValueError, TypeError, OverflowError) as exc:
            # A cursor that decodes but holds values of the wrong type: not one we gave out.
            raise exceptions.NotFound("Invalid cursor.") from exc
        if page.next_cursor is not None:
            self.next_url = replace_query_param(
                request.build_absolute_uri(), self.cursor_query_param, page.next_cursor
            )
        return page.items

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_url, "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from the previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, "
                f"at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


def enum_field(
    choices: type[models.Choices], component: str
) -> Callable[..., serializers.ChoiceField]:
    """A ChoiceField over ``choices``, described as the named enum ``component``.

    Several choice sets here share a field name (a person's and a concern's ``kind``, a
    concern's and an action's ``status``), which drf-spectacular cannot name by itself.
    """
    values = list(choices.values)
    schema = {
        "type": "integer" if all(isinstance(v, int) for v in values) else "string",
        "enum": values,
        "description": "\n".join(f"* `{value}` - {label}" for value, label in choices.choices),
    }

    class Field(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices.choices, **kwargs)

    Field.__name__ = Field.__qualname__ = f"{component}Field"
    decorated: type[serializers.ChoiceField] = extend_schema_field(
        schema, component_name=component
    )(Field)
    return decorated


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = (
        'This change needs an If-Match header holding the ETag you last read (e.g. If-Match: "3"), '
        "so that nobody's change is silently overwritten."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "This record changed since you read it. Read it again for the current version "
        "and ETag, then make your change again."
    )
    default_code = "precondition_failed"


# A strong entity tag holding a version ("3"); a bare 3 is accepted too, for hand-written calls.
_ENTITY_TAG = re.compile(r'"([0-9]{1,9})"|([0-9]{1,9})')


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(request: Request, current: int) -> int:
    """The version the client says it changed, checked against ``current`` (RFC 9110 If-Match).

    Missing, or ``*`` (which protects nothing), answers 428; any other non-match answers 412.
    Weak tags never match: If-Match uses strong comparison. The action checks the version again
    inside its transaction, so a change that lands after this check is still refused.
    """
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        raise PreconditionRequired()
    if raw == "*":
        raise PreconditionRequired(
            'If-Match: * does not protect against lost updates: send the ETag you read, e.g. "3".'
        )
    for tag in raw.split(","):
        match = _ENTITY_TAG.fullmatch(tag.strip())
        if match is not None and int(match.group(1) or match.group(2)) == current:
            return current
    raise PreconditionFailed()


@contextmanager
def domain_errors(fields: dict[str, str] | None = None) -> Iterator[None]:
    """An action's field error as a 400 naming the API's field (``fields`` maps the action's
    names to ours); a stale version as 412. Other errors go to safecase.api.errors."""
    try:
        yield
    except NotPermitted:
        raise
    except Conflict as exc:
        raise PreconditionFailed(exc.message) from exc
    except DomainError as exc:
        if exc.field is None:
            raise
        name = (fields or {}).get(exc.field, exc.field)
        raise serializers.ValidationError({name: [exc.message]}) from exc


class ErrorOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    detail = serializers.CharField()


_ERROR_DESCRIPTIONS = {
    400: "Invalid input: an object naming each field with its messages, or `detail`.",
    401: "Not signed in, or the token is invalid or expired.",
    403: "Your role does not allow this.",
    404: "Missing, or outside your scope: the same answer for both.",
    409: "The record is in a state that does not allow this.",
    412: "Stale If-Match: the record changed since you read it. Nothing was changed.",
    428: "If-Match missing: send the ETag you read. Nothing was changed.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    return {
        code: OpenApiResponse(
            OpenApiTypes.OBJECT if code == 400 else ErrorOutputSerializer,
            description=_ERROR_DESCRIPTIONS[code],
        )
        for code in (401, 403, *codes)
    }


def list_error_responses() -> dict[int, OpenApiResponse]:
    return {
        **error_responses(),
        400: OpenApiResponse(OpenApiTypes.OBJECT, description="page_size out of range."),
        404: OpenApiResponse(ErrorOutputSerializer, description="Invalid cursor."),
    }


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The ETag from your last read of the record, e.g. "3". Missing: 428; stale: 412.',
)


def etag_header(code: int = 200) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        response=[code],
        description='The record\'s version, e.g. "3": send it back as If-Match to change it.',
    )


class RecordApiView(PolicyApiView):
    """An API view over domain records: JSON bodies, keyset pages, and a stronger permission for
    some methods (``method_permissions``). That permission is checked, and named in any denial
    audit event, in place of ``required_permission`` (the one the URL guard reads)."""

    parser_classes = [JSONParser]
    pagination_class: ClassVar[type[KeysetPagination] | None] = None
    method_permissions: ClassVar[dict[str, Permission]] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        perm = self.method_permissions.get(request.method or "")
        if perm is not None:
            # Shadow the class attribute on this instance only: DenyUndeclared and the denial
            # audit (safecase.api.errors) both read view.required_permission.
            self.__dict__["required_permission"] = perm
        super().initial(request, *args, **kwargs)

    def page(
        self,
        queryset: models.QuerySet[Any],
        serializer_class: type[serializers.Serializer],  # type: ignore[type-arg]
        **context: Any,
    ) -> Response:
        assert self.pagination_class is not None
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, self.request, self)
        return paginator.get_paginated_response(
            serializer_class(rows, many=True, context=context).data
        )


def created(data: Any, location: str, version: int | None = None) -> Response:
    response = Response(data, status=status.HTTP_201_CREATED, headers={"Location": location})
    if version is not None:
        response["ETag"] = etag(version)
    return response


def with_etag(data: Any, version: int) -> Response:
    return Response(data, headers={"ETag": etag(version)})


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


class ChronologyOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    person_id = serializers.UUIDField()
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
        description="Everything recorded about the person that you may see, newest first "
        "(at most 500 concerns with their addenda, triage decisions and actions). "
        "Every read is written to the audit trail.",
        responses={200: ChronologyOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, person_id: str) -> Response:
        person = access_object(
            self.actor,
            selectors.people_visible_to(self.actor),
            person_id,
            Permission.PERSON_VIEW,
            log_view=True,
        )
        entries = person_chronology(self.actor, person)
        data = ChronologyOutputSerializer({"person_id": person.pk, "entries": entries}).data
        return Response(data)
