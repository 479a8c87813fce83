"""The base for every API view: declares its permission; authentication is DRF's, not the session
middleware's, so the login redirect does not apply (tokens carry no session)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.decorators import login_not_required
from rest_framework.views import APIView

from safecase.access.permissions import Permission


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
