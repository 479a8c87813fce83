"""Finding views that declare no permission (used by test_every_view_is_guarded)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver


def iter_views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def is_guarded(view: Any) -> bool:
    return bool(getattr(view, "safecase_permission", None)) or bool(
        getattr(view, "safecase_public", False)
    )


def unguarded_routes(patterns: list[Any]) -> list[str]:
    return [route for route, view in iter_views(patterns) if not is_guarded(view)]
