"""API: the MASH hub (issue 5, M5 Model 3), mounted under /api/v1/hub/. The same selectors and
actions as the pages: a member organisation refers (with exactly the items it sends, each
shared with the hub), hub staff enter a referral from a call or e-mail, rate it, ask agencies
and decide; the referral reads as the caller's capacity allows (hub, agency, referrer).
Changes to a versioned record need If-Match with its ETag: missing 428, stale 412."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.models import Consent
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
from safecase.api.v1 import hub_requests
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.partnerships import actions, request_actions, selectors
from safecase.partnerships.choices import (
    AgencyKind,
    Decision,
    Rating,
    ReferralStatus,
    Source,
)
from safecase.partnerships.models import HubReferral

RatingField = enum_field(Rating, "HubRatingEnum")
DecisionField = enum_field(Decision, "HubDecisionEnum")
SourceField = enum_field(Source, "HubSourceEnum")
ReferralStatusField = enum_field(ReferralStatus, "HubReferralStatusEnum")
RequestStatusField = hub_requests.StatusField
ConsentField = enum_field(Consent, "HubConsentEnum")
AgencyKindField = enum_field(AgencyKind, "HubAgencyKindEnum")


class SectionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    agency_organisation = serializers.UUIDField(source="agency_organisation_id")
    agency_name = serializers.CharField(source="agency_organisation.name")
    kind = AgencyKindField(source="agency.kind")
    status = RequestStatusField()
    requested_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()
    answer = serializers.CharField(
        allow_null=True, help_text="Null unless you may read it (your own, or released)."
    )
    version = serializers.IntegerField()


class ReferralSummaryOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    subject_name = serializers.CharField()
    source = SourceField()  # type: ignore[assignment] # a field named "source"; DRF pops declared fields
    referring_organisation = serializers.UUIDField(
        source="referring_organisation_id", allow_null=True
    )
    received_at = serializers.DateTimeField()
    rating = serializers.CharField(help_text="red, amber, green, blue, or empty when not rated.")
    work_at_once = serializers.BooleanField()
    status = ReferralStatusField()
    decision = serializers.CharField(help_text="Empty until decided.")
    decision_rationale = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Also sent as the ETag header of the referral.")


class ReferralDetailOutputSerializer(ReferralSummaryOutputSerializer):
    summary = serializers.CharField()
    capacity = serializers.CharField(help_text="hub, agency or referrer.")
    sections = SectionOutputSerializer(many=True)


class ReferInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    subject_name = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=5000)
    concerns = serializers.ListField(child=serializers.UUIDField(), default=list, max_length=50)
    case = serializers.UUIDField(required=False, allow_null=True, default=None)
    person = serializers.UUIDField(required=False, allow_null=True, default=None)
    lawful_basis = serializers.CharField(max_length=500)
    consent = ConsentField()
    consent_override_reason = serializers.CharField(max_length=1000, allow_blank=True, default="")


class IntakeInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    source = serializers.ChoiceField(choices=[Source.PHONE.value, Source.EMAIL.value])  # type: ignore[assignment] # as above
    caller = serializers.CharField(max_length=200)
    subject_name = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=5000)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class RateInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    rating = RatingField()
    rationale = serializers.CharField(max_length=2000)


class DecideInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decision = DecisionField()
    rationale = serializers.CharField(max_length=5000)


class RequestsInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    agencies = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=1,
        max_length=50,
        help_text="Ids from GET /api/v1/hub/agencies.",
    )
    question = serializers.CharField(max_length=2000, allow_blank=True, default="")


class AgencyOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    agency_organisation = serializers.UUIDField(source="agency_organisation_id")
    name = serializers.CharField(source="agency_organisation.name")
    kind = AgencyKindField()


class NewestFirst(KeysetPagination):
    key = ("-received_at", "-id")


def section_data(actor: Actor, cap: selectors.Capacity, request: Any, now: Any) -> dict[str, Any]:
    request.late = request.is_late_at(now)
    data = dict(SectionOutputSerializer(request).data)
    if not selectors.section_readable(actor, cap, request):
        data["answer"] = None
    return data


def referral_data(actor: Actor, referral: HubReferral, *, log: bool = True) -> dict[str, Any]:
    from django.utils import timezone

    cap = selectors.capacity(actor, referral)
    sections = selectors.sections_for(actor, referral, cap)
    now = timezone.now()
    if log:
        shown = [s for s in sections if selectors.section_readable(actor, cap, s)]
        selectors.log_viewed(actor, referral, shown)
    referral.capacity = cap.label  # type: ignore[attr-defined]
    referral.sections = []  # type: ignore[attr-defined]
    data = dict(ReferralDetailOutputSerializer(referral).data)
    data["sections"] = [section_data(actor, cap, s, now) for s in sections]
    return data


def _staff_referral(actor: Actor, referral_id: str) -> HubReferral:
    referral = selectors.access_referral(actor, referral_id, Permission.HUB_MANAGE)
    if referral.organisation_id != actor.organisation_id:
        raise NotPermitted("Not found.")
    return referral


def _fresh(actor: Actor, referral: HubReferral) -> Response:
    referral = selectors.access_referral(actor, referral.pk, Permission.HUB_VIEW)
    return with_etag(referral_data(actor, referral, log=False), referral.version)


class ReferralListCreateApi(RecordApiView):
    required_permission = Permission.HUB_VIEW
    method_permissions = {"POST": Permission.HUB_REFER}
    pagination_class = NewestFirst

    @extend_schema(
        summary="Hub referrals",
        description="The referrals you take part in (as the hub, an agency asked, or the "
        "referrer), newest first.",
        responses={200: ReferralSummaryOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.page(
            selectors.referrals_visible_to(self.actor), ReferralSummaryOutputSerializer
        )

    @extend_schema(
        summary="Refer to the hub",
        description="From your organisation: the concerns, case and person you choose are each "
        "shared with the hub's organisation, with the lawful basis and consent decision "
        "(an override reason when consent was refused or not sought).",
        request=ReferInputSerializer,
        parameters=[etag_header(201)],
        responses={201: ReferralDetailOutputSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        serializer = ReferInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with domain_errors():
            referral = actions.referral_make(
                actor=self.actor,
                subject_name=data["subject_name"],
                summary=data["summary"],
                disclosure=actions.Disclosure(
                    lawful_basis=data["lawful_basis"],
                    consent=data["consent"],
                    consent_override_reason=data["consent_override_reason"],
                ),
                concern_ids=data["concerns"],
                case_id=data["case"],
                person_id=data["person"],
            )
        return created(
            referral_data(self.actor, referral, log=False),
            f"/api/v1/hub/referrals/{referral.pk}",
            referral.version,
        )


class IntakeApi(RecordApiView):
    required_permission = Permission.HUB_MANAGE

    @extend_schema(
        summary="Enter a referral from a call or e-mail",
        description="Hub staff: who referred, about whom, what was said.",
        request=IntakeInputSerializer,
        parameters=[etag_header(201)],
        responses={201: ReferralDetailOutputSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        serializer = IntakeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            referral = actions.referral_enter(actor=self.actor, **serializer.validated_data)
        return created(
            referral_data(self.actor, referral, log=False),
            f"/api/v1/hub/referrals/{referral.pk}",
            referral.version,
        )


class ReferralApi(RecordApiView):
    required_permission = Permission.HUB_VIEW

    @extend_schema(
        summary="A hub referral",
        description="As your capacity allows: the hub sees every section's clock and the "
        "released answers; an agency its own section; the referrer the decision.",
        parameters=[etag_header()],
        responses={200: ReferralDetailOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, referral_id: str) -> Response:
        referral = selectors.access_referral(self.actor, referral_id, Permission.HUB_VIEW)
        return with_etag(referral_data(self.actor, referral), referral.version)


class RatingApi(RecordApiView):
    required_permission = Permission.HUB_MANAGE

    @extend_schema(
        summary="Rate a referral (RAG)",
        description="With a rationale, kept as history; waiting requests get new due times.",
        request=RateInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: ReferralDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, referral_id: str) -> Response:
        referral = _staff_referral(self.actor, referral_id)
        version = if_match_version(request, referral.version)
        serializer = RateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.referral_rate(
                actor=self.actor, referral=referral, version=version, **serializer.validated_data
            )
        return _fresh(self.actor, referral)


class DecisionApi(RecordApiView):
    required_permission = Permission.HUB_MANAGE

    @extend_schema(
        summary="Decide a referral",
        description="The hub's decision and rationale, returned to the referrer.",
        request=DecideInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: ReferralDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, referral_id: str) -> Response:
        referral = _staff_referral(self.actor, referral_id)
        version = if_match_version(request, referral.version)
        serializer = DecideInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.referral_decide(
                actor=self.actor, referral=referral, version=version, **serializer.validated_data
            )
        return _fresh(self.actor, referral)


class RequestsApi(RecordApiView):
    required_permission = Permission.HUB_MANAGE

    @extend_schema(
        summary="Ask agencies for information",
        description="Each agency gets a request due by the rating's timescale on the hub's "
        "calendar.",
        request=RequestsInputSerializer,
        responses={201: ReferralDetailOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, referral_id: str) -> Response:
        referral = _staff_referral(self.actor, referral_id)
        serializer = RequestsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agencies = {a.pk: a for a in selectors.hub_agencies(referral.hub)}
        wanted = serializer.validated_data["agencies"]
        if any(pk not in agencies for pk in wanted):
            raise serializers.ValidationError({"agencies": ["Not one of the hub's agencies."]})
        with domain_errors():
            request_actions.request_send(
                actor=self.actor,
                referral=referral,
                agencies=[agencies[pk] for pk in dict.fromkeys(wanted)],
                question=serializer.validated_data["question"],
            )
        response = _fresh(self.actor, referral)
        response.status_code = 201
        return response


class SectionShareInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=500)


class ShareSectionApi(RecordApiView):
    required_permission = Permission.HUB_MANAGE

    @extend_schema(
        summary="Share a released section with the referral's parties",
        description="The other agencies asked and the referrer then read it; with a reason.",
        request=SectionShareInputSerializer,
        parameters=[IF_MATCH],
        responses={200: ReferralDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, request_id: str) -> Response:
        found = selectors.access_hub_request(self.actor, request_id, Permission.HUB_MANAGE)
        version = if_match_version(request, found.version)
        serializer = SectionShareInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            request_actions.section_share(
                actor=self.actor,
                request=found,
                version=version,
                reason=serializer.validated_data["reason"],
            )
        return _fresh(self.actor, found.referral)


class AgenciesApi(RecordApiView):
    required_permission = Permission.HUB_MANAGE

    @extend_schema(
        summary="The agencies the hub asks",
        responses={200: AgencyOutputSerializer(many=True), **error_responses(404)},
    )
    def get(self, request: Request) -> Response:
        hub = selectors.hub_hosted_by(self.actor.organisation_id)
        if hub is None:
            raise NotPermitted("Not found.")
        return Response(AgencyOutputSerializer(selectors.hub_agencies(hub), many=True).data)


urlpatterns = [
    path("hub/referrals", ReferralListCreateApi.as_view(), name="hub_referrals"),
    path("hub/intake", IntakeApi.as_view(), name="hub_intake"),
    path("hub/agencies", AgenciesApi.as_view(), name="hub_agencies"),
    path("hub/referrals/<str:referral_id>", ReferralApi.as_view(), name="hub_referral"),
    path("hub/referrals/<str:referral_id>/rating", RatingApi.as_view(), name="hub_rating"),
    path("hub/referrals/<str:referral_id>/decision", DecisionApi.as_view(), name="hub_decision"),
    path("hub/referrals/<str:referral_id>/requests", RequestsApi.as_view(), name="hub_requests"),
    path("hub/sections/<str:request_id>/share", ShareSectionApi.as_view(), name="hub_share"),
    *hub_requests.urlpatterns,
]
