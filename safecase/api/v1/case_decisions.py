"""API: Decisions, sanctions and appeals (issue 4), mounted under /api/v1/cases/<case_id>/.

The same selectors and actions as the Decision and appeal tab. Reads start from the case's
visibility (a restricted case is 404 to everyone not named). Recording a decision or lodging
an appeal needs If-Match with the case's ETag (its version: the decision is made on the case
as read); setting an appeal's panel or recording its outcome needs the appeal's ETag. Missing
428, stale 412, nothing changed. Decisions are never changed: a later one supersedes them.
"""

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
from safecase.cases.decisions import actions, selectors
from safecase.cases.decisions.choices import AppealOutcome, AppliesTo, OptionKind
from safecase.cases.decisions.models import Appeal, Decision, DecisionOption
from safecase.cases.decisions.selectors import SanctionInput
from safecase.cases.models import Case, CaseSubject
from safecase.core.actors import Actor
from safecase.core.errors import DomainError, NotPermitted

AppealOutcomeField = enum_field(AppealOutcome, "AppealOutcomeEnum")
OptionKindField = enum_field(OptionKind, "DecisionOptionKindEnum")
AppliesToField = enum_field(AppliesTo, "DecisionOptionAppliesToEnum")

# --- Serializers ----------------------------------------------------------------------------


class OptionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    label = serializers.CharField()
    kind = OptionKindField()
    applies_to = AppliesToField()
    help_text = serializers.CharField()
    shipped = serializers.SerializerMethodField()

    def get_shipped(self, option: DecisionOption) -> bool:
        return option.organisation_id is None


class SanctionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(source="option.code")
    label = serializers.CharField()
    detail = serializers.CharField()
    ends_on = serializers.DateField(allow_null=True)


class DecisionOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    outcome = serializers.CharField(source="outcome.code")
    outcome_label = serializers.CharField(help_text="As it was when the decision was made.")
    sanctions = SanctionOutputSerializer(many=True, source="sanctions.all")
    decision_makers = serializers.SerializerMethodField()
    rationale = serializers.CharField()
    decided_at = serializers.DateTimeField()
    recorded_by = serializers.CharField(source="recorded_by.full_name")
    supersedes = serializers.UUIDField(source="supersedes_id", allow_null=True)
    supersede_reason = serializers.CharField()
    appeal = serializers.UUIDField(
        source="appeal_id", allow_null=True, help_text="Set when an appeal panel varied it."
    )
    snapshot_sha256 = serializers.CharField()

    def get_decision_makers(self, decision: Decision) -> list[dict[str, str]]:
        return [{"id": str(u.pk), "name": u.full_name} for u in decision.decision_makers.all()]


class DecisionDetailOutputSerializer(DecisionOutputSerializer):
    snapshot = serializers.JSONField(
        help_text="What the decision makers could see, frozen when it was recorded; its "
        "canonical JSON (sorted keys, no spaces) hashes to snapshot_sha256."
    )


class AppealOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.UUIDField()
    decision = serializers.UUIDField(source="decision_id")
    appellant_name = serializers.CharField()
    appellant_role = serializers.CharField()
    appellant_person = serializers.UUIDField(source="appellant_person_id", allow_null=True)
    grounds = serializers.CharField()
    lodged_at = serializers.DateTimeField()
    deadline = serializers.DateField()
    late_reason = serializers.CharField()
    panel = serializers.SerializerMethodField()
    hearing_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(
        help_text="Empty until decided; else upheld, dismissed, varied."
    )
    outcome_reason = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(help_text="Also sent as the ETag of the appeal.")

    def get_panel(self, appeal: Appeal) -> list[dict[str, str]]:
        return [{"id": str(u.pk), "name": u.full_name} for u in appeal.panel.all()]


class DecisionsOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    current = serializers.UUIDField(allow_null=True, help_text="The decision in force.")
    decisions = DecisionOutputSerializer(many=True, help_text="Newest first.")
    appeals = AppealOutputSerializer(many=True, help_text="Newest first.")


class SanctionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(help_text="A sanction code, e.g. `training`.")
    detail = serializers.CharField(max_length=300, allow_blank=True, default="")
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class DecisionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    outcome = serializers.CharField(help_text="An outcome code, e.g. `substantiated`.")
    sanctions = SanctionInputSerializer(many=True, default=list)
    decision_makers = serializers.ListField(
        child=serializers.UUIDField(), min_length=1, max_length=20, help_text="Include yourself."
    )
    rationale = serializers.CharField(max_length=20000, allow_blank=True)
    decided_at = serializers.DateTimeField()
    supersede_reason = serializers.CharField(max_length=5000, allow_blank=True, default="")


class AppealInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    appellant_person = serializers.UUIDField(required=False, allow_null=True, default=None)
    appellant_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    appellant_role = serializers.CharField(max_length=120, allow_blank=True, default="")
    grounds = serializers.CharField(max_length=20000, allow_blank=True)
    lodged_at = serializers.DateTimeField()
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    late_reason = serializers.CharField(max_length=5000, allow_blank=True, default="")


class PanelInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    panel = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=20)
    hearing_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AppealOutcomeInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    outcome = AppealOutcomeField()
    reason = serializers.CharField(max_length=20000, allow_blank=True)
    decided_at = serializers.DateTimeField()
    new_outcome = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Varied only: an outcome code."
    )
    sanctions = SanctionInputSerializer(many=True, default=list)
    decision_makers = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Varied only: panel members (all of the panel if left out).",
    )
    rationale = serializers.CharField(max_length=20000, allow_blank=True, default="")


# --- Helpers --------------------------------------------------------------------------------


def _case(actor: Actor, case_id: str, perm: Permission, *, own: bool = False) -> Case:
    cases = case_selectors.cases_visible_to(actor).select_related("case_type", "organisation")
    if own:
        cases = cases.filter(organisation=actor.organisation)
    return access_object(actor, cases, case_id, perm)


def _outcome(case: Case, code: str, field: str) -> DecisionOption:
    found = next((o for o in selectors.outcomes_for_case(case) if o.code == code), None)
    if found is None:
        raise serializers.ValidationError({field: ["Not an outcome offered on this case."]})
    return found


def _sanctions(case: Case, rows: list[dict[str, Any]]) -> list[SanctionInput]:
    offered = {o.code: o for o in selectors.sanctions_for_case(case)}
    chosen = []
    for row in rows:
        option = offered.get(row["code"])
        if option is None:
            raise serializers.ValidationError({"sanctions": [f"Not a sanction: {row['code']}."]})
        chosen.append(SanctionInput(option=option, detail=row["detail"], ends_on=row["ends_on"]))
    return chosen


def _users(case: Case, ids: list[Any], field: str) -> list[Any]:
    try:
        return selectors.users_of(case, ids)
    except DomainError as exc:
        raise serializers.ValidationError({field: [exc.message]}) from exc


def _decide(call: Any) -> Any:
    """Run an action; NotPermitted on a case the actor sees is 403 (what is missing)."""
    try:
        with domain_errors({"outcome_reason": "reason", "appellant": "appellant_person"}):
            return call()
    except NotPermitted as exc:
        raise exceptions.PermissionDenied(exc.message) from exc


def _decisions_data(case: Case) -> dict[str, Any]:
    page = selectors.decision_page(case)
    return dict(
        DecisionsOutputSerializer(
            {
                "current": page.current.pk if page.current else None,
                "decisions": page.history,
                "appeals": page.appeals,
            }
        ).data
    )


# --- Views ----------------------------------------------------------------------------------


