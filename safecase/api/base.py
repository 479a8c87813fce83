"""The base for every API view, and what the record endpoints share.

``PolicyApiView`` declares its permission; authentication is DRF's, not the session
middleware's, so the login redirect does not apply (tokens carry no session).
``RecordApiView`` adds JSON bodies, keyset pages and per-method permissions; the helpers below
give every record endpoint the same If-Match handling, error answers and schema descriptions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.contrib.auth.decorators import login_not_required
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecase.access.permissions import Permission
from safecase.api.pagination import KeysetPagination
from safecase.core.errors import Conflict, DomainError, NotPermitted


class PolicyApiView(APIView):
    required_permission: ClassVar[Permission]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        view = super().as_view(**initkwargs)
        view.safecase_permission = cls.required_permission  # read by the guard test
        return login_not_required(view)

    @property
    def actor(self) -> Any:
        return self.request.actor  # type: ignore[attr-defined]


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
def domain_errors(fields: dict[str, str] | None = None, *, stale: bool = True) -> Iterator[None]:
    """An action's field error as a 400 naming the API's field (``fields`` maps the action's
    names to ours); a conflict as 412 (a stale version) or, with ``stale=False`` for records
    that carry no version, as 409. Other errors go to safecase.api.errors."""
    try:
        yield
    except NotPermitted:
        raise
    except Conflict as exc:
        if not stale:
            raise
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
    415: "The body is not in a format this endpoint reads (see its request body).",
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
