"""Keyset pagination: a page costs the same at row ten and at row ten million (no COUNT(*))."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

# The page holds whatever the queryset yields: model instances, or .values() dicts.
T = TypeVar("T")

PAGE_SIZE = 50


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    items: list[T]
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _value_of(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):  # a .values() row
        return obj[key]
    for part in key.split("__"):
        obj = getattr(obj, part)
    return obj


def _encode(values: list[Any]) -> str:
    raw = json.dumps([str(v) for v in values]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, count: int) -> list[str] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != count:
        return None
    if not all(isinstance(v, str) for v in values):
        return None
    return values


def _field(model: type[models.Model], path: str) -> Any:
    field: Any = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        if field.related_model is not None and part != path.split("__")[-1]:
            model = field.related_model
    return field


def _typed(model: type[models.Model], fields: list[str], values: list[Any]) -> list[Any] | None:
    """The cursor's values as the key fields' types, or None when one is not a value of its
    field (a tampered or stale cursor): the page then starts from the beginning, rather than
    the database refusing the value mid-request."""
    typed = []
    try:
        for path, value in zip(fields, values, strict=True):
            converted = _field(model, path).to_python(value)
            if isinstance(converted, datetime):
                if timezone.is_naive(converted):
                    return None
                converted.astimezone(UTC)  # year 1 in a zone east of UTC cannot be stored
            typed.append(converted)
    except (ValidationError, ValueError, TypeError, OverflowError, LookupError):
        return None
    return typed


def keyset_page(
    queryset: models.QuerySet[Any, T],
    *,
    key: str | tuple[str, ...],
    cursor: str | None,
    descending: bool = False,
    size: int = PAGE_SIZE,
    parse: Callable[[str], Any] = str,
    refuse_bad_values: bool = False,
    late: Callable[[models.QuerySet[Any, Any]], models.QuerySet[Any, T]] | None = None,
) -> KeysetPage[T]:
    """One page ordered by ``key`` (a unique field, or a tuple ending in a unique field),
    starting after ``cursor`` (opaque for tuples, the plain last value for a single key).

    A malformed cursor starts from the beginning rather than failing; so does one whose values
    do not fit the key's fields, unless ``refuse_bad_values`` (the API answers it with 404).

    ``late`` adds what the rows need beyond the key (costly annotations, ``values()``) once the
    page's rows are chosen: a database that sorts the candidates computes every selected column
    for each of them first (SQLite does), so correlated subqueries would run for every waiting
    row, not for the page's 51. The rows are then chosen by the key alone, in a subquery;
    ``late``'s rows must still carry the key's fields (the next cursor is read from them).
    """
    keys = (key,) if isinstance(key, str) else key
    # A key may carry its own direction ("-is_urgent"); ``descending`` flips every key.
    fields = [k.lstrip("-") for k in keys]
    down = [k.startswith("-") != descending for k in keys]
    order = [f"-{f}" if d else f for f, d in zip(fields, down, strict=True)]
    ordered = queryset.order_by(*order)
    if cursor:
        if len(keys) == 1:
            try:
                values: list[Any] | None = [parse(cursor)]
            except (TypeError, ValueError):
                values = None
        else:
            values = _decode(cursor, len(keys))
        if values is not None:
            decoded, values = values, _typed(queryset.model, fields, values)
            if values is None and refuse_bad_values:
                raise ValueError(f"cursor values {decoded!r} do not fit the key {fields!r}")
        if values is not None:
            # (a > x) or (a = x and b > y) or (a = x and b = y and c > z) ...
            clauses = []
            for i, f in enumerate(fields):
                equal = {fields[j]: values[j] for j in range(i)}
                op = "lt" if down[i] else "gt"
                clauses.append(models.Q(**equal, **{f"{f}__{op}": values[i]}))
            ordered = ordered.filter(reduce(lambda a, b: a | b, clauses))
    if late is None:
        rows = list(ordered[: size + 1])
    else:
        chosen = ordered.values("pk")[: size + 1]
        rows = list(late(queryset.model._base_manager.filter(pk__in=chosen)).order_by(*order))
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = [_value_of(rows[-1], f) for f in fields]
        next_cursor = str(last[0]) if len(keys) == 1 else _encode(last)
    return KeysetPage(items=rows, next_cursor=next_cursor)