class DecisionListCreateApi(RecordApiView):
    required_permission = Permission.CASE_VIEW
    method_permissions = {"POST": Permission.CASE_DECIDE}

    @extend_schema(
        operation_id="cases_decisions_list",
        summary="A case's decisions and appeals",
        description="The current decision, every decision (newest first) and the appeals. The "
        "ETag is the case's: send it as If-Match to record a decision or lodge an appeal.",
        parameters=[etag_header()],
        responses={200: DecisionsOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW)
        return with_etag(_decisions_data(case), case.version)

    @extend_schema(
        summary="Record a decision",
        description="At the decision stage (or, with `supersede_reason`, superseding the current "
        "one). Needs case.decide; you must be one of the decision makers; the rationale is "
        "mandatory. A snapshot of what the decision makers could see is frozen with it.",
        request=DecisionInputSerializer,
        parameters=[IF_MATCH, etag_header(201)],
        responses={201: DecisionDetailOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_DECIDE, own=True)
        version = if_match_version(request, case.version)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        decision = _decide(
            lambda: actions.decision_record(
                actor=self.actor,
                case=case,
                version=version,
                outcome=_outcome(case, data["outcome"], "outcome"),
                sanctions=_sanctions(case, data["sanctions"]),
                decision_makers=_users(case, data["decision_makers"], "decision_makers"),
                rationale=data["rationale"],
                decided_at=data["decided_at"],
                supersede_reason=data["supersede_reason"],
            )
        )
        found = selectors.decision_on(self.actor, case.pk, decision.pk)
        url = reverse("api:case_decision", kwargs={"case_id": case.pk, "decision_id": decision.pk})
        return created(DecisionDetailOutputSerializer(found).data, url, case.version)


class DecisionApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        operation_id="cases_decision_retrieve",
        summary="A decision, with its frozen snapshot",
        responses={200: DecisionDetailOutputSerializer, **error_responses(404)},
    )
    def get(self, request: Request, case_id: str, decision_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_VIEW)
        decision = selectors.decision_on(self.actor, case.pk, decision_id)
        if decision is None:
            raise exceptions.NotFound()
        return Response(DecisionDetailOutputSerializer(decision).data)


class AppealCreateApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Lodge an appeal against the current decision",
        description="Grounds are mandatory. The deadline defaults to 14 calendar days after the "
        "decision (standing in for 10 working days); one lodged after it needs `late_reason`.",
        request=AppealInputSerializer,
        parameters=[IF_MATCH, etag_header(201)],
        responses={201: AppealOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        version = if_match_version(request, case.version)
        serializer = AppealInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        current = selectors.current_decision(case)
        if current is None:
            raise serializers.ValidationError({"detail": "There is no decision to appeal yet."})
        person = None
        if data["appellant_person"] is not None:
            subject = (
                CaseSubject.objects.filter(case=case, person_id=data["appellant_person"])
                .select_related("person")
                .first()
            )
            if subject is None:
                raise serializers.ValidationError({"appellant_person": ["Not on this case."]})
            person = subject.person
        appeal = _decide(
            lambda: actions.appeal_lodge(
                actor=self.actor,
                case=case,
                version=version,
                decision=current,
                appellant_person=person,
                appellant_name=data["appellant_name"],
                appellant_role=data["appellant_role"],
                grounds=data["grounds"],
                lodged_at=data["lodged_at"],
                deadline=data["deadline"],
                late_reason=data["late_reason"],
            )
        )
        url = reverse("api:case_decisions", kwargs={"case_id": case.pk})
        return created(AppealOutputSerializer(appeal).data, url, appeal.version)


def _appeal(case: Case, appeal_id: str) -> Appeal:
    appeal = selectors.appeal_on(case, appeal_id)
    if appeal is None:
        raise exceptions.NotFound()
    return appeal


class AppealPanelApi(RecordApiView):
    required_permission = Permission.CASE_MANAGE

    @extend_schema(
        summary="Set an appeal's panel and hearing",
        description="The panel must not include any of the challenged decision's makers (400 "
        "naming them); each member must hold case.decide.",
        request=PanelInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: AppealOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str, appeal_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_MANAGE, own=True)
        appeal = _appeal(case, appeal_id)
        version = if_match_version(request, appeal.version)
        serializer = PanelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _decide(
            lambda: actions.appeal_set_panel(
                actor=self.actor,
                appeal=appeal,
                version=version,
                panel=_users(case, data["panel"], "panel"),
                hearing_at=data["hearing_at"],
            )
        )
        appeal = _appeal(case, appeal_id)
        return with_etag(AppealOutputSerializer(appeal).data, appeal.version)


class AppealOutcomeApi(RecordApiView):
    required_permission = Permission.CASE_DECIDE

    @extend_schema(
        summary="Record an appeal's outcome",
        description="By a panel member. `upheld`: the original decision stands. `dismissed`: "
        "the appeal is rejected. `varied`: the panel's new decision (new_outcome, sanctions, "
        "rationale, with its own snapshot) becomes the current one; the first stays.",
        request=AppealOutcomeInputSerializer,
        parameters=[IF_MATCH, etag_header()],
        responses={200: AppealOutputSerializer, **error_responses(400, 404, 412, 428)},
    )
    def post(self, request: Request, case_id: str, appeal_id: str) -> Response:
        case = _case(self.actor, case_id, Permission.CASE_DECIDE, own=True)
        appeal = _appeal(case, appeal_id)
        version = if_match_version(request, appeal.version)
        serializer = AppealOutcomeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        varied = data["outcome"] == AppealOutcome.VARIED
        _decide(
            lambda: actions.appeal_record_outcome(
                actor=self.actor,
                appeal=appeal,
                version=version,
                outcome=data["outcome"],
                reason=data["reason"],
                decided_at=data["decided_at"],
                new_outcome=(
                    _outcome(case, data["new_outcome"], "new_outcome")
                    if data["new_outcome"]
                    else None
                ),
                sanctions=_sanctions(case, data["sanctions"]),
                decision_makers=(
                    _users(case, data["decision_makers"], "decision_makers")
                    if varied and data["decision_makers"]
                    else None
                ),
                rationale=data["rationale"],
            )
        )
        appeal = _appeal(case, appeal_id)
        return with_etag(AppealOutputSerializer(appeal).data, appeal.version)


class DecisionOptionListApi(RecordApiView):
    required_permission = Permission.CASE_VIEW

    @extend_schema(
        summary="The outcomes and sanctions your organisation offers",
        description="Outcomes say which cases they apply to (allegations, others, any).",
        responses={200: OptionOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request) -> Response:
        org = self.actor.organisation_id
        options = [
            *selectors.options_for(org, OptionKind.OUTCOME),
            *selectors.options_for(org, OptionKind.SANCTION),
        ]
        return Response(OptionOutputSerializer(options, many=True).data)


urlpatterns = [
    path("decision-options", DecisionOptionListApi.as_view(), name="decision_options"),
    path(
        "cases/<uuid:case_id>/decisions",
        DecisionListCreateApi.as_view(),
        name="case_decisions",
    ),
    path(
        "cases/<uuid:case_id>/decisions/<uuid:decision_id>",
        DecisionApi.as_view(),
        name="case_decision",
    ),
    path("cases/<uuid:case_id>/appeals", AppealCreateApi.as_view(), name="case_appeals"),
    path(
        "cases/<uuid:case_id>/appeals/<uuid:appeal_id>/panel",
        AppealPanelApi.as_view(),
        name="case_appeal_panel",
    ),
    path(
        "cases/<uuid:case_id>/appeals/<uuid:appeal_id>/outcome",
        AppealOutcomeApi.as_view(),
        name="case_appeal_outcome",
    ),
]
