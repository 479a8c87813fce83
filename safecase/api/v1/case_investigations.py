"""API: a case's internal investigation (issue 4), mounted under /api/v1/cases/<case_id>/.

The same selectors and actions as the investigation's pages: the case is found through
``cases_visible_to`` (a restricted case is 404 to everyone not named, like a missing one),
changes are for the owning organisation only, and changing the investigation itself needs
If-Match with its ETag (its version): missing 428, stale 412, nothing changed. Interviews,
evidence, custody entries and findings are appended, never changed (an interview is corrected
by an addendum). The evidence register's endpoints are in case_investigations_evidence.py.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.permissions import Permission
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
    with_etag,
)
from safecase.api.v1 import case_investigations_evidence as evidence_api
from safecase.api.v1.case_investigations_evidence import (
    EvidenceItemOutputSerializer,
    case_for,
    investigation_for,
)
from safecase.cases import selectors as case_selectors
from safecase.cases.investigations import actions, selectors
from safecase.cases.investigations.choices import FindingKind, IntervieweeRole, InvestigationStatus
from safecase.cases.investigations.models import Investigation
from safecase.cases.models import Case
from safecase.people.models import Person

StatusField = enum_field(InvestigationStatus, "InvestigationStatusEnum")
RoleField = enum_field(IntervieweeRole, "IntervieweeRoleEnum")
KindField = enum_field(FindingKind, "FindingKindEnum")

# --- Serializers ----------------------------------------------------------------------------


class InvestigationRevisionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    number = serializers.IntegerField()
    terms_of_reference = serializers.CharField()
    plan = serializers.CharField()
    investigator = serializers.UUIDField(source="investigator_id")
    status = StatusField()
    changed_by = serializers.CharField(source="changed_by.full_name")
    changed_at = serializers.DateTimeField(source="created_at")
    reason = serializers.CharField()


class InterviewAddendumOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    author = serializers.CharField(source="author.full_name")
    reason = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class InvestigationInterviewOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    interviewee_name = serializers.CharField()
    person = serializers.UUIDField(source="person_id", allow_null=True)
    role = RoleField()
    held_at = serializers.DateTimeField()
    interviewer = serializers.UUIDField(source="interviewer_id")
    summary = serializers.CharField(help_text="What was said: fact.")
    interviewer_opinion = serializers.CharField(
        help_text="The interviewer's opinion, kept apart from the summary: show it as opinion."
    )
    own_words = serializers.CharField(help_text="The person's own words, where given.")
    signed = serializers.BooleanField()
    signed_on = serializers.DateField(allow_null=True)
    addenda = InterviewAddendumOutputSerializer(many=True, source="addenda.all")
    created_at = serializers.DateTimeField()


class InvestigationFindingOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    kind = KindField()
    text = serializers.CharField()
    interviews = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_interviews(self, finding: Any) -> list[str]:
        return [str(i.pk) for i in finding.basis_interviews.all()]

    def get_evidence(self, finding: Any) -> list[str]:
        return [str(e.pk) for e in finding.basis_evidence.all()]


class InvestigationOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    terms_of_reference = serializers.CharField()
    plan = serializers.CharField()
    investigator = serializers.UUIDField(source="investigator_id")
    status = StatusField()
    concluded_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Also sent as the ETag header.")


class InvestigationDetailOutputSerializer(InvestigationOutputSerializer):
    revisions = InvestigationRevisionOutputSerializer(many=True, help_text="Newest first.")
    interviews = InvestigationInterviewOutputSerializer(many=True)
    evidence = EvidenceItemOutputSerializer(many=True)
    findings = InvestigationFindingOutputSerializer(many=True)


class InvestigationOpenInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    terms_of_reference = serializers.CharField(max_length=20_000)
    plan = serializers.CharField(max_length=20_000)
    investigator = serializers.UUIDField(help_text="A member who can see the case.")
    reason = serializers.CharField(max_length=5000)


class InvestigationUpdateInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    terms_of_reference = serializers.CharField(max_length=20_000, required=False)
    plan = serializers.CharField(max_length=20_000, required=False)
    investigator = serializers.UUIDField(required=False)
    status = StatusField(required=False)
    reason = serializers.CharField(max_length=5000, help_text="Why: kept in the revision.")


class InvestigationInterviewInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    interviewee_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    person = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="A person on the case."
    )
    role = RoleField()
    held_at = serializers.DateTimeField(help_text="Not in the future.")
    interviewer = serializers.UUIDField()
    summary = serializers.CharField(max_length=20_000, allow_blank=True)
    interviewer_opinion = serializers.CharField(max_length=20_000, allow_blank=True, default="")
    own_words = serializers.CharField(max_length=20_000, allow_blank=True, default="")
    signed = serializers.BooleanField(default=False)
    signed_on = serializers.DateField(required=False, allow_null=True, default=None)


class InterviewAddendumInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=300)
    text = serializers.CharField(max_length=20_000)


class InvestigationFindingInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = KindField()
    text = serializers.CharField(max_length=20_000)
    interviews = serializers.ListField(child=serializers.UUIDField(), default=list, max_length=200)
    evidence = serializers.ListField(child=serializers.UUIDField(), default=list, max_length=200)


# --- Helpers --------------------------------------------------------------------------------


def _member(case: Case, user_id: Any, field: str) -> User:
    user = case_selectors.user_in_organisation(case, str(user_id))
    if user is None:
        raise serializers.ValidationError({field: ["Choose an active member."]})
    return user


def _detail(investigation: Investigation) -> dict[str, Any]:
    view = selectors.investigation_view(investigation)
    data: dict[str, Any] = dict(InvestigationOutputSerializer(investigation).data)
    data.update(
        revisions=InvestigationRevisionOutputSerializer(view.revisions, many=True).data,
        interviews=InvestigationInterviewOutputSerializer(view.interviews, many=True).data,
        evidence=EvidenceItemOutputSerializer(view.evidence, many=True).data,
        findings=InvestigationFindingOutputSerializer(view.findings, many=True).data,
    )
    return data


def _url(case: Case) -> str:
    return reverse("api:case_investigation", kwargs={"case_id": case.pk})


# --- Views ----------------------------------------------------------------------------------


class InvestigationApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"POST": Permission.CASE_MANAGE, "PATCH": Permission.CASE_MANAGE}

    @extend_schema(
        summary="A case's investigation",
        description="Terms of reference, plan, revisions, interviews, the evidence register "
        "(with each file's SHA-256 and custody) and findings. 404 when there is none. Every "
        "read is written to the audit trail.",
        parameters=[etag_header()],
        responses={200: InvestigationDetailOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        investigation = investigation_for(self.actor, case_id, Permission.CASE_VIEW, log_view=True)
        return with_etag(_detail(investigation), investigation.version)

    @extend_schema(
        summary="Open the case's investigation",
        description="One per case. The investigator must be a member who can see the case.",
        request=InvestigationOpenInputSerializer,
        parameters=[etag_header(201)],
        responses={201: InvestigationDetailOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = case_for(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        serializer = InvestigationOpenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        investigator = _member(case, data["investigator"], "investigator")
        with domain_errors():
            investigation = actions.investigation_open(
                actor=self.actor,
                case=case,
                terms_of_reference=data["terms_of_reference"],
                plan=data["plan"],
                investigator=investigator,
                reason=data["reason"],
            )
        return created(_detail(investigation), _url(case), investigation.version)

    @extend_schema(
        summary="Change the investigation",
        description="Its terms of reference, plan, investigator or status (planned → in "
        "progress → concluded; a concluded one back to in progress), with the reason. Fields "
        "left out keep their value. Concluding needs at least one finding.",
        request=InvestigationUpdateInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={
            200: InvestigationDetailOutputSerializer,
            **error_responses(400, 404, 412, 428),
        },
    )
    def patch(self, request: Request, case_id: str) -> Response:
        investigation = investigation_for(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        version = if_match_version(request, investigation.version)
        serializer = InvestigationUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        investigator = investigation.investigator
        if "investigator" in data:
            investigator = _member(investigation.case, data["investigator"], "investigator")
        with domain_errors():
            actions.investigation_update(
                actor=self.actor,
                investigation=investigation,
                version=version,
                terms_of_reference=data.get("terms_of_reference", investigation.terms_of_reference),
                plan=data.get("plan", investigation.plan),
                investigator=investigator,
                status=data.get("status", investigation.status),
                reason=data["reason"],
            )
        investigation.refresh_from_db()
        return with_etag(_detail(investigation), investigation.version)


class InterviewCreateApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Record an interview or statement",
        description="Who (a name and/or a person on the case), role, when (not in the future), "
        "by whom, the summary (fact, required) apart from the interviewer's opinion, the "
        "person's own words, signed or not (with the date signed). Never changed afterwards: "
        "add an addendum.",
        request=InvestigationInterviewInputSerializer,
        responses={201: InvestigationInterviewOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        investigation = investigation_for(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        case = investigation.case
        serializer = InvestigationInterviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        person = None
        person_id = data.pop("person")
        if person_id is not None:
            person = Person.objects.filter(pk=person_id, organisation=case.organisation).first()
            if person is None:
                raise serializers.ValidationError({"person": ["Choose a person on the case."]})
        data["interviewer"] = _member(case, data["interviewer"], "interviewer")
        with domain_errors():
            interview = actions.interview_record(
                actor=self.actor, investigation=investigation, person=person, **data
            )
        return created(InvestigationInterviewOutputSerializer(interview).data, _url(case))


class InterviewAddendumCreateApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Add an addendum to an interview",
        description="A correction or addition with its reason; the interview stays as it was.",
        request=InterviewAddendumInputSerializer,
        responses={201: InterviewAddendumOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str, interview_id: str) -> Response:
        investigation = investigation_for(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        interview = selectors.interview_on(investigation, interview_id)
        if interview is None:
            raise Http404
        interview.investigation = investigation
        serializer = InterviewAddendumInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            addendum = actions.interview_add_addendum(
                actor=self.actor, interview=interview, **serializer.validated_data
            )
        return created(InterviewAddendumOutputSerializer(addendum).data, _url(investigation.case))


class FindingCreateApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Record a finding",
        description="An established fact (which must name the interviews or evidence it "
        "rests on), an allegation not established, or an opinion.",
        request=InvestigationFindingInputSerializer,
        responses={201: InvestigationFindingOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        investigation = investigation_for(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        serializer = InvestigationFindingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        interviews = list(selectors.interviews_of(investigation).filter(pk__in=data["interviews"]))
        evidence = list(selectors.evidence_of(investigation).filter(pk__in=data["evidence"]))
        if len(interviews) != len(set(data["interviews"])):
            raise serializers.ValidationError({"interviews": ["Name this investigation's."]})
        if len(evidence) != len(set(data["evidence"])):
            raise serializers.ValidationError({"evidence": ["Name this register's items."]})
        with domain_errors():
            finding = actions.finding_record(
                actor=self.actor,
                investigation=investigation,
                kind=data["kind"],
                text=data["text"],
                interviews=interviews,
                evidence=evidence,
            )
        return created(InvestigationFindingOutputSerializer(finding).data, _url(investigation.case))


_BASE = "cases/<uuid:case_id>/investigation"

urlpatterns = [
    path(_BASE, InvestigationApi.as_view(), name="case_investigation"),
    path(f"{_BASE}/interviews", InterviewCreateApi.as_view(), name="case_interviews"),
    path(
        f"{_BASE}/interviews/<uuid:interview_id>/addenda",
        InterviewAddendumCreateApi.as_view(),
        name="case_interview_addenda",
    ),
    path(f"{_BASE}/findings", FindingCreateApi.as_view(), name="case_findings"),
    *evidence_api.urlpatterns(_BASE),
]
