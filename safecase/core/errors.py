"""Domain errors, mapped to HTTP answers in one place (safecase.web.errors, safecase.api.errors)."""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be carried out as asked; the message is safe to show the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(DomainError):  # noqa: N818 - reads as a sentence: "raise NotPermitted"
    """The actor may not do this. Views answer 404 for objects and 403 for organisation actions."""


class Conflict(DomainError):  # noqa: N818 - reads as a sentence: "raise Conflict"
    """The record changed since the actor read it (optimistic locking): HTTP 409/412."""
