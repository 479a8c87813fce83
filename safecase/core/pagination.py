"""Keyset pagination: a page costs the same at row ten and at row ten million (no COUNT(*))."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)

PAGE_SIZE = 50


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def keyset_page(
    queryset: models.QuerySet[M],
    *,
    key: str,
    cursor: str | None,
    descending: bool = False,
    size: int = PAGE_SIZE,
    parse: Any = str,
) -> KeysetPage[M]:
    """One page ordered by a unique ``key``, starting after ``cursor`` (the last key seen).

    A malformed cursor starts from the beginning rather than failing.
    """
    ordered = queryset.order_by(f"-{key}" if descending else key)
    if cursor:
        try:
            value = parse(cursor)
        except (TypeError, ValueError):
            value = None
        if value is not None:
            ordered = ordered.filter(**{f"{key}__{'lt' if descending else 'gt'}": value})
    rows = list(ordered[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last: Any = rows[-1]
        for part in key.split("__"):
            last = getattr(last, part)
        next_cursor = str(last)
    return KeysetPage(items=rows, next_cursor=next_cursor)
