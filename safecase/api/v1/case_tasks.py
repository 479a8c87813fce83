"""API: Case tasks (issue 4): a case's tasks under /api/v1/cases/<case_id>/tasks, and the
caller's own open tasks at /api/v1/cases/tasks/mine (earliest due, so overdue, first). Reads
start from cases_visible_to (a task on a restricted case is never listed for anyone not named);
a status change needs If-Match with the task's ETag (its version): missing 428, stale 412."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
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
from safecase.cases import selectors as case_selectors
from safecase.cases.casetasks import actions, selectors
from safecase.cases.casetasks.choices import TaskStatus
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.models import Case
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted

StatusField = enum_field(TaskStatus, "CaseTaskStatusEnum")


class TaskOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    title = serializers.CharField()
    owner = serializers.UUIDField(source="owner_id")
    due_on = serializers.DateField()
    status = StatusField()
    source = serializers.CharField(
        help_text="The part of the case that set it; empty if a person did."
    )
    created_by = serializers.UUIDField(source="created_by_id", allow_null=True)
    closed_by = serializers.UUIDField(source="closed_by_id", allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    close_note = serializers.CharField()
    version = serializers.IntegerField(help_text="Also sent as the ETag header of the task.")


class TaskInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    owner = serializers.UUIDField(help_text="A member of your organisation who may see the case.")
    due_on = serializers.DateField()


class TaskStatusInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=[TaskStatus.DONE, TaskStatus.CANCELLED])
    note = serializers.CharField(
        max_length=500, allow_blank=True, default="", help_text="Needed to cancel: why."
    )


class DueFirstPagination(KeysetPagination):
    key = ("due_on", "id")


def _case(actor: Actor, case_id: str, perm: Permission, *, own: bool = False) -> Case:
    cases = case_selectors.cases_visible_to(actor).select_related("case_type", "organisation")
    if own:
        cases = cases.filter(organisation=actor.organisation)
    return access_object(actor, cases, case_id, perm)


def _out(task: CaseTask) -> dict[str, Any]:
    return dict(TaskOutputSerializer(task).data)


class CaseTaskListCreateApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"POST": Permission.CASE_MANAGE}

    @extend_schema(
        summary="A case's tasks",
        description="Open ones first, by due date.",
        responses={200: TaskOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW)
        return Response(TaskOutputSerializer(selectors.case_tasks(case), many=True).data)

    @extend_schema(
        summary="Set a task on a case",
        request=TaskInputSerializer,
        parameters=[etag_header(201)],
        responses={201: TaskOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        serializer = TaskInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner = case_selectors.user_in_organisation(case, str(data["owner"]))
        if owner is None:
            raise serializers.ValidationError({"owner": ["Choose an active member."]})
        with domain_errors():
            task = actions.case_task_create(
                actor=self.actor, case=case, title=data["title"], owner=owner, due_on=data["due_on"]
            )
        return created(_out(task), f"/api/v1/cases/{case.pk}/tasks", task.version)


class MyCaseTasksApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    pagination_class = DueFirstPagination

    @extend_schema(
        summary="My open case tasks",
        description="Your open tasks on cases you may see, the earliest due (and so any "
        "overdue) first.",
        responses={200: TaskOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.page(selectors.my_open_tasks(self.actor), TaskOutputSerializer)


class CaseTaskStatusApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="Mark a case task done or cancelled",
        description="By its owner, or by someone who manages the case (403 otherwise). "
        "Cancelling needs a note saying why.",
        request=TaskStatusInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: TaskOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str, task_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW, own=True)
        task = CaseTask.objects.filter(pk=task_id, case=case).first()
        if task is None:
            raise NotPermitted("Not found.")
        task.case = case
        version = if_match_version(request, task.version)
        serializer = TaskStatusInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            with domain_errors({"note": "note"}):
                if data["status"] == TaskStatus.DONE:
                    task = actions.case_task_complete(
                        actor=self.actor, task=task, version=version, note=data["note"]
                    )
                else:
                    task = actions.case_task_cancel(
                        actor=self.actor, task=task, version=version, reason=data["note"]
                    )
        except NotPermitted as exc:
            # The case is theirs to see: say what is missing (403), not that it is missing.
            raise exceptions.PermissionDenied(exc.message) from exc
        return with_etag(_out(task), task.version)


urlpatterns = [
    path("cases/tasks/mine", MyCaseTasksApi.as_view(), name="case_tasks_mine"),
    path("cases/<uuid:case_id>/tasks", CaseTaskListCreateApi.as_view(), name="case_tasks"),
    path(
        "cases/<uuid:case_id>/tasks/<uuid:task_id>/status",
        CaseTaskStatusApi.as_view(),
        name="case_task_status",
    ),
]
