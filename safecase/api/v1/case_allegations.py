"""API: Allegations against adults in positions of trust (issue 4, W12),
mounted under /api/v1/cases/<case_id>/.

The same selectors and actions as the allegation tab. Reading needs case.view on a case you
may see (a restricted case is 404 to everyone not named); changes need case.manage on your own
organisation's case and If-Match: the allegation record's ETag for new records (a harm test,
the LADO reference, a suspension decision, a referral: "0" before the first), the decision's
or the referral's own version for a review or an outcome. Missing 428, stale 412. A case that
is not an allegation's answers 409 to a read, 400 to a change."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.api.base import (
    IF_MATCH,
    RecordApiView,
    domain_errors,
    enum_field,
    error_responses,
    etag_header,
    if_match_version,
    with_etag,
)
from safecase.cases.allegations import actions, selectors
from safecase.cases.allegations.choices import BarringBody, ReviewOutcome, SuspensionChoice
from safecase.cases.models import Case
from safecase.cases.selectors import cases_visible_to
from safecase.core.actors import Actor

SuspensionField = enum_field(SuspensionChoice, "SuspensionDecisionEnum")
ReviewOutcomeField = enum_field(ReviewOutcome, "SuspensionReviewOutcomeEnum")
BarringBodyField = enum_field(BarringBody, "BarringBodyEnum")

# --- Serializers ----------------------------------------------------------------------------


class AllegationHarmTestQuestionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    question = serializers.CharField()


class AllegationHarmAnswerOutputSerializer(AllegationHarmTestQuestionSerializer):
    answer = serializers.BooleanField()
    note = serializers.CharField()


class AllegationHarmTestOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    answers = AllegationHarmAnswerOutputSerializer(many=True)
    threshold_met = serializers.BooleanField()
    summary = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.full_name")
    recorded_at = serializers.DateTimeField(source="created_at")


class AllegationReviewOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    reviewed_on = serializers.DateField()
    outcome = ReviewOutcomeField()
    from_decision = SuspensionField()
    to_decision = SuspensionField()
    rationale = serializers.CharField()
    next_review_on = serializers.DateField(allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.full_name")


class AllegationDecisionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    decision = SuspensionField()
    initial_decision = SuspensionField()
    arrangements = serializers.CharField()
    rationale = serializers.CharField()
    starts_on = serializers.DateField()
    next_review_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    decided_by = serializers.CharField(source="decided_by.full_name")
    reviews = AllegationReviewOutputSerializer(many=True, source="reviews.all")
    version = serializers.IntegerField(help_text="Send as If-Match to review this decision.")


class AllegationReferralOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    body = BarringBodyField()
    body_name = serializers.CharField()
    referred_on = serializers.DateField()
    reference = serializers.CharField()
    reason = serializers.CharField()
    outcome = serializers.CharField()
    outcome_on = serializers.DateField(allow_null=True)
    version = serializers.IntegerField(help_text="Send as If-Match to record the outcome.")


class AllegationOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    case = serializers.UUIDField()
    questions = AllegationHarmTestQuestionSerializer(
        many=True, help_text="The organisation's harm tests."
    )
    threshold_met = serializers.BooleanField(allow_null=True, help_text="Of the latest test.")
    lado_due_by = serializers.DateField(
        allow_null=True, help_text="Threshold met and no LADO reference yet: due by this day."
    )
    lado_reference = serializers.CharField()
    lado_referred_at = serializers.DateTimeField(allow_null=True)
    harm_tests = AllegationHarmTestOutputSerializer(many=True, help_text="Newest first.")
    suspension_decisions = AllegationDecisionOutputSerializer(many=True, help_text="Newest first.")
    referrals = AllegationReferralOutputSerializer(many=True)
    version = serializers.IntegerField(help_text="Also the ETag: 0 before the first record.")


class AllegationHarmAnswerInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(max_length=60)
    answer = serializers.BooleanField()
    note = serializers.CharField(max_length=2000, allow_blank=True, default="")


class AllegationHarmTestInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    answers = AllegationHarmAnswerInputSerializer(
        many=True, help_text="One per question of the tests."
    )
    summary = serializers.CharField(max_length=2000, allow_blank=True, default="")


class AllegationLadoInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    lado_reference = serializers.CharField(max_length=60)
    lado_referred_at = serializers.DateTimeField()


class AllegationDecisionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = SuspensionField()
    rationale = serializers.CharField(max_length=5000)
    starts_on = serializers.DateField()
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None)
    arrangements = serializers.CharField(max_length=2000, allow_blank=True, default="")


class AllegationReviewInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reviewed_on = serializers.DateField()
    outcome = ReviewOutcomeField()
    rationale = serializers.CharField(max_length=5000)
    next_review_on = serializers.DateField(required=False, allow_null=True, default=None)
    new_decision = serializers.CharField(
        max_length=16, allow_blank=True, default="", help_text="For outcome `change`."
    )
    arrangements = serializers.CharField(max_length=2000, allow_blank=True, default="")


class AllegationReferralInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    body = BarringBodyField()
    body_name = serializers.CharField(max_length=120, allow_blank=True, default="")
    referred_on = serializers.DateField()
    reference = serializers.CharField(max_length=60, allow_blank=True, default="")
    reason = serializers.CharField(max_length=5000)


class AllegationOutcomeInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    outcome = serializers.CharField(max_length=2000)
    outcome_on = serializers.DateField()


# --- Helpers --------------------------------------------------------------------------------


def _case(
    actor: Actor, case_id: str, perm: Permission, *, own: bool = False, log_view: bool = False
) -> Case:
    cases = cases_visible_to(actor).select_related("case_type", "organisation")
    if own:
        cases = cases.filter(organisation=actor.organisation)
    return access_object(actor, cases, case_id, perm, log_view=log_view)


def _data(case: Case) -> dict[str, Any]:
    part = selectors.allegation_part(case)
    test = part.current_test
    allegation = part.allegation
    return {
        "case": case.pk,
        "questions": part.questions,
        "threshold_met": test.threshold_met if test is not None else None,
        "lado_due_by": part.lado_due_by,
        "lado_reference": allegation.lado_reference if allegation else "",
        "lado_referred_at": allegation.lado_referred_at if allegation else None,
        "harm_tests": part.harm_tests,
        "suspension_decisions": part.decisions,
        "referrals": part.referrals,
        "version": part.version,
    }


def _answer(case: Case) -> Response:
    data = AllegationOutputSerializer(_data(case)).data
    return with_etag(data, selectors.allegation_part(case).version)


def _allegation_version(request: Request, case: Case) -> int:
    return if_match_version(request, selectors.allegation_part(case).version)


class _Base(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    def changing(self, case_id: str) -> Case:
        return _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)


CHANGE_ERRORS = error_responses(400, 404, 412, 428)

# --- Views ----------------------------------------------------------------------------------


class AllegationApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="A case's allegation track",
        description="Harm-threshold tests, the LADO reference, suspension decisions with their "
        "reviews, referrals to barring or regulatory bodies. 409 for a case that is not an "
        "allegation's.",
        parameters=[etag_header()],
        responses={200: AllegationOutputSerializer, **error_responses(404, 409)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        # An allegation against an adult is sensitive: every read is on the audit trail.
        case = _case(self.actor, case_id, Permission.CASE_VIEW, log_view=True)
        if not selectors.is_allegation_case(case):
            return Response({"detail": selectors.NOT_AN_ALLEGATION}, status=409)
        return _answer(case)


class HarmTestApi(_Base):
    @extend_schema(
        summary="Record a harm-threshold test",
        description="Answer every question of the organisation's harm tests (GET the track "
        "for them). Any yes: the threshold is met and a LADO referral is due within one "
        "working day.",
        request=AllegationHarmTestInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: AllegationOutputSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = self.changing(case_id)
        version = _allegation_version(request, case)
        serializer = AllegationHarmTestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answers = {a["code"]: a["answer"] for a in data["answers"]}
        notes = {a["code"]: a["note"] for a in data["answers"]}
        with domain_errors():
            actions.harm_test_record(
                actor=self.actor,
                case=case,
                version=version,
                answers=answers,
                notes=notes,
                summary=data["summary"],
            )
        return _answer(case)


class LadoApi(_Base):
    @extend_schema(
        summary="Record the LADO reference",
        description="The LADO's reference and when the referral was made (a correction "
        "replaces both; the audit trail keeps the earlier values).",
        request=AllegationLadoInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: AllegationOutputSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = self.changing(case_id)
        version = _allegation_version(request, case)
        serializer = AllegationLadoInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with domain_errors({"lado_reference": "lado_reference"}):
            actions.allegation_record_lado(
                actor=self.actor,
                case=case,
                version=version,
                reference=data["lado_reference"],
                referred_at=data["lado_referred_at"],
            )
        return _answer(case)


class SuspensionApi(_Base):
    @extend_schema(
        summary="Record a suspension decision",
        description="Suspended, not suspended or alternative arrangements, with the mandatory "
        "rationale, a start and (unless not suspended) the next review date. While a decision "
        "is current it is reviewed, not replaced.",
        request=AllegationDecisionInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: AllegationOutputSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = self.changing(case_id)
        version = _allegation_version(request, case)
        serializer = AllegationDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.suspension_decide(
                actor=self.actor, case=case, version=version, **serializer.validated_data
            )
        return _answer(case)


class SuspensionReviewApi(_Base):
    @extend_schema(
        summary="Review the current suspension decision",
        description="Continue (next review date), change (`new_decision`, arrangements, next "
        "review) or lift it. If-Match: the decision's `version`.",
        request=AllegationReviewInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: AllegationOutputSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, case_id: str, decision_id: str) -> Response:
        case = self.changing(case_id)
        decision = selectors.decision_on(case, decision_id)
        if decision is None:
            raise Http404
        version = if_match_version(request, decision.version)
        serializer = AllegationReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.suspension_review(
                actor=self.actor, decision=decision, version=version, **serializer.validated_data
            )
        return _answer(case)


class ReferralApi(_Base):
    @extend_schema(
        summary="Record a referral to a barring or regulatory body",
        description="DBS, the Teaching Regulation Agency, a sport's governing body (named in "
        "`body_name`) or another body named: when, their reference, why.",
        request=AllegationReferralInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: AllegationOutputSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = self.changing(case_id)
        version = _allegation_version(request, case)
        serializer = AllegationReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.barring_refer(
                actor=self.actor, case=case, version=version, **serializer.validated_data
            )
        return _answer(case)


class ReferralOutcomeApi(_Base):
    @extend_schema(
        summary="Record the outcome of a barring or regulatory referral",
        description="If-Match: the referral's `version`.",
        request=AllegationOutcomeInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: AllegationOutputSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, case_id: str, referral_id: str) -> Response:
        case = self.changing(case_id)
        referral = selectors.referral_on(case, referral_id)
        if referral is None:
            raise Http404
        version = if_match_version(request, referral.version)
        serializer = AllegationOutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.barring_record_outcome(
                actor=self.actor, referral=referral, version=version, **serializer.validated_data
            )
        return _answer(case)


BASE = "cases/<uuid:case_id>/allegation"

urlpatterns = [
    path(BASE, AllegationApi.as_view(), name="case_allegation"),
    path(f"{BASE}/harm-tests", HarmTestApi.as_view(), name="case_allegation_harm_tests"),
    path(f"{BASE}/lado", LadoApi.as_view(), name="case_allegation_lado"),
    path(f"{BASE}/suspensions", SuspensionApi.as_view(), name="case_allegation_suspensions"),
    path(
        f"{BASE}/suspensions/<uuid:decision_id>/reviews",
        SuspensionReviewApi.as_view(),
        name="case_allegation_suspension_reviews",
    ),
    path(f"{BASE}/referrals", ReferralApi.as_view(), name="case_allegation_referrals"),
    path(
        f"{BASE}/referrals/<uuid:referral_id>/outcome",
        ReferralOutcomeApi.as_view(),
        name="case_allegation_referral_outcome",
    ),
]


# --- The organisation's harm tests -----------------------------------------------------------


class HarmTestSettingsOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    questions = AllegationHarmTestQuestionSerializer(many=True)
    version = serializers.IntegerField(help_text="Also the ETag: 0 while the shipped tests apply.")


class HarmTestSettingsInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    questions = serializers.ListField(
        child=serializers.CharField(max_length=300), min_length=1, max_length=8
    )


def _settings(actor: Actor) -> Response:
    org_id = actor.organisation_id
    version = selectors.settings_version(org_id)
    data = {"questions": selectors.harm_tests_for(org_id), "version": version}
    return with_etag(HarmTestSettingsOutputSerializer(data).data, version)


class HarmTestSettingsApi(RecordApiView):
    required_permission = Permission.CONCERN_CONFIGURE

    @extend_schema(
        summary="The organisation's harm tests",
        description="The questions every harm-threshold test asks (the four KCSIE tests until "
        "the lead changes them).",
        parameters=[etag_header()],
        responses={200: HarmTestSettingsOutputSerializer, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return _settings(self.actor)

    @extend_schema(
        summary="Change the organisation's harm tests",
        description="The questions in order; an unchanged question keeps its code.",
        request=HarmTestSettingsInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: HarmTestSettingsOutputSerializer, **error_responses(400, 412, 428)},
    )
    def put(self, request: Request) -> Response:
        version = if_match_version(request, selectors.settings_version(self.actor.organisation_id))
        serializer = HarmTestSettingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.allegation_settings_update(
                actor=self.actor, version=version, **serializer.validated_data
            )
        return _settings(self.actor)


urlpatterns.append(
    path("allegations/harm-tests", HarmTestSettingsApi.as_view(), name="allegation_harm_tests")
)
