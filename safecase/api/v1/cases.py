"""API: cases (issue 4). The same selectors and actions as the case pages: reads start from
cases_visible_to (a restricted case is 404 to everyone not named, like a missing one), every
change is an action, and every change to a case needs If-Match with the case's ETag (its
version): missing 428, stale 412, nothing changed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
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
from safecase.cases import actions, selectors
from safecase.cases.choices import CaseStatus, Stage, SubjectRole, TeamRole
from safecase.cases.models import Case
from safecase.concerns.selectors import concerns_visible_to
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.people.selectors import people_visible_to

StageField = enum_field(Stage, "CaseStageEnum")
CaseStatusField = enum_field(CaseStatus, "CaseStatusEnum")
TeamRoleField = enum_field(TeamRole, "CaseTeamRoleEnum")
SubjectRoleField = enum_field(SubjectRole, "CaseSubjectRoleEnum")

# --- Serializers ----------------------------------------------------------------------------


class CaseSummaryOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    reference = serializers.CharField()
    title = serializers.CharField()
    case_type = serializers.CharField(source="case_type.code")
    stage = StageField()
    status = CaseStatusField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Also sent as the ETag header of the case.")


class TeamMemberOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    user = serializers.UUIDField(source="user_id")
    name = serializers.CharField(source="user.full_name")
    role = TeamRoleField()
    allocated_at = serializers.DateTimeField()
    reason = serializers.CharField()
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()


class StageChangeOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    from_stage = serializers.CharField(help_text="Empty for the case's opening.")
    to_stage = StageField()
    changed_by = serializers.CharField(source="changed_by.full_name")
    changed_at = serializers.DateTimeField(source="created_at")
    reason = serializers.CharField()


class SubjectOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    person = serializers.UUIDField(source="person_id")
    name = serializers.CharField(source="person.display_name")
    role = SubjectRoleField()


class CaseDetailOutputSerializer(CaseSummaryOutputSerializer):
    concerns = serializers.ListField(
        child=serializers.UUIDField(), help_text="The case's concerns you may see."
    )
    subjects = SubjectOutputSerializer(many=True)
    team = TeamMemberOutputSerializer(many=True, help_text="Current and past allocations.")
    history = StageChangeOutputSerializer(many=True, help_text="Newest first.")
    next_stages = serializers.ListField(
        child=StageField(), help_text="The moves you may make from the current stage."
    )


class CaseOpenInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    case_type = serializers.CharField(help_text="A case type code, e.g. `allegation`.")
    title = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=5000)
    concern = serializers.UUIDField(required=False, allow_null=True, default=None)
    restrict_to = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        allow_null=True,
        default=None,
        max_length=50,
        help_text="Restrict the case to these members (you are always one of them): nobody "
        "else, not even another lead or the auditor, will see it. Needs `restriction_reason`.",
    )
    restriction_reason = serializers.CharField(max_length=2000, allow_blank=True, default="")


class StageInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    to_stage = StageField()
    reason = serializers.CharField(max_length=5000)


class AllocateInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    user = serializers.UUIDField()
    role = TeamRoleField()
    reason = serializers.CharField(max_length=300)
    replacing = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="A current allocation to end."
    )


class AddConcernInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    concern = serializers.UUIDField()
    reason = serializers.CharField(max_length=300, allow_blank=True, default="")


class AddSubjectInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    person = serializers.UUIDField()
    role = SubjectRoleField()


class NewestFirstPagination(KeysetPagination):
    key = ("-opened_at", "-id")


# --- Helpers --------------------------------------------------------------------------------


def _case_data(actor: Actor, case: Case) -> dict[str, Any]:
    detail = selectors.case_detail(actor, case)
    data: dict[str, Any] = dict(CaseSummaryOutputSerializer(case).data)
    data.update(
        concerns=[str(c.pk) for c in detail.concerns],
        subjects=SubjectOutputSerializer(detail.subjects, many=True).data,
        team=TeamMemberOutputSerializer([*detail.team, *detail.past_team], many=True).data,
        history=StageChangeOutputSerializer(detail.history, many=True).data,
        next_stages=[m.to_stage for m in detail.moves],
    )
    return data


def _case(actor: Actor, case_id: str, perm: Permission, *, own: bool = False, **kw: Any) -> Case:
    cases = selectors.cases_visible_to(actor).select_related("case_type", "organisation")
    if own:  # changes: the owning organisation only (a share lets a partner read)
        cases = cases.filter(organisation=actor.organisation)
    return access_object(actor, cases, case_id, perm, **kw)


def _changed(actor: Actor, case: Case, *, new: bool = False) -> Response:
    case.refresh_from_db()
    url = reverse("api:case", kwargs={"case_id": case.pk})
    if new:
        return created(_case_data(actor, case), url, case.version)
    return with_etag(_case_data(actor, case), case.version)


# --- Views ----------------------------------------------------------------------------------


class CaseListCreateApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"POST": Permission.CASE_MANAGE}
    pagination_class = NewestFirstPagination

    @extend_schema(
        summary="Cases",
        description="Cases you may see, newest first; `status=open` or `closed` to filter.",
        responses={200: CaseSummaryOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        cases = selectors.cases_visible_to(self.actor).select_related("case_type")
        status = request.query_params.get("status", "")
        if status in CaseStatus.values:
            cases = cases.filter(status=status)
        return self.page(cases, CaseSummaryOutputSerializer)

    @extend_schema(
        summary="Open a case",
        description="Directly (e.g. an allegation received by phone) or from a concern. You "
        "become its lead.",
        request=CaseOpenInputSerializer,
        parameters=[etag_header(201)],
        responses={201: CaseDetailOutputSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        serializer = CaseOpenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case_type = selectors.case_types_for(self.actor).filter(code=data["case_type"]).first()
        if case_type is None:
            raise serializers.ValidationError({"case_type": ["Not a case type you may open."]})
        concern = None
        if data["concern"] is not None:
            concern = concerns_visible_to(self.actor).filter(pk=data["concern"]).first()
            if concern is None:
                raise serializers.ValidationError({"concern": ["That concern was not found."]})
        named = None
        if data["restrict_to"] is not None:
            if not can(self.actor, Permission.RECORD_RESTRICT):
                raise exceptions.PermissionDenied("Your role does not allow restricting records.")
            named = list(
                User.objects.filter(
                    pk__in=data["restrict_to"],
                    memberships__organisation=self.actor.organisation,
                    memberships__is_active=True,
                )
            )
            if len(named) != len(set(data["restrict_to"])):
                raise serializers.ValidationError(
                    {"restrict_to": ["Name active members of your organisation only."]}
                )
        with domain_errors():
            case = actions.case_open(
                actor=self.actor,
                case_type=case_type,
                title=data["title"],
                reason=data["reason"],
                concern=concern,
                restrict_to=named,
                restriction_reason=data["restriction_reason"],
            )
        return _changed(self.actor, case, new=True)


class CaseApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="A case",
        description="With its concerns (those you may see), people, team and stage history. "
        "Every read is written to the audit trail.",
        parameters=[etag_header()],
        responses={200: CaseDetailOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW, log_view=True)
        return with_etag(_case_data(self.actor, case), case.version)


class CaseStageApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="Move a case to another stage",
        description="As its workflow allows, with the reason. Leaving the decision stage needs "
        "a decision maker (403 otherwise).",
        request=StageInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: CaseDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW, own=True)
        version = if_match_version(request, case.version)
        serializer = StageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with domain_errors():
                actions.case_advance_stage(
                    actor=self.actor, case=case, version=version, **serializer.validated_data
                )
        except NotPermitted as exc:
            # The case is theirs to see: say what is missing (403), not that it is missing.
            raise exceptions.PermissionDenied(exc.message) from exc
        return _changed(self.actor, case)


class CaseAllocationApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Allocate a case",
        description="A new lead replaces the current one; `replacing` ends another current "
        "allocation. Earlier allocations are kept.",
        request=AllocateInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: CaseDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        version = if_match_version(request, case.version)
        serializer = AllocateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = selectors.user_in_organisation(case, str(data["user"]))
        if user is None:
            raise serializers.ValidationError({"user": ["Choose an active member."]})
        replacing = None
        if data["replacing"] is not None:
            team = {m.pk: m for m in selectors.current_team(case)}
            replacing = team.get(data["replacing"])
            if replacing is None:
                raise serializers.ValidationError({"replacing": ["Not a current allocation."]})
        with domain_errors():
            actions.case_allocate(
                actor=self.actor,
                case=case,
                version=version,
                user=user,
                role=data["role"],
                reason=data["reason"],
                replacing=replacing,
            )
        return _changed(self.actor, case)


class CaseConcernCreateApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Add a concern to a case",
        request=AddConcernInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: CaseDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        version = if_match_version(request, case.version)
        serializer = AddConcernInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        concern = concerns_visible_to(self.actor).filter(pk=data["concern"]).first()
        if concern is None:
            raise serializers.ValidationError({"concern": ["That concern was not found."]})
        with domain_errors():
            actions.case_add_concern(
                actor=self.actor,
                case=case,
                version=version,
                concern=concern,
                reason=data["reason"],
            )
        return _changed(self.actor, case)


class CaseSubjectCreateApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Add a person to a case",
        request=AddSubjectInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: CaseDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        version = if_match_version(request, case.version)
        serializer = AddSubjectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = people_visible_to(self.actor).filter(pk=data["person"]).first()
        if person is None:
            raise serializers.ValidationError({"person": ["That person record was not found."]})
        with domain_errors():
            actions.case_add_subject(
                actor=self.actor, case=case, version=version, person=person, role=data["role"]
            )
        return _changed(self.actor, case)
