"""API: the organisation's outgoing webhooks (issue 5, M5 model 3), for its administrators
(``webhook.manage``). The same actions and selectors as the pages: another organisation's
endpoint or delivery is 404; a change needs If-Match with the endpoint's ETag (missing 428,
stale 412, nothing changed). The signing secret appears once, in the answer that set it."""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

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
from safecase.api.webhooks import actions, selectors
from safecase.api.webhooks.models import DeliveryStatus, WebhookEndpoint
from safecase.core.events import EVENT_TYPES

DeliveryStatusField = enum_field(DeliveryStatus, "WebhookDeliveryStatusEnum")


class EndpointOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    url = serializers.CharField()
    description = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    secret_rotated_at = serializers.DateTimeField(allow_null=True)
    deactivated_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Also sent as the ETag header of the endpoint.")


class EndpointWithSecretOutputSerializer(EndpointOutputSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (whsec_...): returned only here, never again."
    )


class EndpointInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    url = serializers.CharField(max_length=500, help_text="https:// only (see docs/webhooks.md).")
    description = serializers.CharField(max_length=200, allow_blank=True, default="")
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_TYPES)), min_length=1
    )


class EndpointChangeInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    url = serializers.CharField(max_length=500, required=False)
    description = serializers.CharField(max_length=200, allow_blank=True, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_TYPES)), min_length=1, required=False
    )
    is_active = serializers.BooleanField(required=False)


class DeliveryOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    endpoint = serializers.UUIDField(source="endpoint_id")
    event_id = serializers.UUIDField(help_text="The webhook-id header: the same on every retry.")
    event_type = serializers.CharField()
    payload = serializers.DictField()
    occurred_at = serializers.DateTimeField()
    status = DeliveryStatusField()
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_response_status = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    succeeded_at = serializers.DateTimeField(allow_null=True)
    redelivery_of = serializers.UUIDField(source="redelivery_of_id", allow_null=True)
    created_at = serializers.DateTimeField()


class DeliveryPagination(KeysetPagination):
    key = ("-created_at", "id")


def _endpoint_url(endpoint: WebhookEndpoint) -> str:
    return reverse("api:webhook_endpoint", kwargs={"endpoint_id": endpoint.pk})


def _out(endpoint: WebhookEndpoint, secret: str | None = None) -> dict[str, Any]:
    if secret is None:
        return dict(EndpointOutputSerializer(endpoint).data)
    data = dict(EndpointWithSecretOutputSerializer({**_fields(endpoint), "secret": secret}).data)
    return data


def _fields(endpoint: WebhookEndpoint) -> dict[str, Any]:
    names: list[str] = list(EndpointOutputSerializer().fields.keys())
    return {name: getattr(endpoint, name) for name in names}


class EndpointPagination(KeysetPagination):
    key = ("-created_at", "id")


