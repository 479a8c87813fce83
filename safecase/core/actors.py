"""The Actor: who is doing something, in which organisation, in which roles, from where.

Every action and selector takes an Actor as its first keyword argument. It is built once per
request (``safecase.accounts.middleware.ActorMiddleware``) or per API token, and for commands
and tasks by ``Actor.system``. Roles are read from the database on every request, so revoking a
role takes effect at the next request (security bar Z6).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from safecase.accounts.models import Organisation, User


@dataclass(frozen=True)
class Actor:
    user: User | None
    organisation: Organisation | None
    roles: frozenset[str] = field(default_factory=frozenset)
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ip: str | None = None
    channel: str = "web"  # web, api, command, task
    system_label: str = ""
    # Answers worth reusing while this actor acts (one request, one task): e.g. the ids shared
    # into the organisation, read by every selector of a page (access.scoping). Never compared.
    memo: dict[object, object] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def system(cls, label: str, organisation: Organisation | None = None) -> Actor:
        """An actor for management commands and background tasks (no user, no roles)."""
        return cls(user=None, organisation=organisation, channel="command", system_label=label)

    @property
    def is_system(self) -> bool:
        return self.user is None and bool(self.system_label)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def organisation_id(self) -> uuid.UUID | None:
        return self.organisation.pk if self.organisation is not None else None

    @property
    def label(self) -> str:
        if self.user is not None:
            return f"{self.user.full_name} <{self.user.email}>"
        return f"system:{self.system_label}" if self.system_label else "anonymous"
