"""API: recording concerns (drafts, submission, addenda), reading them, and the category list;
the serializers describing a concern, which the triage and attachment modules reuse. Reads start
from the concern selectors; every change is an action."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.api.base import (
    IF_MATCH,
    RecordApiView,
    created,
    domain_errors,
    enum_field,
    error_responses,
    etag_header,
    if_match_version,
    list_error_responses,
    with_etag,
)
from safecase.api.pagination import KeysetPagination
from safecase.concerns import actions, selectors
from safecase.concerns.body_map import MAX_MARKS, REGIONS
from safecase.concerns.choices import (
    ActionStatus,
    BodySide,
    ConcernKind,
    ConcernStatus,
    LevelOfNeed,
    PersonRole,
    Rag,
    TriageDecision,
)
from safecase.concerns.models import Addendum, Concern, ConcernAction, Triage
from safecase.core.actors import Actor

MAX_TEXT = 20_000
# The action's names for fields that the API calls something else.
_DRAFT_FIELDS = {"categories": "category_codes", "body_map": "body_marks"}

ConcernKindField = enum_field(ConcernKind, "ConcernKindEnum")
ConcernStatusField = enum_field(ConcernStatus, "ConcernStatusEnum")
ActionStatusField = enum_field(ActionStatus, "ActionStatusEnum")

# --- Serializers: input ---------------------------------------------------------------------


class NamedPersonInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=200, help_text="Full name, as you know it.")
    details = serializers.CharField(
        max_length=200, allow_blank=True, default="", help_text="e.g. class, team or date of birth"
    )
    role = serializers.ChoiceField(choices=PersonRole.choices, default=PersonRole.SUBJECT)


class BodyMarkInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    side = serializers.ChoiceField(choices=BodySide.choices)
    region = serializers.ChoiceField(
        choices=[(code, label) for code, (label, _, _) in REGIONS.items()]
    )
    description = serializers.CharField(
        max_length=300, help_text="What you saw: size, colour, shape."
    )


def _text(help_text: str) -> serializers.CharField:
    return serializers.CharField(
        allow_blank=True, default="", max_length=MAX_TEXT, help_text=help_text
    )


class ConcernDraftInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A draft's content. Creating sends what is known so far; a PATCH sends only what changes
    (a list sent replaces the whole list)."""

    kind = ConcernKindField(default=ConcernKind.CHILD)
    recorder_role = serializers.CharField(
        max_length=120, allow_blank=True, default="", help_text="Your role, as you would sign."
    )
    is_urgent = serializers.BooleanField(
        default=False, help_text="On submission the safeguarding leads are told at once."
    )
    happened_at = serializers.DateTimeField(
        allow_null=True, default=None, help_text="When it happened (not when you write it)."
    )
    happened_at_approximate = serializers.BooleanField(default=False)
    location = serializers.CharField(max_length=200, allow_blank=True, default="")
    category_codes = serializers.ListField(
        child=serializers.SlugField(max_length=40),
        default=list,
        max_length=40,
        help_text="Codes from GET /api/v1/categories.",
    )
    people = serializers.ListField(
        child=NamedPersonInputSerializer(), default=list, max_length=actions.MAX_PEOPLE
    )
    body_marks = serializers.ListField(
        child=BodyMarkInputSerializer(), default=list, max_length=MAX_MARKS
    )
    fact = _text("What you saw or heard: facts only.")
    own_words = _text("Their own words, exactly as said.")
    opinion = _text(
        "Your opinion, kept apart from fact and labelled as opinion wherever it is shown."
    )
    immediate_actions = _text("What you did straight away.")
    others_informed = _text("Who else you told.")


class AddendumInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=300, help_text="Why you are adding this.")
    text = serializers.CharField(max_length=MAX_TEXT, help_text="What you add or correct.")


# --- Serializers: output --------------------------------------------------------------------


class UserRefOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    full_name = serializers.CharField()


class CategoryOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.SlugField()
    # The serializer's metaclass takes declared fields off the class, so this does not replace
    # Field.label at run time; the stubs cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]


class ConcernPersonOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    name = serializers.CharField(source="name_as_recorded", help_text="As the recorder wrote it.")
    details = serializers.CharField(source="details_as_recorded")
    role = serializers.ChoiceField(choices=PersonRole.choices)
    person_id = serializers.UUIDField(
        allow_null=True, help_text="The person record this name was linked to by the team."
    )


class BodyMarkOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    side = serializers.ChoiceField(choices=BodySide.choices)
    region = serializers.CharField()
    description = serializers.CharField()


class AddendumOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    author = UserRefOutputSerializer()
    reason = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class TriageOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    triaged_by = UserRefOutputSerializer()
    level_of_need = serializers.ChoiceField(choices=LevelOfNeed.choices)
    rag = serializers.ChoiceField(choices=Rag.choices)
    initial_risk = serializers.CharField()
    decision = serializers.ChoiceField(choices=TriageDecision.choices)
    rationale = serializers.CharField()
    threshold_considered = serializers.CharField()
    review_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()


class ActionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    concern_id = serializers.UUIDField()
    description = serializers.CharField()
    owner = UserRefOutputSerializer()
    due_on = serializers.DateField()
    status = ActionStatusField()
    completed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class ConcernSummaryOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    kind = ConcernKindField()
    status = ConcernStatusField()
    is_urgent = serializers.BooleanField()
    happened_at = serializers.DateTimeField(allow_null=True)
    happened_at_approximate = serializers.BooleanField()
    location = serializers.CharField()
    categories = CategoryOutputSerializer(many=True)
    people = ConcernPersonOutputSerializer(many=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    triaged_at = serializers.DateTimeField(allow_null=True)
    review_due_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField(help_text="Also sent as the ETag header of the concern.")
    created_at = serializers.DateTimeField()


class ConcernDetailOutputSerializer(ConcernSummaryOutputSerializer):
    recorded_by = UserRefOutputSerializer()
    recorder_role = serializers.CharField()
    fact = serializers.CharField(help_text="What the recorder saw or heard: fact.")
    own_words = serializers.CharField(help_text="The person's own words, verbatim.")
    opinion = serializers.CharField(
        help_text="OPINION, not fact: the recorder's own view, kept apart from what they saw "
        "or heard. Show it labelled as opinion wherever it is displayed."
    )
    immediate_actions = serializers.CharField()
    others_informed = serializers.CharField()
    body_map = BodyMarkOutputSerializer(many=True)
    addenda = AddendumOutputSerializer(many=True)
    triages = TriageOutputSerializer(many=True, help_text="Newest first.")
    actions = ActionOutputSerializer(many=True)
    updated_at = serializers.DateTimeField()


# --- Reading --------------------------------------------------------------------------------


def _readable(actor: Actor) -> QuerySet[Concern]:
    """Concerns the actor may read in full: submitted ones they may see, and their own drafts."""
    return selectors.with_details(
        selectors.drafts_of(actor) | selectors.concerns_visible_to(actor)
    ).prefetch_related(
        Prefetch(
            "addenda", queryset=Addendum.objects.select_related("author").order_by("created_at")
        ),
        Prefetch(
            "triages", queryset=Triage.objects.select_related("triaged_by").order_by("-created_at")
        ),
        Prefetch(
            "actions",
            queryset=ConcernAction.objects.select_related("owner").order_by("due_on", "created_at"),
        ),
    )


def _concern_response(actor: Actor, concern: Concern, *, new: bool = False) -> Response:
    concern = _readable(actor).get(pk=concern.pk)
    data = ConcernDetailOutputSerializer(concern).data
    if new:
        url = reverse("api:concern", kwargs={"concern_id": concern.pk})
        return created(data, url, concern.version)
    return with_etag(data, concern.version)


def visible_concern(actor: Actor, concern_id: str, perm: Permission) -> Concern:
    return access_object(actor, selectors.concerns_visible_to(actor), concern_id, perm)


class NewestFirstPagination(KeysetPagination):
    key = ("-created_at", "id")


class CategoryPagination(KeysetPagination):
    key = ("position", "label", "id")


# --- Views: recording -----------------------------------------------------------------------


class ConcernCreateApi(RecordApiView):
    required_permission = Permission.CONCERN_RECORD

    @extend_schema(
        summary="Start a concern (a draft)",
        description="Only you see a draft until you submit it.",
        request=ConcernDraftInputSerializer,
        parameters=[etag_header(201)],
        responses={201: ConcernDetailOutputSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        serializer = ConcernDraftInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors(_DRAFT_FIELDS):
            concern = actions.concern_save_draft(
                actor=self.actor, concern=None, version=None, **serializer.validated_data
            )
        return _concern_response(self.actor, concern, new=True)


def _draft_fields(concern: Concern) -> dict[str, Any]:
    """A draft's current content in the action's terms, for a PATCH to change part of it."""
    return {
        "kind": concern.kind,
        "recorder_role": concern.recorder_role,
        "is_urgent": concern.is_urgent,
        "happened_at": concern.happened_at,
        "happened_at_approximate": concern.happened_at_approximate,
        "location": concern.location,
        "category_codes": [c.code for c in concern.categories.all()],
        "people": [
            {"name": p.name_as_recorded, "details": p.details_as_recorded, "role": p.role}
            for p in concern.people.all()
        ],
        "body_marks": list(concern.body_map),
        **{name: getattr(concern, name) for name in actions.TEXT_FIELDS},
    }


class ConcernApi(RecordApiView):
    required_permission = Permission.CONCERN_VIEW_OWN
    method_permissions = {"PATCH": Permission.CONCERN_RECORD}

    @extend_schema(
        summary="A concern",
        description="A submitted concern you may see, or your own draft. Every read is "
        "written to the audit trail. `opinion` is the recorder's opinion, not fact.",
        parameters=[etag_header()],
        responses={200: ConcernDetailOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, concern_id: str) -> Response:
        concern = access_object(
            self.actor,
            _readable(self.actor),
            concern_id,
            Permission.CONCERN_VIEW_OWN,
            log_view=True,
        )
        return with_etag(ConcernDetailOutputSerializer(concern).data, concern.version)

    @extend_schema(
        summary="Change your draft",
        description="Send only what changes, with If-Match holding the ETag you read. "
        "A submitted concern never changes: add an addendum instead.",
        request=ConcernDraftInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: ConcernDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request: Request, concern_id: str) -> Response:
        concern = access_object(
            self.actor,
            selectors.with_details(selectors.drafts_of(self.actor)),
            concern_id,
            Permission.CONCERN_RECORD,
        )
        version = if_match_version(request, concern.version)
        serializer = ConcernDraftInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = {**_draft_fields(concern), **serializer.validated_data}
        with domain_errors(_DRAFT_FIELDS):
            concern = actions.concern_save_draft(
                actor=self.actor, concern=concern, version=version, **fields
            )
        return _concern_response(self.actor, concern)


class ConcernSubmitApi(RecordApiView):
    required_permission = Permission.CONCERN_RECORD

    @extend_schema(
        summary="Submit your draft to the safeguarding lead",
        description="From now on it never changes. An urgent concern tells the leads at once.",
        request=None,
        parameters=[IF_MATCH, etag_header()],
        responses={200: ConcernDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        concern = access_object(
            self.actor, selectors.drafts_of(self.actor), concern_id, Permission.CONCERN_RECORD
        )
        version = if_match_version(request, concern.version)
        with domain_errors():
            concern = actions.concern_submit(actor=self.actor, concern=concern, version=version)
        return _concern_response(self.actor, concern)


class MyConcernListApi(RecordApiView):
    required_permission = Permission.CONCERN_RECORD
    pagination_class = NewestFirstPagination

    @extend_schema(
        summary="Concerns you recorded",
        description="Your drafts and your submitted concerns, newest first.",
        responses={200: ConcernSummaryOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.page(selectors.my_concerns(self.actor), ConcernSummaryOutputSerializer)


class ConcernAddendumCreateApi(RecordApiView):
    required_permission = Permission.CONCERN_RECORD

    @extend_schema(
        summary="Add an addendum to a submitted concern",
        description="Corrects or adds to the record with a reason; the original stays as it was.",
        request=AddendumInputSerializer,
        responses={201: AddendumOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, concern_id: str) -> Response:
        concern = visible_concern(self.actor, concern_id, Permission.CONCERN_VIEW_OWN)
        serializer = AddendumInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            addendum = actions.concern_add_addendum(
                actor=self.actor, concern=concern, **serializer.validated_data
            )
        url = reverse("api:concern", kwargs={"concern_id": concern.pk})
        return created(AddendumOutputSerializer(addendum).data, url)


# --- Views: categories ----------------------------------------------------------------------


class CategoryListApi(RecordApiView):
    required_permission = Permission.CONCERN_RECORD
    pagination_class = CategoryPagination

    @extend_schema(
        summary="Concern categories",
        description="The codes to send as `category_codes` when recording a concern.",
        responses={200: CategoryOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.page(selectors.categories_for(self.actor), CategoryOutputSerializer)