class EndpointListCreateApi(RecordApiView):
    required_permission = Permission.WEBHOOK_MANAGE
    pagination_class = EndpointPagination

    @extend_schema(
        summary="Your organisation's webhook endpoints",
        description="Newest first.",
        responses={200: EndpointOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request) -> Response:
        return self.page(selectors.endpoints_visible_to(self.actor), EndpointOutputSerializer)

    @extend_schema(
        summary="Add a webhook endpoint",
        description="Answers with the signing secret, once. Events: "
        + ", ".join(f"`{e}`" for e in EVENT_TYPES)
        + ".",
        request=EndpointInputSerializer,
        parameters=[etag_header(201)],
        responses={201: EndpointWithSecretOutputSerializer, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        serializer = EndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            endpoint, secret = actions.webhook_endpoint_create(
                actor=self.actor, **serializer.validated_data
            )
        return created(_out(endpoint, secret), _endpoint_url(endpoint), endpoint.version)


class EndpointApi(RecordApiView):
    required_permission = Permission.WEBHOOK_MANAGE

    @extend_schema(
        summary="A webhook endpoint",
        parameters=[etag_header()],
        responses={200: EndpointOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        endpoint = selectors.access_endpoint(self.actor, endpoint_id)
        return with_etag(_out(endpoint), endpoint.version)

    @extend_schema(
        summary="Change a webhook endpoint",
        description="Send only the fields to change (`is_active` false stops deliveries), with "
        "If-Match holding the ETag you read.",
        request=EndpointChangeInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: EndpointOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def patch(self, request: Request, endpoint_id: str) -> Response:
        endpoint = selectors.access_endpoint(self.actor, endpoint_id)
        version = if_match_version(request, endpoint.version)
        serializer = EndpointChangeInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data:
            raise serializers.ValidationError({"detail": ["Send at least one field to change."]})
        with domain_errors():
            endpoint = actions.webhook_endpoint_update(
                actor=self.actor, endpoint=endpoint, version=version, **serializer.validated_data
            )
        return with_etag(_out(endpoint), endpoint.version)

    @extend_schema(
        summary="Deactivate a webhook endpoint",
        description="Nothing more is sent to it; its delivery log is kept.",
        request=None,
        parameters=[IF_MATCH, etag_header()],
        responses={200: EndpointOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def delete(self, request: Request, endpoint_id: str) -> Response:
        endpoint = selectors.access_endpoint(self.actor, endpoint_id)
        version = if_match_version(request, endpoint.version)
        with domain_errors():
            endpoint = actions.webhook_endpoint_deactivate(
                actor=self.actor, endpoint=endpoint, version=version
            )
        return with_etag(_out(endpoint), endpoint.version)


class EndpointRotateSecretApi(RecordApiView):
    required_permission = Permission.WEBHOOK_MANAGE

    @extend_schema(
        summary="Rotate an endpoint's signing secret",
        description="Answers with the new secret, once; the old one stops working at once.",
        request=None,
        parameters=[IF_MATCH, etag_header()],
        responses={200: EndpointWithSecretOutputSerializer, **error_responses(404, 412, 428)},
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        endpoint = selectors.access_endpoint(self.actor, endpoint_id)
        version = if_match_version(request, endpoint.version)
        with domain_errors():
            endpoint, secret = actions.webhook_endpoint_rotate_secret(
                actor=self.actor, endpoint=endpoint, version=version
            )
        return with_etag(_out(endpoint, secret), endpoint.version)


class EndpointPingApi(RecordApiView):
    required_permission = Permission.WEBHOOK_MANAGE

    @extend_schema(
        summary="Send a test event",
        description="Queues a `webhook.ping` delivery to this endpoint, signed and retried like "
        "any other.",
        request=None,
        responses={201: DeliveryOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        endpoint = selectors.access_endpoint(self.actor, endpoint_id)
        with domain_errors():
            sent = actions.webhook_endpoint_ping(actor=self.actor, endpoint=endpoint)
        return created(DeliveryOutputSerializer(sent).data, _deliveries_url(endpoint))


def _deliveries_url(endpoint: WebhookEndpoint) -> str:
    return reverse("api:webhook_deliveries", kwargs={"endpoint_id": endpoint.pk})


class DeliveryListApi(RecordApiView):
    required_permission = Permission.WEBHOOK_MANAGE
    pagination_class = DeliveryPagination

    @extend_schema(
        summary="An endpoint's delivery log",
        description="Newest first: each event sent, its attempts and the last answer.",
        responses={200: DeliveryOutputSerializer(many=True), **list_error_responses()},
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        endpoint = selectors.access_endpoint(self.actor, endpoint_id)
        return self.page(selectors.delivery_log(endpoint), DeliveryOutputSerializer)


class DeliveryRedeliverApi(RecordApiView):
    required_permission = Permission.WEBHOOK_MANAGE

    @extend_schema(
        summary="Send a delivery again",
        description="A new delivery with the same event id (receivers deduplicate on it) and "
        "a fresh set of attempts.",
        request=None,
        responses={201: DeliveryOutputSerializer, **error_responses(400, 404)},
    )
    def post(self, request: Request, delivery_id: str) -> Response:
        delivery = selectors.access_delivery(self.actor, delivery_id)
        with domain_errors():
            again = actions.webhook_delivery_redeliver(actor=self.actor, delivery=delivery)
        return created(DeliveryOutputSerializer(again).data, _deliveries_url(delivery.endpoint))


urlpatterns = [
    path("webhooks/endpoints", EndpointListCreateApi.as_view(), name="webhook_endpoints"),
    path("webhooks/endpoints/<uuid:endpoint_id>", EndpointApi.as_view(), name="webhook_endpoint"),
    path(
        "webhooks/endpoints/<uuid:endpoint_id>/rotate-secret",
        EndpointRotateSecretApi.as_view(),
        name="webhook_endpoint_rotate_secret",
    ),
    path(
        "webhooks/endpoints/<uuid:endpoint_id>/ping",
        EndpointPingApi.as_view(),
        name="webhook_endpoint_ping",
    ),
    path(
        "webhooks/endpoints/<uuid:endpoint_id>/deliveries",
        DeliveryListApi.as_view(),
        name="webhook_deliveries",
    ),
    path(
        "webhooks/deliveries/<uuid:delivery_id>/redeliver",
        DeliveryRedeliverApi.as_view(),
        name="webhook_delivery_redeliver",
    ),
]
