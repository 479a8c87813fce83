"""API: pattern alerts (several concerns joined into a picture) for the safeguarding lead: the
open ones, each with only the concerns the reader may see, and the lead's review.

An alert carries no version (see concerns.models.PatternAlert), so a review takes no If-Match:
it happens once, and a second review answers 409 from the action's own check.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.api.base import (
    RecordApiView,
    domain_errors,
    enum_field,
    error_responses,
    list_error_responses,
)
from safecase.api.pagination import KeysetPagination
from safecase.api.v1.concerns import MAX_TEXT, ConcernKindField, UserRefOutputSerializer
from safecase.concerns import actions, patterns, selectors
from safecase.concerns.models import PatternAlert, PatternKind
from safecase.core.actors import Actor

PatternKindField = enum_field(PatternKind, "PatternKindEnum")


def alerts_visible_to(actor: Actor) -> QuerySet[PatternAlert]:
    """The organisation's alerts (open or reviewed) holding at least one concern the actor may
    see, each carrying only those concerns as ``visible_concerns``: the rule of
    concerns.selectors.open_alerts, as a queryset so that it pages like every other list."""
    if not can(actor, Permission.CONCERN_TRIAGE):
        return PatternAlert.objects.none()
    visible = selectors.concerns_visible_to(actor)
    links = PatternAlert.concerns.through.objects.filter(
        patternalert_id=OuterRef("pk"), concern_id__in=visible.values("pk")
    )
    return (
        PatternAlert.objects.filter(Exists(links), organisation=actor.organisation)
        .select_related("reviewed_by")
        .prefetch_related(
            Prefetch(
                "concerns",
                # People and decisions word the summary (concerns.patterns.summary_for).
                queryset=visible.order_by("submitted_at", "id").prefetch_related(
                    "people", "triages"
                ),
                to_attr="visible_concerns",
            )
        )
    )


# --- Serializers ----------------------------------------------------------------------------


class AlertConcernOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    kind = ConcernKindField()
    is_urgent = serializers.BooleanField()
    happened_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)


class AlertOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    kind = PatternKindField()
    summary = serializers.SerializerMethodField(
        help_text="What was found, e.g. 3 concerns about a child, counted from the concerns "
        "behind it that you may see."
    )
    concerns = AlertConcernOutputSerializer(
        source="visible_concerns",
        many=True,
        help_text="The concerns behind the alert that you may see, oldest first.",
    )
    created_at = serializers.DateTimeField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = UserRefOutputSerializer(allow_null=True)
    review_note = serializers.CharField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_summary(self, alert: PatternAlert) -> str:
        # Never the stored summary: it counts concerns the reader may not see.
        return patterns.summary_for(alert, alert.visible_concerns)


class AlertReviewInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(
        max_length=MAX_TEXT,
        help_text="Required, at least 10 characters: what you made of the pattern and what "
        "you will do.",
    )


class NewestFirstPagination(KeysetPagination):
    key = ("-created_at", "id")


# --- Views ----------------------------------------------------------------------------------


class AlertListApi(RecordApiView):
    required_permission = Permission.CONCERN_TRIAGE
    pagination_class = NewestFirstPagination

    @extend_schema(
        summary="Open pattern alerts",
        description="Alerts waiting for review, newest first, each with the concerns behind "
        "it that you may see. An alert made only of concerns you may not see is not listed.",
        responses={200: AlertOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        open_alerts = alerts_visible_to(self.actor).filter(reviewed_at__isnull=True)
        return self.page(open_alerts, AlertOutputSerializer)


class AlertReviewApi(RecordApiView):
    required_permission = Permission.CONCERN_TRIAGE

    @extend_schema(
        summary="Review a pattern alert",
        description="Records what you made of the alert; it leaves the open list. An alert has "
        "no version, so no If-Match: it is reviewed once, and a second review answers 409.",
        request=AlertReviewInputSerializer,
        responses={200: AlertOutputSerializer, **error_responses(400, 404, 409)},
    )
    def post(self, request: Request, alert_id: str) -> Response:
        alert = access_object(
            self.actor, alerts_visible_to(self.actor), alert_id, Permission.CONCERN_TRIAGE
        )
        serializer = AlertReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors(stale=False):
            actions.pattern_alert_review(
                actor=self.actor, alert=alert, note=serializer.validated_data["note"]
            )
        alert = alerts_visible_to(self.actor).get(pk=alert.pk)
        return Response(AlertOutputSerializer(alert).data)
