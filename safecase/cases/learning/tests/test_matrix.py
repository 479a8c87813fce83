"""The permission matrix of the learning tab, the learning page across cases, the theme
settings and the API.

Riverside holds a case shared with the police (Parveen, the partner with a share, reads its
learning tab and changes nothing) and one restricted to the deputy and the case worker: Lena
Lead, the supervisor and everyone else not named get 404. POSTs carry bad input or stale
versions, so every persona meets the same state.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import actor_for
from safecase.access.actions import share_grant
from safecase.cases.learning.models import Recommendation
from safecase.cases.learning.tests.helpers import recommend, review
from safecase.cases.models import Case
from safecase.cases.tests.helpers import DemoWorld, open_case, restricted_case
from tests.matrix import PERSONAS_WITH_SUPERVISOR, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

TEAM = ("lead", "deputy", "case_worker")
READERS = (*TEAM, "supervisor")
OTHER_LEADS = ("other_org", "primary_lead")
PARTNERS = ("partner_with_share", "partner_without")
OUT_OF_REACH = dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404)
CASE_VIEWERS = dict.fromkeys((*READERS, *PARTNERS, *OTHER_LEADS), 200)
Url = Callable[[DemoWorld], str]


def _case(world: DemoWorld, word: str) -> Case:
    return Case.objects.get(organisation=world.organisations["secondary"], title__contains=word)


def _rec(world: DemoWorld) -> str:
    return str(Recommendation.objects.get(case=_case(world, "Shared")).pk)


def page(word: str, suffix: str = "") -> Url:
    return lambda w: f"/cases/{_case(w, word).pk}/learning/{suffix}"


def api(word: str, suffix: str = "") -> Url:
    return lambda w: f"/api/v1/cases/{_case(w, word).pk}/learning{suffix}"


def team(status: int) -> dict[str, int]:
    return dict.fromkeys(TEAM, status)


READ_SHARED = {**OUT_OF_REACH, **dict.fromkeys(READERS, 200), "partner_with_share": 200}
READ_RESTRICTED = {
    **OUT_OF_REACH,
    "lead": 404,
    "supervisor": 404,
    "deputy": 200,
    "case_worker": 200,
}
CHANGE = dict.fromkeys(OTHER_LEADS, 404)
SETTINGS = {"lead": 200, **dict.fromkeys(OTHER_LEADS, 200)}

STALE_REVIEW = {
    "review-version": 99,
    "review-went_well": "Quick referral.",
    "review-do_better": "Escalate sooner.",
    "review-why_it_happened": "No cover for the lead.",
    "review-facilitator": "Dev Deputy",
    "review-held_on": "2026-01-05",
}

ENDPOINTS = [
    Endpoint("learning tab", "GET", page("Shared"), 403, READ_SHARED),
    Endpoint(
        "review from a stale form",
        "POST",
        page("Shared", "review/"),
        403,
        {**CHANGE, **team(409)},
        data=STALE_REVIEW,
    ),
    Endpoint(
        "recommendation without an owner",
        "POST",
        page("Shared", "recommendations/"),
        403,
        {**CHANGE, **team(422)},
        data={"rec-version": 2, "rec-text": "Train staff.", "rec-due_on": "2030-01-01"},
    ),
    Endpoint(
        "recommendation update without a status",
        "POST",
        lambda w: page("Shared", f"recommendations/{_rec(w)}/status/")(w),
        403,
        {**CHANGE, **team(422)},
        data={},
    ),
    Endpoint("restricted learning tab", "GET", page("senior member"), 403, READ_RESTRICTED),
    Endpoint(
        "review of the restricted case from a stale form",
        "POST",
        page("senior member", "review/"),
        403,
        {**CHANGE, "lead": 404, "deputy": 409, "case_worker": 409},
        data=STALE_REVIEW,
    ),
    Endpoint("learning across cases", "GET", lambda w: "/cases/learning/", 403, CASE_VIEWERS),
    Endpoint(
        "learning across cases, one theme",
        "GET",
        lambda w: "/cases/learning/?theme=escalation",
        403,
        CASE_VIEWERS,
    ),
    Endpoint("theme settings", "GET", lambda w: "/cases/learning/settings/", 403, SETTINGS),
    Endpoint(
        "theme settings emptied",
        "POST",
        lambda w: "/cases/learning/settings/",
        403,
        dict.fromkeys(SETTINGS, 422),
        data={"version": 0, "labels": ""},
    ),
    Endpoint("api learning", "GET", api("Shared"), 403, READ_SHARED, api=True),
    Endpoint(
        "api theme vocabulary",
        "GET",
        lambda w: "/api/v1/learning/vocabulary",
        403,
        SETTINGS,
        api=True,
    ),
    Endpoint(
        "api theme vocabulary without If-Match",
        "PUT",
        lambda w: "/api/v1/learning/vocabulary",
        403,
        dict.fromkeys(SETTINGS, 428),
        api=True,
    ),
    Endpoint(
        "api review without If-Match",
        "PUT",
        api("Shared"),
        403,
        {**CHANGE, **team(428)},
        api=True,
    ),
    Endpoint(
        "api recommendation without If-Match",
        "POST",
        api("Shared", "/recommendations"),
        403,
        {**CHANGE, **team(428)},
        api=True,
    ),
    Endpoint(
        "api recommendation status without If-Match",
        "POST",
        lambda w: api("Shared", f"/recommendations/{_rec(w)}/status")(w),
        403,
        {**CHANGE, **team(428)},
        api=True,
    ),
    Endpoint(
        "api restricted learning", "GET", api("senior member"), 403, READ_RESTRICTED, api=True
    ),
    Endpoint("api themes", "GET", lambda w: "/api/v1/learning/themes", 403, CASE_VIEWERS, api=True),
    Endpoint(
        "api open recommendations",
        "GET",
        lambda w: "/api/v1/learning/recommendations",
        403,
        CASE_VIEWERS,
        api=True,
    ),
]


def test_permission_matrix_for_the_learning_part(world: DemoWorld) -> None:
    shared = open_case(world, title="Shared: Jamie Example-Child, neglect (synthetic)")
    share_grant(
        actor=actor_for(world, "lead"),
        record=shared,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    review(world, shared)
    recommend(world, shared)
    restricted_case(world, "case_worker")
    assert run_matrix(world, ENDPOINTS, PERSONAS_WITH_SUPERVISOR) == []
