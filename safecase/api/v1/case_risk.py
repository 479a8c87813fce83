"""API: Risk assessments and approval gates (issue 4), mounted under /api/v1/cases/<case_id>/.

The same selectors and actions as the Risk tab: reads start from cases_visible_to (a restricted
case is 404 to everyone not named, like a missing one). Recording a new version needs If-Match
with the assessment's ETag (its version, "0" before the first): missing 428, stale 412. A
decision on a request needs If-Match with the request's ETag."""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
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
    with_etag,
)
from safecase.cases import selectors as case_selectors
from safecase.cases.models import Case
from safecase.cases.risk import actions, selectors
from safecase.cases.risk.choices import (
    ApprovalStatus,
    Decision,
    GateKind,
    InterimMeasure,
    RiskLevel,
    Score,
    VersionApproval,
)
from safecase.cases.risk.models import ApprovalRequest
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted

RiskLevelField = enum_field(RiskLevel, "RiskLevelEnum")
ScoreField = enum_field(Score, "RiskScoreEnum")
InterimMeasureField = enum_field(InterimMeasure, "RiskInterimMeasureEnum")
VersionApprovalField = enum_field(VersionApproval, "RiskVersionApprovalEnum")
GateKindField = enum_field(GateKind, "ApprovalGateKindEnum")
ApprovalStatusField = enum_field(ApprovalStatus, "ApprovalStatusEnum")
DecisionField = enum_field(Decision, "ApprovalDecisionEnum")


# --- Serializers ----------------------------------------------------------------------------


class RiskVersionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    risk_factors = serializers.CharField()
    protective_factors = serializers.CharField()
    likelihood = ScoreField()
    impact = ScoreField()
    level = RiskLevelField()
    interim_measures = serializers.ListField(child=InterimMeasureField())
    interim_other = serializers.CharField()
    next_review_on = serializers.DateField()
    reason = serializers.CharField()
    assessed_by = serializers.CharField(source="assessed_by.full_name")
    assessed_at = serializers.DateTimeField(source="created_at")
    approval = VersionApprovalField()


class RiskAssessmentOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.IntegerField(
        help_text="The assessment's version (0 before the first): also its ETag."
    )
    current = RiskVersionOutputSerializer(allow_null=True, help_text="The latest version.")
    versions = RiskVersionOutputSerializer(many=True, help_text="Every version, newest first.")


class RiskAssessInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    risk_factors = serializers.CharField(max_length=10_000)
    protective_factors = serializers.CharField(max_length=10_000)
    likelihood = ScoreField()
    impact = ScoreField()
    level = RiskLevelField()
    interim_measures = serializers.ListField(
        child=InterimMeasureField(), required=False, default=list, max_length=10
    )
    interim_other = serializers.CharField(
        max_length=300, allow_blank=True, default="", help_text="Needed with `other`."
    )
    next_review_on = serializers.DateField(help_text="After today (YYYY-MM-DD).")
    reason = serializers.CharField(max_length=10_000)


class ApprovalOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    kind = GateKindField()
    risk_version = serializers.IntegerField(
        source="risk_version.number", allow_null=True, default=None
    )
    status = ApprovalStatusField()
    requested_by = serializers.CharField(source="requested_by.full_name")
    requested_at = serializers.DateTimeField(source="created_at")
    request_reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.full_name", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    used_at = serializers.DateTimeField(allow_null=True, help_text="When a closure used it.")
    version = serializers.IntegerField(help_text="Also sent as the ETag of the request.")


class ApprovalRequestInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = GateKindField()
    reason = serializers.CharField(max_length=10_000)


class ApprovalDecisionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = DecisionField()
    reason = serializers.CharField(max_length=10_000)


# --- Helpers --------------------------------------------------------------------------------


def _case(actor: Actor, case_id: str, perm: Permission, *, own: bool = False) -> Case:
    cases = case_selectors.cases_visible_to(actor).select_related("case_type", "organisation")
    if own:  # changes: the owning organisation only (a share lets a partner read)
        cases = cases.filter(organisation=actor.organisation)
    return access_object(actor, cases, case_id, perm)


