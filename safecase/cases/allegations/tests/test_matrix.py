"""The permission matrix of the allegation tab, its settings page and its API.

Riverside holds an allegation shared with the police (Parveen, the partner with a share, reads
its tab and changes nothing) and one restricted to the deputy and the case worker (an
allegation against the lead): Lena Lead, the supervisor and everyone else not named get 404.
Pages answer 403 to a role without the permission before any case is looked up; POSTs carry
bad input or stale versions, so every persona meets the same state.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import actor_for
from safecase.access.actions import share_grant
from safecase.cases.allegations.models import BarringReferral, SuspensionDecision
from safecase.cases.allegations.tests.helpers import allegation_case, refer, suspend
from safecase.cases.models import Case
from safecase.cases.tests.helpers import DemoWorld, restricted_case
from tests.matrix import PERSONAS_WITH_SUPERVISOR, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

TEAM = ("lead", "deputy", "case_worker")
READERS = (*TEAM, "supervisor")
OTHER_LEADS = ("other_org", "primary_lead")
PARTNERS = ("partner_with_share", "partner_without")
OUT_OF_REACH = dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404)
Url = Callable[[DemoWorld], str]


def _case(world: DemoWorld, word: str) -> Case:
    return Case.objects.get(organisation=world.organisations["secondary"], title__contains=word)


def _decision(world: DemoWorld) -> str:
    return str(SuspensionDecision.objects.get(case=_case(world, "Shared")).pk)


def _referral(world: DemoWorld) -> str:
    return str(BarringReferral.objects.get(case=_case(world, "Shared")).pk)


def page(word: str, suffix: str = "") -> Url:
    return lambda w: f"/cases/{_case(w, word).pk}/allegation/{suffix}"


def api(word: str, suffix: str = "") -> Url:
    return lambda w: f"/api/v1/cases/{_case(w, word).pk}/allegation{suffix}"


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
# case.manage: the team and the other organisations' leads (404: not their case).
CHANGE = {**dict.fromkeys(OTHER_LEADS, 404)}
SETTINGS = {"lead": 200, **dict.fromkeys(OTHER_LEADS, 200)}

ENDPOINTS = [
    Endpoint("allegation tab", "GET", page("Shared"), 403, READ_SHARED),
    Endpoint(
        "harm test without answers",
        "POST",
        page("Shared", "harm-test/"),
        403,
        {**CHANGE, **team(422)},
        data={"harm-version": 0},
    ),
    Endpoint(
        "LADO with a malformed date",
        "POST",
        page("Shared", "lado/"),
        403,
        {**CHANGE, **team(422)},
        data={"lado-version": 0, "lado-lado_reference": "L-1", "lado-referred_on": "2026-02-30"},
    ),
    Endpoint(
        "suspension from a stale form",
        "POST",
        page("Shared", "suspension/"),
        403,
        {**CHANGE, **team(409)},
        data={
            "suspend-version": 99,
            "suspend-decision": "not_suspended",
            "suspend-rationale": "No contact with children in this role.",
            "suspend-starts_on": "2026-01-05",
        },
    ),
    Endpoint(
        "review from a stale form",
        "POST",
        lambda w: page("Shared", f"suspension/{_decision(w)}/review/")(w),
        403,
        {**CHANGE, **team(409)},
        data={
            "review-version": 99,
            "review-reviewed_on": "2026-01-05",
            "review-outcome": "lift",
            "review-rationale": "No case to answer.",
        },
    ),
    Endpoint(
        "outcome without saying what",
        "POST",
        lambda w: page("Shared", f"referrals/{_referral(w)}/outcome/")(w),
        403,
        {**CHANGE, **team(422)},
        data={},
    ),
    Endpoint(
        "referral without a reason",
        "POST",
        page("Shared", "referrals/"),
        403,
        {**CHANGE, **team(422)},
        data={"refer-version": 0, "refer-body": "dbs", "refer-referred_on": "2026-01-05"},
    ),
    Endpoint("restricted allegation tab", "GET", page("senior member"), 403, READ_RESTRICTED),
    Endpoint(
        "harm test on the restricted case without answers",
        "POST",
        page("senior member", "harm-test/"),
        403,
        {**CHANGE, "lead": 404, "deputy": 422, "case_worker": 422},
        data={"harm-version": 0},
    ),
    Endpoint("harm-test settings", "GET", lambda w: "/cases/allegations/settings/", 403, SETTINGS),
    Endpoint(
        "harm-test settings emptied",
        "POST",
        lambda w: "/cases/allegations/settings/",
        403,
        dict.fromkeys(SETTINGS, 422),
        data={"version": 0},
    ),
    # The API: the same answers; a change without If-Match is 428 once it would be allowed.
    Endpoint("api allegation", "GET", api("Shared"), 403, READ_SHARED, api=True),
    Endpoint(
        "api harm-test settings",
        "GET",
        lambda w: "/api/v1/allegations/harm-tests",
        403,
        SETTINGS,
        api=True,
    ),
    Endpoint(
        "api harm-test settings without If-Match",
        "PUT",
        lambda w: "/api/v1/allegations/harm-tests",
        403,
        dict.fromkeys(SETTINGS, 428),
        api=True,
    ),
    *(
        Endpoint(
            f"api {suffix} without If-Match",
            "POST",
            api("Shared", suffix),
            403,
            {**CHANGE, **team(428)},
            api=True,
        )
        for suffix in ("/harm-tests", "/lado", "/suspensions", "/referrals")
    ),
    Endpoint(
        "api review without If-Match",
        "POST",
        lambda w: api("Shared", f"/suspensions/{_decision(w)}/reviews")(w),
        403,
        {**CHANGE, **team(428)},
        api=True,
    ),
    Endpoint(
        "api outcome without If-Match",
        "POST",
        lambda w: api("Shared", f"/referrals/{_referral(w)}/outcome")(w),
        403,
        {**CHANGE, **team(428)},
        api=True,
    ),
    Endpoint(
        "api restricted allegation", "GET", api("senior member"), 403, READ_RESTRICTED, api=True
    ),
    Endpoint(
        "api harm test on the restricted case without If-Match",
        "POST",
        api("senior member", "/harm-tests"),
        403,
        {**CHANGE, "lead": 404, "deputy": 428, "case_worker": 428},
        api=True,
    ),
]


def test_permission_matrix_for_the_allegation_part(world: DemoWorld) -> None:
    shared = allegation_case(world, title="Shared: allegation against a coach (synthetic)")
    share_grant(
        actor=actor_for(world, "lead"),
        record=shared,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry with the LADO (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    suspend(world, shared)
    refer(world, shared)
    restricted_case(world, "case_worker")
    assert run_matrix(world, ENDPOINTS, PERSONAS_WITH_SUPERVISOR) == []
