"""API: External referrals (issue 4), mounted under /api/v1/cases/<case_id>/. The same
selectors and actions as the pages: the case is found through cases_visible_to (a restricted
case is 404 to everyone not named), and a response or an escalation needs If-Match with the
referral's ETag (its version): missing 428, stale 412, nothing changed."""

from __future__ import annotations

from typing import Any

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
from safecase.cases.referrals import actions, selectors
from safecase.cases.referrals.choices import ReferralMethod, ReferralStatus
from safecase.cases.referrals.models import ExternalReferral
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted

MethodField = enum_field(ReferralMethod, "ReferralMethodEnum")
StatusField = enum_field(ReferralStatus, "ReferralStatusEnum")


class EscalationOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    escalated_to = serializers.CharField()
    escalated_at = serializers.DateTimeField()
    escalated_by = serializers.CharField(source="escalated_by.full_name")
    reason = serializers.CharField()


class ReferralOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    agency = serializers.CharField(source="agency.code")
    agency_label = serializers.CharField(source="agency.label")
    made_at = serializers.DateTimeField()
    made_by = serializers.CharField(source="made_by.full_name")
    method = MethodField()
    contact_name = serializers.CharField()
    contact_details = serializers.CharField()
    their_reference = serializers.CharField()
    summary = serializers.CharField()
    follow_up_on = serializers.DateField()
    status = StatusField()
    response = serializers.CharField()
    response_received_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    escalations = EscalationOutputSerializer(many=True, source="escalations.all")
    version = serializers.IntegerField(help_text="Also sent as the ETag header of the referral.")


class ReferralInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agency = serializers.CharField(help_text="An agency code of your organisation, e.g. `lado`.")
    made_at = serializers.DateTimeField(help_text="When it was made; not in the future.")
    method = MethodField()
    contact_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    contact_details = serializers.CharField(max_length=300, allow_blank=True, default="")
    their_reference = serializers.CharField(max_length=100, allow_blank=True, default="")
    summary = serializers.CharField(max_length=5000, allow_blank=True, default="")
    follow_up_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out for the agency's deadline in working days (the LADO: the next "
        "working day).",
    )


class ResponseInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    response = serializers.CharField(max_length=5000)
    received_on = serializers.DateField()
    outcome = serializers.CharField(max_length=300)
    their_reference = serializers.CharField(max_length=100, allow_blank=True, default="")


class EscalationInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    escalated_to = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=5000)


def _case(actor: Actor, case_id: str, perm: Permission, *, own: bool = False) -> Case:
    cases = case_selectors.cases_visible_to(actor).select_related("case_type", "organisation")
    if own:  # changes: the owning organisation only (a share lets a partner read)
        cases = cases.filter(organisation=actor.organisation)
    return access_object(actor, cases, case_id, perm)


def _referral(case: Case, referral_id: str) -> ExternalReferral:
    referral = (
        ExternalReferral.objects.filter(pk=referral_id, case=case)
        .select_related("agency", "made_by")
        .first()
    )
    if referral is None:
        raise NotPermitted("Not found.")
    referral.case = case
    return referral


def _out(referral: ExternalReferral) -> dict[str, Any]:
    fresh = (
        ExternalReferral.objects.select_related("agency", "made_by")
        .prefetch_related("escalations__escalated_by")
        .get(pk=referral.pk)
    )
    return dict(ReferralOutputSerializer(fresh).data)


class ReferralListCreateApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"POST": Permission.CASE_MANAGE}

    @extend_schema(
        summary="A case's external referrals",
        description="Newest first, with responses and escalations.",
        responses={200: ReferralOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW)
        referrals = selectors.case_referrals(case)
        for referral in referrals:
            referral.case = case
        return Response(ReferralOutputSerializer(referrals, many=True).data)

    @extend_schema(
        summary="Record an external referral",
        description="The follow-up date defaults to the agency's deadline in working days; a "
        "follow-up task for you, due then, opens with it.",
        request=ReferralInputSerializer,
        parameters=[etag_header(201)],
        responses={201: ReferralOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        serializer = ReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agency = next(
            (a for a in selectors.agencies_for(case.organisation_id) if a.code == data["agency"]),
            None,
        )
        if agency is None:
            raise serializers.ValidationError({"agency": ["Not one of your agencies."]})
        with domain_errors():
            referral = actions.referral_make(
                actor=self.actor, case=case, **{**data, "agency": agency}
            )
        location = f"/api/v1/cases/{case.pk}/referrals"
        return created(_out(referral), location, referral.version)


class ReferralResponseApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Record the response to a referral",
        description="What the agency said, when, and the outcome. Closes the follow-up task.",
        request=ResponseInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: ReferralOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str, referral_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        referral = _referral(case, referral_id)
        version = if_match_version(request, referral.version)
        serializer = ResponseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.referral_record_response(
                actor=self.actor, referral=referral, version=version, **serializer.validated_data
            )
        return with_etag(_out(referral), referral.version)


class ReferralEscalationApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Escalate a referral with no response",
        description="From its follow-up date, while no response is recorded: to whom and why.",
        request=EscalationInputSerializer,
        parameters=[IF_MATCH, etag_header(201)],
        responses={201: ReferralOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str, referral_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        referral = _referral(case, referral_id)
        version = if_match_version(request, referral.version)
        serializer = EscalationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.referral_escalate(
                actor=self.actor, referral=referral, version=version, **serializer.validated_data
            )
        location = f"/api/v1/cases/{case.pk}/referrals"
        return created(_out(referral), location, referral.version)


class OverdueReferralsApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="Referral responses overdue",
        description="Referrals on cases you may see with no response by their follow-up date, "
        "the longest overdue first (at most 500).",
        responses={200: ReferralOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        rows = (
            selectors.overdue_referrals(self.actor)
            .select_related("agency", "made_by")
            .prefetch_related("escalations__escalated_by")[: selectors.OVERDUE_LIMIT]
        )
        return Response(ReferralOutputSerializer(rows, many=True).data)


urlpatterns = [
    path(
        "cases/referrals/overdue",
        OverdueReferralsApi.as_view(),
        name="case_referrals_overdue",
    ),
    path(
        "cases/<uuid:case_id>/referrals",
        ReferralListCreateApi.as_view(),
        name="case_referrals",
    ),
    path(
        "cases/<uuid:case_id>/referrals/<uuid:referral_id>/response",
        ReferralResponseApi.as_view(),
        name="case_referral_response",
    ),
    path(
        "cases/<uuid:case_id>/referrals/<uuid:referral_id>/escalations",
        ReferralEscalationApi.as_view(),
        name="case_referral_escalations",
    ),
]
