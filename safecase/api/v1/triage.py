"""API: the lead's queue and triage, linking names in a concern to person records, and actions
(set by the team, completed by their owner or the lead). Reads start from the concern
selectors; every change is an action."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.accounts.models import User
from safecase.api.base import (
    IF_MATCH,
    RecordApiView,
    created,
    domain_errors,
    error_responses,
    if_match_version,
    list_error_responses,
)
from safecase.api.pagination import KeysetPagination
from safecase.api.v1.concerns import (
    MAX_TEXT,
    ActionOutputSerializer,
    ConcernPersonOutputSerializer,
    ConcernSummaryOutputSerializer,
    TriageOutputSerializer,
    UserRefOutputSerializer,
    visible_concern,
)
from safecase.concerns import actions, selectors
from safecase.concerns.choices import LevelOfNeed, Rag, TriageDecision
from safecase.concerns.models import Concern
from safecase.people.selectors import people_visible_to

# --- Serializers ----------------------------------------------------------------------------


class TriageInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    level_of_need = serializers.ChoiceField(choices=LevelOfNeed.choices)
    rag = serializers.ChoiceField(choices=Rag.choices)
    initial_risk = serializers.CharField(max_length=MAX_TEXT)
    decision = serializers.ChoiceField(choices=TriageDecision.choices)
    rationale = serializers.CharField(
        max_length=MAX_TEXT, help_text="Required: why this decision, on what you know now."
    )
    threshold_considered = serializers.CharField(
        max_length=MAX_TEXT,
        allow_blank=True,
        default="",
        help_text="Required for a decision not to refer (nfa, monitor, early_help).",
    )
    review_on = serializers.DateField(
        allow_null=True,
        default=None,
        help_text="Required, in the future, for a decision not to refer: it returns to the "
        "queue on that day.",
    )


class LinkPersonInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    person = serializers.UUIDField(
        allow_null=True,
        help_text="A person record of the concern's organisation, or null to unlink.",
    )


class ActionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    description = serializers.CharField(max_length=300)
    owner = serializers.UUIDField(help_text="A user who is an active member of your organisation.")
    due_on = serializers.DateField()


class ActionCompleteInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(max_length=300, allow_blank=True, default="")


class TriageCreatedOutputSerializer(TriageOutputSerializer):
    concern_version = serializers.IntegerField(
        source="concern.version", help_text="The concern's new version (its new ETag)."
    )


class QueueItemOutputSerializer(ConcernSummaryOutputSerializer):
    recorded_by = UserRefOutputSerializer()
    overdue = serializers.SerializerMethodField(
        help_text="Submitted longer ago than the triage deadline and still untriaged."
    )

    def get_overdue(self, concern: Concern) -> bool:
        return bool(
            concern.triaged_at is None
            and concern.submitted_at is not None
            and concern.submitted_at < self.context["overdue_before"]
        )


class QueuePagination(KeysetPagination):
    key = ("-is_urgent", "submitted_at", "id")


class DueFirstPagination(KeysetPagination):
    key = ("due_on", "id")


# --- Views: triage --------------------------------------------------------------------------


class TriageQueueApi(RecordApiView):
    required_permission = Permission.CONCERN_TRIAGE
    pagination_class = QueuePagination

    @extend_schema(
        summary="The triage queue",
        description="Untriaged concerns, and decisions not to refer whose review date has come: "
        "urgent first, then oldest first.",
        responses={200: QueueItemOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.page(
            selectors.triage_queue(self.actor),
            QueueItemOutputSerializer,
            overdue_before=selectors.overdue_before(self.actor.organisation_id),
        )


class ConcernTriageApi(RecordApiView):
    required_permission = Permission.CONCERN_TRIAGE

    @extend_schema(
        summary="Triage a concern",
        description="Records the decision with its mandatory rationale. A decision not to refer "
        "needs the threshold considered and a date to look again.",
        request=TriageInputSerializer,
        parameters=[IF_MATCH],
        responses={201: TriageCreatedOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        concern = visible_concern(self.actor, concern_id, Permission.CONCERN_TRIAGE)
        version = if_match_version(request, concern.version)
        serializer = TriageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            triage = actions.concern_triage(
                actor=self.actor, concern=concern, version=version, **serializer.validated_data
            )
        url = reverse("api:concern", kwargs={"concern_id": concern.pk})
        return created(TriageCreatedOutputSerializer(triage).data, url)


class ConcernPersonLinkApi(RecordApiView):
    required_permission = Permission.CONCERN_TRIAGE

    @extend_schema(
        summary="Link a name in a concern to a person record",
        request=LinkPersonInputSerializer,
        responses={200: ConcernPersonOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, concern_id: str, concern_person_id: str) -> Response:
        concern = visible_concern(self.actor, concern_id, Permission.CONCERN_TRIAGE)
        named = access_object(
            self.actor, concern.people.all(), concern_person_id, Permission.CONCERN_TRIAGE
        )
        serializer = LinkPersonInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = None
        person_id = serializer.validated_data["person"]
        if person_id is not None:
            person = people_visible_to(self.actor).filter(pk=person_id).first()
            if person is None:
                raise serializers.ValidationError({"person": ["That person record was not found."]})
        with domain_errors():
            named = actions.concern_link_person(
                actor=self.actor, concern_person=named, person=person
            )
        return Response(ConcernPersonOutputSerializer(named).data)


# --- Views: actions ------------------------------------------------------------------------


class ConcernActionCreateApi(RecordApiView):
    required_permission = Permission.CONCERN_TRIAGE

    @extend_schema(
        summary="Set an action on a concern",
        request=ActionInputSerializer,
        responses={201: ActionOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        concern = visible_concern(self.actor, concern_id, Permission.CONCERN_TRIAGE)
        serializer = ActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Only members of the concern's organisation are offered; the action checks it again.
        owner = User.objects.filter(
            pk=data["owner"],
            memberships__organisation_id=concern.organisation_id,
            memberships__is_active=True,
        ).first()
        if owner is None:
            raise serializers.ValidationError(
                {"owner": ["Choose an active member of your organisation."]}
            )
        with domain_errors():
            action = actions.action_create(
                actor=self.actor,
                concern=concern,
                description=data["description"],
                owner=owner,
                due_on=data["due_on"],
            )
        url = reverse("api:concern", kwargs={"concern_id": concern.pk})
        return created(ActionOutputSerializer(action).data, url)


class ActionCompleteApi(RecordApiView):
    required_permission = Permission.ORG_VIEW

    @extend_schema(
        summary="Mark an action done",
        description="By its owner, or by the safeguarding lead.",
        request=ActionCompleteInputSerializer,
        responses={200: ActionOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, action_id: str) -> Response:
        action = access_object(
            self.actor,
            selectors.actions_completable_by(self.actor).select_related("owner"),
            action_id,
            Permission.ORG_VIEW,
        )
        serializer = ActionCompleteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            action = actions.action_complete(
                actor=self.actor, action=action, **serializer.validated_data
            )
        return Response(ActionOutputSerializer(action).data)


class MyActionListApi(RecordApiView):
    required_permission = Permission.ORG_VIEW
    pagination_class = DueFirstPagination

    @extend_schema(
        summary="Your open actions",
        description="Soonest due first.",
        responses={200: ActionOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.page(
            selectors.actions_of(self.actor).select_related("owner"), ActionOutputSerializer
        )
