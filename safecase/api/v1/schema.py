"""The OpenAPI schema and its docs page, served locally, for signed-in users only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from safecase.access.drf import DenyUndeclared
from safecase.access.permissions import Permission


class SchemaApi(SpectacularAPIView):
    required_permission = Permission.ACCOUNT_SELF
    permission_classes = [DenyUndeclared]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        view = super().as_view(**initkwargs)
        view.safecase_permission = cls.required_permission
        return login_not_required(view)


class SchemaDocs(SpectacularSwaggerSplitView):
    required_permission = Permission.ACCOUNT_SELF
    permission_classes = [DenyUndeclared]
    url_name = "api:schema"
    template_name = "api/swagger_ui.html"

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        view = super().as_view(**initkwargs)
        view.safecase_permission = cls.required_permission
        return login_not_required(view)
