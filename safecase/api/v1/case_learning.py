"""API: Learning reviews (issue 4), mounted under /api/v1/cases/<case_id>/, and the themes
and open recommendations across cases (/api/v1/learning/...).

The same selectors and actions as the learning pages. Reading needs case.view (a restricted
case is 404 to everyone not named, and never counted or listed for them); changes need
case.manage on your own organisation's case and If-Match: the review's ETag ("0" before it
exists) to save the review or add a recommendation, the recommendation's own version to
update it. Missing 428, stale 412."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
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
    list_error_responses,
    with_etag,
)
from safecase.api.pagination import KeysetPagination
from safecase.cases.learning import actions, selectors
from safecase.cases.learning.choices import RecommendationStatus
from safecase.cases.models import Case
from safecase.cases.selectors import cases_visible_to, user_in_organisation
from safecase.core.actors import Actor

StatusField = enum_field(RecommendationStatus, "RecommendationStatusEnum")


class LearningRecommendationOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    text = serializers.CharField()
    owner = serializers.UUIDField(source="owner_id")
    owner_name = serializers.CharField(source="owner.full_name")
    due_on = serializers.DateField()
    status = StatusField()
    status_reason = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Send as If-Match to update it.")


class LearningReviewOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    went_well = serializers.CharField()
    do_better = serializers.CharField()
    why_it_happened = serializers.CharField()
    facilitator = serializers.CharField()
    held_on = serializers.DateField()
    recorded_by = serializers.CharField(source="recorded_by.full_name")


class LearningOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    case = serializers.UUIDField()
    review = LearningReviewOutputSerializer(allow_null=True)
    themes = serializers.ListField(child=serializers.CharField(), help_text="Theme codes.")
    recommendations = LearningRecommendationOutputSerializer(many=True)
    version = serializers.IntegerField(help_text="Also the ETag: 0 before the review exists.")


class LearningReviewInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    went_well = serializers.CharField(max_length=10_000)
    do_better = serializers.CharField(max_length=10_000)
    why_it_happened = serializers.CharField(max_length=10_000)
    facilitator = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    themes = serializers.ListField(
        child=serializers.SlugField(max_length=60), max_length=40, default=list
    )


class LearningRecommendationInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(max_length=10_000)
    owner = serializers.UUIDField(help_text="An active member of your organisation.")
    due_on = serializers.DateField()


class LearningStatusInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = StatusField()
    reason = serializers.CharField(
        max_length=10_000, allow_blank=True, default="", help_text="Needed to drop or reopen."
    )


class LearningThemeCountOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    label = serializers.CharField()
    cases = serializers.IntegerField()


class SoonestDuePagination(KeysetPagination):
    key = ("due_on", "id")


def _case(actor: Actor, case_id: str, perm: Permission, *, own: bool = False) -> Case:
    cases = cases_visible_to(actor).select_related("case_type", "organisation")
    if own:
        cases = cases.filter(organisation=actor.organisation)
    return access_object(actor, cases, case_id, perm)


def _answer(case: Case) -> Response:
    part = selectors.learning_part(case)
    data: dict[str, Any] = {
        "case": case.pk,
        "review": part.review,
        "themes": part.themes,
        "recommendations": part.recommendations,
        "version": part.version,
    }
    return with_etag(LearningOutputSerializer(data).data, part.version)


CHANGE_ERRORS = error_responses(400, 404, 412, 428)


class LearningApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"PUT": Permission.CASE_MANAGE}

    @extend_schema(
        summary="A case's learning review",
        description="What went well, what could be done better, why it happened, its themes "
        "and recommendations.",
        parameters=[etag_header()],
        responses={200: LearningOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        return _answer(_case(self.actor, case_id, Permission.CASE_VIEW))

    @extend_schema(
        summary="Record or revise the learning review",
        description='If-Match "0" to record it, its ETag to revise it. Themes are codes of '
        "your organisation's vocabulary (GET /api/v1/learning/themes).",
        request=LearningReviewInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: LearningOutputSerializer, **CHANGE_ERRORS},
    )
    def put(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        version = if_match_version(request, selectors.learning_part(case).version)
        serializer = LearningReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.learning_review_save(
                actor=self.actor, case=case, version=version, **serializer.validated_data
            )
        return _answer(case)


class RecommendationCreateApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Add a recommendation",
        description="A tracked action with an owner and a due date. If-Match: the review's ETag.",
        request=LearningRecommendationInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: LearningOutputSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        version = if_match_version(request, selectors.learning_part(case).version)
        serializer = LearningRecommendationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner = user_in_organisation(case, str(data["owner"]))
        if owner is None:
            raise serializers.ValidationError({"owner": ["Choose an active member."]})
        with domain_errors():
            actions.recommendation_add(
                actor=self.actor,
                case=case,
                version=version,
                text=data["text"],
                owner=owner,
                due_on=data["due_on"],
            )
        return _answer(case)


class RecommendationStatusApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Mark a recommendation done, drop it or reopen it",
        description="If-Match: the recommendation's `version`. Dropping or reopening needs "
        "the reason.",
        request=LearningStatusInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: LearningOutputSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, case_id: str, recommendation_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        recommendation = selectors.recommendation_on(case, recommendation_id)
        if recommendation is None:
            raise Http404
        version = if_match_version(request, recommendation.version)
        serializer = LearningStatusInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.recommendation_update(
                actor=self.actor,
                recommendation=recommendation,
                version=version,
                **serializer.validated_data,
            )
        return _answer(case)


class ThemeCountApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="Learning themes counted across cases",
        description="How many of the cases you may see have a review tagged with each theme.",
        responses={200: LearningThemeCountOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return Response(
            LearningThemeCountOutputSerializer(selectors.theme_counts(self.actor), many=True).data
        )


class OpenRecommendationApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    pagination_class = SoonestDuePagination

    @extend_schema(
        summary="Open recommendations across cases",
        description="On the cases you may see, soonest due first; `theme` to filter.",
        parameters=[OpenApiParameter("theme", str, required=False)],
        responses={
            200: LearningRecommendationOutputSerializer(many=True),
            **list_error_responses(),
        },
    )
    def get(self, request: Request) -> Response:
        theme = request.query_params.get("theme", "")
        rows = selectors.open_recommendations(self.actor, theme=theme)
        return self.page(rows, LearningRecommendationOutputSerializer)


BASE = "cases/<uuid:case_id>/learning"

urlpatterns = [
    path(BASE, LearningApi.as_view(), name="case_learning"),
    path(
        f"{BASE}/recommendations",
        RecommendationCreateApi.as_view(),
        name="case_learning_recommendations",
    ),
    path(
        f"{BASE}/recommendations/<uuid:recommendation_id>/status",
        RecommendationStatusApi.as_view(),
        name="case_learning_recommendation_status",
    ),
    path("learning/themes", ThemeCountApi.as_view(), name="learning_themes"),
    path(
        "learning/recommendations",
        OpenRecommendationApi.as_view(),
        name="learning_recommendations",
    ),
]


# --- The organisation's theme vocabulary ------------------------------------------------------


class LearningThemeOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    label = serializers.CharField()
    active = serializers.BooleanField()


class LearningVocabularyOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    themes = LearningThemeOutputSerializer(many=True)
    version = serializers.IntegerField(help_text="Also the ETag: 0 while the shipped themes apply.")


class LearningVocabularyInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    labels = serializers.ListField(
        child=serializers.CharField(max_length=80), min_length=1, max_length=40
    )


def _vocabulary(actor: Actor) -> Response:
    org_id = actor.organisation_id
    version = selectors.settings_version(org_id)
    data = {"themes": selectors.themes_for(org_id), "version": version}
    return with_etag(LearningVocabularyOutputSerializer(data).data, version)


class LearningVocabularyApi(RecordApiView):
    required_permission = Permission.CONCERN_CONFIGURE

    @extend_schema(
        summary="The organisation's learning themes",
        description="Every theme, retired ones included (`active`: still offered).",
        parameters=[etag_header()],
        responses={200: LearningVocabularyOutputSerializer, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        return _vocabulary(self.actor)

    @extend_schema(
        summary="Change the organisation's learning themes",
        description="The labels offered, in order; a theme left out is retired, not deleted.",
        request=LearningVocabularyInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: LearningVocabularyOutputSerializer, **error_responses(400, 412, 428)},
    )
    def put(self, request: Request) -> Response:
        version = if_match_version(request, selectors.settings_version(self.actor.organisation_id))
        serializer = LearningVocabularyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with domain_errors():
            actions.learning_settings_update(
                actor=self.actor, version=version, **serializer.validated_data
            )
        return _vocabulary(self.actor)


urlpatterns.append(
    path("learning/vocabulary", LearningVocabularyApi.as_view(), name="learning_vocabulary")
)
