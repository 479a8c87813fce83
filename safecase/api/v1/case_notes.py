"""API: Case notes and supervision (issue 4), under /api/v1/cases/<case_id>/ and, for the
schedules, /api/v1/cases/supervision/.

The same selectors and actions as the pages: reads start from cases_visible_to and the note's
own visibility (a note the reader may not see is 404, like a missing one, and never listed);
an edit needs If-Match with the note's ETag (its version): missing 428, stale 412; an edit
after the 24 hours is 409, pointing to an addendum."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import User
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
from safecase.cases import selectors as case_selectors
from safecase.cases.models import Case
from safecase.cases.notes import actions, selectors
from safecase.cases.notes.choices import NoteKind, NoteVisibility
from safecase.cases.notes.lookups import note_or_404
from safecase.cases.notes.models import (
    EDIT_WINDOW_HOURS,
    CaseNote,
    SupervisionRecord,
    SupervisionSchedule,
)
from safecase.core.actors import Actor

NoteKindField = enum_field(NoteKind, "CaseNoteKindEnum")
NoteVisibilityField = enum_field(NoteVisibility, "CaseNoteVisibilityEnum")

# --- Serializers ----------------------------------------------------------------------------


class NoteAddendumOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    author = serializers.UUIDField(source="author_id")
    author_name = serializers.CharField(source="author.full_name")
    reason = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class RevisionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.IntegerField(help_text="The note's version this text was.")
    edited_by = serializers.UUIDField(source="edited_by_id")
    edited_at = serializers.DateTimeField(source="created_at")
    kind = NoteKindField()
    fact = serializers.CharField()
    opinion = serializers.CharField()
    occurred_at = serializers.DateTimeField()


class NoteOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    kind = NoteKindField()
    visibility = NoteVisibilityField()
    named_people = serializers.SerializerMethodField(
        help_text="For a note restricted to named people: who, besides its author."
    )
    fact = serializers.CharField()
    opinion = serializers.CharField(help_text="The author's opinion, not established fact.")
    occurred_at = serializers.DateTimeField()
    author = serializers.UUIDField(source="author_id")
    author_name = serializers.CharField(source="author.full_name")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    editable_until = serializers.SerializerMethodField(
        help_text="Its author may edit it until then; after, only addenda."
    )
    version = serializers.IntegerField(help_text="Also sent as the ETag header of the note.")
    addenda = NoteAddendumOutputSerializer(many=True)
    revisions = RevisionOutputSerializer(many=True, help_text="Earlier text, newest first.")

    def get_named_people(self, note: CaseNote) -> list[str]:
        return [str(r.user_id) for r in note.readers.all()]

    def get_editable_until(self, note: CaseNote) -> str:
        return (note.created_at + timedelta(hours=EDIT_WINDOW_HOURS)).isoformat()


class NoteInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = NoteKindField()
    visibility = NoteVisibilityField()
    fact = serializers.CharField(max_length=actions.TEXT_LIMIT)
    opinion = serializers.CharField(max_length=actions.TEXT_LIMIT, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(help_text="Not in the future.")
    named_people = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=50,
        help_text="For `visibility=named`: members who may read it (each must see the case).",
    )


class NoteEditInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = NoteKindField()
    fact = serializers.CharField(max_length=actions.TEXT_LIMIT)
    opinion = serializers.CharField(max_length=actions.TEXT_LIMIT, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField()


class NoteAddendumInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=actions.TEXT_LIMIT)


class SupervisionActionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(max_length=500)
    owner = serializers.UUIDField(required=False, allow_null=True, default=None, source="owner_id")
    due_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="With an owner, and only then."
    )


class SupervisionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    supervisor = serializers.UUIDField(source="supervisor_id")
    supervisee = serializers.UUIDField(source="supervisee_id")
    held_at = serializers.DateTimeField()
    discussion = serializers.CharField()
    decisions = serializers.CharField()
    actions = SupervisionActionSerializer(many=True)
    next_session_on = serializers.DateField(allow_null=True)


class SupervisionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    supervisee = serializers.UUIDField()
    held_at = serializers.DateTimeField()
    discussion = serializers.CharField(max_length=actions.TEXT_LIMIT)
    decisions = serializers.CharField(max_length=actions.TEXT_LIMIT, allow_blank=True, default="")
    actions = SupervisionActionSerializer(many=True, required=False, default=list)
    next_session_on = serializers.DateField(required=False, allow_null=True, default=None)


class PeriodSerializer(serializers.Serializer):  # type: ignore[type-arg]
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class ScheduleStatusOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    worker = serializers.UUIDField(source="worker_id")
    name = serializers.CharField()
    schedule = serializers.UUIDField(source="schedule.pk", allow_null=True, default=None)
    every_weeks = serializers.IntegerField(
        source="schedule.every_weeks", allow_null=True, default=None
    )
    starts_on = serializers.DateField(source="schedule.starts_on", allow_null=True, default=None)
    version = serializers.IntegerField(source="schedule.version", allow_null=True, default=None)
    last_session = serializers.DateField(allow_null=True)
    next_due = serializers.DateField(allow_null=True)
    missed = PeriodSerializer(many=True, help_text="Periods that ended with no session.")
    open_cases = serializers.IntegerField(
        allow_null=True, help_text="Counted from the cases you may see."
    )


class ScheduleInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    worker = serializers.UUIDField()
    every_weeks = serializers.IntegerField(min_value=1, max_value=actions.MAX_WEEKS)
    starts_on = serializers.DateField()


class ScheduleChangeInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    every_weeks = serializers.IntegerField(min_value=1, max_value=actions.MAX_WEEKS)
    starts_on = serializers.DateField()


class NotesPagination(KeysetPagination):
    key = ("-occurred_at", "-id")


class EditWindowClosedError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "edit_window_closed"


# --- Helpers --------------------------------------------------------------------------------


def _case(actor: Actor, case_id: str, perm: Permission, *, own: bool = False) -> Case:
    cases = case_selectors.cases_visible_to(actor).select_related("case_type", "organisation")
    if own:
        cases = cases.filter(organisation=actor.organisation)
    return access_object(actor, cases, case_id, perm)


def _require_writer(actor: Actor) -> None:
    if not (can(actor, Permission.CASE_MANAGE) or can(actor, Permission.CASE_SUPERVISE)):
        raise exceptions.PermissionDenied("Your role does not allow writing notes on a case.")


def _note(actor: Actor, case: Case, note_id: str) -> CaseNote:
    return note_or_404(actor, case, note_id)


def _note_response(actor: Actor, case: Case, note_id: Any, *, new: bool = False) -> Response:
    note = _note(actor, case, str(note_id))
    data = NoteOutputSerializer(note).data
    if new:
        url = reverse("api:case_note", kwargs={"case_id": case.pk, "note_id": note.pk})
        return created(data, url, note.version)
    return with_etag(data, note.version)


def _member(actor: Actor, user_id: Any, field: str) -> User:
    user = User.objects.filter(
        pk=user_id, memberships__organisation=actor.organisation, memberships__is_active=True
    ).first()
    if user is None:
        raise serializers.ValidationError(
            {field: ["Choose an active member of your organisation."]}
        )
    return user


# --- Views ----------------------------------------------------------------------------------


class CaseNoteListCreateApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    pagination_class = NotesPagination

    @extend_schema(
        summary="A case's notes",
        description="The notes you may read, newest first (by when they happened); `kind` to "
        "filter. Notes restricted to others are neither listed nor counted.",
        responses={200: NoteOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW)
        notes = selectors.notes_visible_to(self.actor).filter(case_id=case.pk)
        kind = request.query_params.get("kind", "")
        if kind in NoteKind.values:
            notes = notes.filter(kind=kind)
        return self.page(selectors.with_details(notes), NoteOutputSerializer)

    @extend_schema(
        summary="Write a note on a case",
        description="Facts and opinion apart; who may read it is fixed now. Its author may "
        "edit it for 24 hours.",
        request=NoteInputSerializer,
        parameters=[etag_header(201)],
        responses={201: NoteOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        _require_writer(self.actor)
        case = _case(self.actor, case_id, Permission.CASE_VIEW, own=True)
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        wanted = set(data.pop("named_people"))
        named = list(
            User.objects.filter(
                pk__in=wanted,
                memberships__organisation=self.actor.organisation,
                memberships__is_active=True,
            )
        )
        if len(named) != len(wanted):
            raise serializers.ValidationError(
                {"named_people": ["Name active members of your organisation only."]}
            )
        with domain_errors():
            note = actions.note_add(actor=self.actor, case=case, named_people=named, **data)
        return _note_response(self.actor, case, note.pk, new=True)


class CaseNoteApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="A case note",
        parameters=[etag_header()],
        responses={200: NoteOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, case_id: str, note_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW)
        return _note_response(self.actor, case, note_id)

    @extend_schema(
        summary="Edit a case note",
        description="By its author, within 24 hours of writing it; the earlier text is kept. "
        "After the 24 hours: 409, add an addendum instead.",
        request=NoteEditInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: NoteOutputSerializer, **error_responses(400, 404, 409, 412, 428)},
    )
    def patch(self, request: Request, case_id: str, note_id: str) -> Response:
        _require_writer(self.actor)
        case = _case(self.actor, case_id, Permission.CASE_VIEW, own=True)
        note = _note(self.actor, case, note_id)
        version = if_match_version(request, note.version)
        serializer = NoteEditInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with domain_errors():
                actions.note_edit(
                    actor=self.actor, note=note, version=version, **serializer.validated_data
                )
        except actions.EditWindowClosedError as exc:
            raise EditWindowClosedError(exc.message) from exc
        return _note_response(self.actor, case, note.pk)


class CaseNoteAddendumApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="Add an addendum to a case note",
        description="At any time, with the reason; the note stays as it was.",
        request=NoteAddendumInputSerializer,
        responses={201: NoteOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str, note_id: str) -> Response:
        _require_writer(self.actor)
        case = _case(self.actor, case_id, Permission.CASE_VIEW, own=True)
        note = _note(self.actor, case, note_id)
        serializer = NoteAddendumInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.note_add_addendum(actor=self.actor, note=note, **serializer.validated_data)
        response = _note_response(self.actor, case, note.pk)
        response.status_code = status.HTTP_201_CREATED
        return response


def _supervision_data(record: SupervisionRecord) -> Any:
    return SupervisionOutputSerializer(record).data


class CaseSupervisionApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"POST": Permission.CASE_SUPERVISE}

    @extend_schema(
        summary="Supervision on a case",
        description="Records you may read: as a supervisor, the supervisee, or on the case's "
        "team. Newest first.",
        responses={200: SupervisionOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW)
        records = selectors.case_supervisions(self.actor, case)
        return Response(SupervisionOutputSerializer(records, many=True).data)

    @extend_schema(
        summary="Record supervision on a case",
        description="You are the supervisor. An action is its text alone, or its text with "
        "an owner and a due date.",
        request=SupervisionInputSerializer,
        responses={201: SupervisionOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_SUPERVISE, own=True)
        serializer = SupervisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        supervisee = _member(self.actor, data.pop("supervisee"), "supervisee")
        rows = []
        for item in data.pop("actions"):
            owner = item.get("owner_id")
            rows.append(
                {
                    "text": item["text"],
                    "owner": _member(self.actor, owner, "actions") if owner else None,
                    "due_on": item.get("due_on"),
                }
            )
        with domain_errors():
            record = actions.supervision_record(
                actor=self.actor, case=case, supervisee=supervisee, actions=rows, **data
            )
        return Response(_supervision_data(record), status=status.HTTP_201_CREATED)


class ScheduleListCreateApi(RecordApiView):
    required_permission = Permission.CASE_SUPERVISE

    @extend_schema(
        summary="Supervision schedules",
        description="Every worker with a schedule or an open case: last session, next due, "
        "missed sessions, open cases (counted from the cases you may see).",
        responses={200: ScheduleStatusOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        rows = selectors.supervision_overview(self.actor)
        return Response(ScheduleStatusOutputSerializer(rows, many=True).data)

    @extend_schema(
        summary="Set a worker's supervision schedule",
        description="A session in every period of `every_weeks` weeks from `starts_on`. A "
        "worker who has one already: change it with PUT under its ETag (409 here).",
        request=ScheduleInputSerializer,
        parameters=[etag_header(201)],
        responses={201: ScheduleStatusOutputSerializer, **error_responses(400, 409)},
    )
    def post(self, request: Request) -> Response:
        serializer = ScheduleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        worker = _member(self.actor, data.pop("worker"), "worker")
        with domain_errors(stale=False):
            schedule = actions.schedule_set(actor=self.actor, worker=worker, **data)
        url = reverse("api:supervision_schedule", kwargs={"schedule_id": schedule.pk})
        return created(_schedule_data(self.actor, schedule), url, schedule.version)


def _schedule_data(actor: Actor, schedule: SupervisionSchedule) -> Any:
    row = next(
        r for r in selectors.supervision_overview(actor) if r.worker_id == schedule.worker_id
    )
    return ScheduleStatusOutputSerializer(row).data


class ScheduleApi(RecordApiView):
    required_permission = Permission.CASE_SUPERVISE

    def _schedule(self, schedule_id: str) -> SupervisionSchedule:
        schedules = SupervisionSchedule.objects.filter(organisation=self.actor.organisation)
        return access_object(self.actor, schedules, schedule_id, Permission.CASE_SUPERVISE)

    @extend_schema(
        summary="A supervision schedule",
        parameters=[etag_header()],
        responses={200: ScheduleStatusOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, schedule_id: str) -> Response:
        schedule = self._schedule(schedule_id)
        return with_etag(_schedule_data(self.actor, schedule), schedule.version)

    @extend_schema(
        summary="Change a supervision schedule",
        request=ScheduleChangeInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: ScheduleStatusOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def put(self, request: Request, schedule_id: str) -> Response:
        schedule = self._schedule(schedule_id)
        version = if_match_version(request, schedule.version)
        serializer = ScheduleChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            schedule = actions.schedule_set(
                actor=self.actor,
                worker=schedule.worker,
                version=version,
                **serializer.validated_data,
            )
        return with_etag(_schedule_data(self.actor, schedule), schedule.version)


class OwnScheduleApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="Your supervision schedule",
        description="With null schedule fields when no supervisor has set you one.",
        responses={200: ScheduleStatusOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request) -> Response:
        row = selectors.own_schedule(self.actor)
        if row is None:  # no schedule set: the fields of one are null
            user = self.actor.user
            row = selectors.ScheduleStatus(
                worker_id=user.pk, name=user.full_name or user.email, schedule=None
            )
        return Response(ScheduleStatusOutputSerializer(row).data)


urlpatterns = [
    path(
        "cases/supervision/schedules",
        ScheduleListCreateApi.as_view(),
        name="supervision_schedules",
    ),
    path(
        "cases/supervision/schedules/mine",
        OwnScheduleApi.as_view(),
        name="supervision_schedule_mine",
    ),
    path(
        "cases/supervision/schedules/<uuid:schedule_id>",
        ScheduleApi.as_view(),
        name="supervision_schedule",
    ),
    path("cases/<uuid:case_id>/notes", CaseNoteListCreateApi.as_view(), name="case_notes"),
    path("cases/<uuid:case_id>/notes/<uuid:note_id>", CaseNoteApi.as_view(), name="case_note"),
    path(
        "cases/<uuid:case_id>/notes/<uuid:note_id>/addenda",
        CaseNoteAddendumApi.as_view(),
        name="case_note_addenda",
    ),
    path(
        "cases/<uuid:case_id>/supervision",
        CaseSupervisionApi.as_view(),
        name="case_supervision",
    ),
]
