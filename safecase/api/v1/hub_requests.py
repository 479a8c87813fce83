"""API: an agency's information requests from the hub (M5 Models 1 and 3): its open requests,
soonest due first; one request with its section; answering it (held for the approver or
released at once) and the approver's release. Only the agency asked reaches a request."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from safecase.access.permissions import Permission
from safecase.api.base import (
    IF_MATCH,
    RecordApiView,
    domain_errors,
    enum_field,
    error_responses,
    etag_header,
    if_match_version,
    list_error_responses,
    with_etag,
)
from safecase.api.pagination import KeysetPagination
from safecase.core.actors import Actor
from safecase.partnerships import request_actions, selectors
from safecase.partnerships.choices import RequestStatus
from safecase.partnerships.models import InformationRequest

StatusField = enum_field(RequestStatus, "HubRequestStatusEnum")


class RequestOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    referral = serializers.UUIDField(source="referral_id")
    subject_name = serializers.CharField(source="referral.subject_name")
    rating = serializers.CharField(source="referral.rating")
    referral_summary = serializers.CharField(source="referral.summary")
    question = serializers.CharField()
    status = StatusField()
    requested_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    released_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()
    version = serializers.IntegerField(help_text="Also sent as the ETag header of the request.")


class AnswerInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    answer = serializers.CharField(max_length=10000)
    hold = serializers.BooleanField(
        default=False, help_text="Hold for your agency's approver to release."
    )


class DueFirst(KeysetPagination):
    key = ("due_at", "id")


def _data(request: InformationRequest) -> dict[str, Any]:
    request.late = request.is_late_at(timezone.now())  # type: ignore[attr-defined]
    return dict(RequestOutputSerializer(request).data)


def _fresh(actor: Actor, request: InformationRequest) -> Response:
    found = selectors.access_request(actor, request.pk, Permission.HUB_ANSWER)
    return with_etag(_data(found), found.version)


class RequestListApi(RecordApiView):
    required_permission = Permission.HUB_ANSWER
    pagination_class = DueFirst

    @extend_schema(
        summary="Our information requests",
        description="Requests to your agency still to answer or release, soonest due first "
        "(requests with no target, blue, are not listed here).",
        responses={200: RequestOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        org = self.actor.organisation_id
        rows = InformationRequest.objects.filter(
            agency_organisation_id=org,
            status__in=(RequestStatus.OPEN, RequestStatus.HELD),
            due_at__isnull=False,
        ).select_related("referral")
        now = timezone.now()
        assert self.pagination_class is not None
        paginator = self.pagination_class()
        items = paginator.paginate_queryset(rows, request, self)
        for item in items:
            item.late = item.is_late_at(now)
        return paginator.get_paginated_response(RequestOutputSerializer(items, many=True).data)


class RequestApi(RecordApiView):
    required_permission = Permission.HUB_ANSWER

    @extend_schema(
        summary="One information request and our section",
        parameters=[etag_header()],
        responses={200: RequestOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, request_id: str) -> Response:
        found = selectors.access_request(self.actor, request_id, Permission.HUB_ANSWER)
        return with_etag(_data(found), found.version)


class AnswerApi(RecordApiView):
    required_permission = Permission.HUB_ANSWER

    @extend_schema(
        summary="Answer our section",
        description="Released to the hub at once, or held for your approver.",
        request=AnswerInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: RequestOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, request_id: str) -> Response:
        found = selectors.access_request(self.actor, request_id, Permission.HUB_ANSWER)
        version = if_match_version(request, found.version)
        serializer = AnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            request_actions.request_answer(
                actor=self.actor, request=found, version=version, **serializer.validated_data
            )
        return _fresh(self.actor, found)


class ReleaseApi(RecordApiView):
    required_permission = Permission.HUB_RELEASE

    @extend_schema(
        summary="Release a held answer to the hub",
        request=None,
        parameters=[IF_MATCH, etag_header()],
        responses={200: RequestOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, request_id: str) -> Response:
        found = selectors.access_request(self.actor, request_id, Permission.HUB_RELEASE)
        version = if_match_version(request, found.version)
        with domain_errors():
            request_actions.request_release(actor=self.actor, request=found, version=version)
        return _fresh(self.actor, found)


urlpatterns = [
    path("hub/requests", RequestListApi.as_view(), name="hub_request_list"),
    path("hub/requests/<str:request_id>", RequestApi.as_view(), name="hub_request"),
    path("hub/requests/<str:request_id>/answer", AnswerApi.as_view(), name="hub_answer"),
    path("hub/requests/<str:request_id>/release", ReleaseApi.as_view(), name="hub_release"),
]
