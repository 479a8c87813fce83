"""Pagination for the API lists: never a COUNT(*).

``KeysetPagination`` (the record endpoints) compares a whole key, so every page costs the same;
``CursorPagination`` (DRF's, one ordering field) serves the small account lists.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, models
from rest_framework import exceptions, serializers
from rest_framework.pagination import BasePagination
from rest_framework.pagination import CursorPagination as DrfCursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from safecase.core.pagination import keyset_page


class CursorPagination(DrfCursorPagination):
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-created_at"


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
            page = keyset_page(
                queryset,
                key=self.key,
                cursor=cursor,
                size=self._size(request),
                refuse_bad_values=True,
            )
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