def _assessment(case: Case) -> tuple[dict[str, Any], int]:
    versions = selectors.versions_of(case)
    version = selectors.assessment_version(case)
    data = {
        "version": version,
        "current": RiskVersionOutputSerializer(versions[0]).data if versions else None,
        "versions": RiskVersionOutputSerializer(versions, many=True).data,
    }
    return data, version


# --- Views ----------------------------------------------------------------------------------


class CaseRiskApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"POST": Permission.CASE_MANAGE}

    @extend_schema(
        summary="A case's risk assessment",
        description="The current risk (the latest version) and every version, newest first.",
        parameters=[etag_header()],
        responses={200: RiskAssessmentOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW)
        data, version = _assessment(case)
        return with_etag(data, version)

    @extend_schema(
        summary="Record a new version of the risk assessment",
        description='If-Match holds the assessment\'s ETag ("0" before the first version). '
        "Where the organisation's gate is on, the version waits for a supervisor's approval.",
        request=RiskAssessInputSerializer,
        parameters=[IF_MATCH, etag_header(201)],
        responses={201: RiskVersionOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        version = if_match_version(request, selectors.assessment_version(case))
        serializer = RiskAssessInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            made = actions.risk_assess(
                actor=self.actor, case=case, version=version, **serializer.validated_data
            )
        url = reverse("api:case_risk", kwargs={"case_id": case.pk})
        return created(RiskVersionOutputSerializer(made).data, url, made.number)


class CaseApprovalListCreateApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"POST": Permission.CASE_MANAGE}

    @extend_schema(
        summary="A case's approval requests",
        description="Newest first: closure and risk assessment approvals, with their decisions.",
        responses={200: ApprovalOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW)
        return Response(ApprovalOutputSerializer(selectors.approvals_of(case), many=True).data)

    @extend_schema(
        summary="Ask a supervisor's approval",
        description="For closing the case or for its current risk assessment version, where "
        "the organisation's gate for it is on. One waiting request of a kind per case.",
        request=ApprovalRequestInputSerializer,
        parameters=[etag_header(201)],
        responses={201: ApprovalOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        serializer = ApprovalRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            made = actions.approval_request(
                actor=self.actor, case=case, **serializer.validated_data
            )
        url = reverse("api:case_approvals", kwargs={"case_id": case.pk})
        return created(ApprovalOutputSerializer(made).data, url, made.version)


class CaseApprovalDecisionApi(RecordApiView):
    required_permission = Permission.CASE_SUPERVISE

    @extend_schema(
        summary="Decide an approval request",
        description="A supervisor who did not make the request approves or refuses it, with "
        "the reason (mandatory). If-Match holds the request's ETag (its version).",
        request=ApprovalDecisionInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: ApprovalOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str, request_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW, own=True)
        approval: ApprovalRequest = access_object(
            self.actor,
            selectors.approval_requests_visible_to(self.actor).filter(case=case),
            request_id,
            Permission.CASE_SUPERVISE,
        )
        version = if_match_version(request, approval.version)
        serializer = ApprovalDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            with domain_errors():
                decided = actions.approval_decide(
                    actor=self.actor, request=approval, version=version, **serializer.validated_data
                )
        except NotPermitted as exc:
            # The request is theirs to see: say why they may not decide it (403).
            raise exceptions.PermissionDenied(exc.message) from exc
        return with_etag(ApprovalOutputSerializer(decided).data, decided.version)


urlpatterns = [
    path("cases/<uuid:case_id>/risk", CaseRiskApi.as_view(), name="case_risk"),
    path(
        "cases/<uuid:case_id>/approvals",
        CaseApprovalListCreateApi.as_view(),
        name="case_approvals",
    ),
    path(
        "cases/<uuid:case_id>/approvals/<uuid:request_id>/decision",
        CaseApprovalDecisionApi.as_view(),
        name="case_approval_decision",
    ),
]
