"""The permission matrix for the risk part's pages and API (issue 4), with the supervisor.

Riverside holds a case shared with the police (Parveen, the partner with a share, may read
its Risk tab, nothing more) and a case restricted to the deputy and the case worker (an
allegation against the lead): Lena Lead, though the lead, and Sam Supervisor get 404 for it,
like everyone else not named. Pages answer 403 to a role without the permission before any
case is looked up (the reporter, administrator and auditor hold no case permission). POSTs use
stale versions or bad input, so every persona meets the same state.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import actor_for
from safecase.access.actions import share_grant
from safecase.cases.models import Case
from safecase.cases.risk import actions
from safecase.cases.risk.models import ApprovalRequest
from safecase.cases.risk.tests.helpers import DemoWorld, assess, gates_on, request_closure
from safecase.cases.tests.helpers import open_case, restricted_case
from tests.matrix import PERSONAS_WITH_SUPERVISOR, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

TEAM = ("lead", "deputy", "case_worker")
OTHER_LEADS = ("other_org", "primary_lead")
PARTNERS = ("partner_with_share", "partner_without")
OUT_OF_REACH = dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404)
NAMED = {"deputy": 200, "case_worker": 200}
STALE = 999
Url = Callable[[DemoWorld], str]


def _case(world: DemoWorld, word: str) -> Case:
    return Case.objects.get(organisation=world.organisations["secondary"], title__contains=word)


def _shared(suffix: str = "") -> Url:
    return lambda w: f"/cases/{_case(w, 'Shared').pk}/risk/{suffix}"


def _restricted(suffix: str = "") -> Url:
    return lambda w: f"/cases/{_case(w, 'senior member').pk}/risk/{suffix}"


def _api(word: str, suffix: str) -> Url:
    return lambda w: f"/api/v1/cases/{_case(w, word).pk}/{suffix}"


def _decide(word: str) -> Url:
    return lambda w: f"/cases/risk/approvals/{_request(w, word).pk}/"


def _request(world: DemoWorld, word: str) -> ApprovalRequest:
    return ApprovalRequest.objects.get(case=_case(world, word))


def _api_decision(word: str) -> Url:
    return lambda w: f"/api/v1/cases/{_case(w, word).pk}/approvals/{_request(w, word).pk}/decision"


def _team(status: int) -> dict[str, int]:
    return dict.fromkeys(TEAM, status)


READERS = {**OUT_OF_REACH, **_team(200), "supervisor": 200, "partner_with_share": 200}
RESTRICTED_READERS = {**OUT_OF_REACH, "lead": 404, "supervisor": 404, **NAMED}
MANAGERS = {**_team(200), **dict.fromkeys(OTHER_LEADS, 404)}
CASELOAD = {"lead": 200, "deputy": 200, "supervisor": 200, **dict.fromkeys(OTHER_LEADS, 200)}
CONFIGURERS = {"lead": 200, **dict.fromkeys(OTHER_LEADS, 200)}
GOOD_VERSION = {
    "risk_factors": "Unsupervised access to the U12s.",
    "protective_factors": "Sessions are in a public hall.",
    "likelihood": "3",
    "impact": "4",
    "level": "high",
    "next_review_on": "2099-01-31",
    "reason": "Allegation received; LADO consulted.",
    "version": STALE,
}

ENDPOINTS = [
    Endpoint("risk tab of the shared case", "GET", _shared(), 403, READERS),
    Endpoint("risk history of the shared case", "GET", _shared("history/"), 403, READERS),
    Endpoint("record a risk assessment (form)", "GET", _shared("assess/"), 403, MANAGERS),
    Endpoint(
        "record a risk assessment from a stale form",
        "POST",
        _shared("assess/"),
        403,
        {**_team(409), **dict.fromkeys(OTHER_LEADS, 404)},
        data=GOOD_VERSION,
    ),
    Endpoint(
        "record a risk assessment without a reason",
        "POST",
        _shared("assess/"),
        403,
        {**_team(422), **dict.fromkeys(OTHER_LEADS, 404)},
        data={**GOOD_VERSION, "reason": "", "version": 1},
    ),
    Endpoint("request approval (form)", "GET", _shared("approvals/new/"), 403, MANAGERS),
    Endpoint(
        "request approval without a reason",
        "POST",
        _shared("approvals/new/"),
        403,
        {**_team(422), **dict.fromkeys(OTHER_LEADS, 404)},
        data={"kind": "closure", "reason": ""},
    ),
    Endpoint("risk reviews due", "GET", lambda w: "/cases/risk/", 403, CASELOAD),
    Endpoint(
        "approvals waiting", "GET", lambda w: "/cases/risk/approvals/", 403, {"supervisor": 200}
    ),
    Endpoint("decide an approval (form)", "GET", _decide("Shared"), 403, {"supervisor": 200}),
    Endpoint(
        "decide an approval from a stale form",
        "POST",
        _decide("Shared"),
        403,
        {"supervisor": 409},
        data={"decision": "approved", "reason": "Plan complete.", "version": STALE},
    ),
    Endpoint("approval gates", "GET", lambda w: "/cases/risk/settings/", 403, CONFIGURERS),
    Endpoint(
        "approval gates from a stale form",
        "POST",
        lambda w: "/cases/risk/settings/",
        403,
        dict.fromkeys(CONFIGURERS, 409),
        data={"closure_needs_approval": "on", "version": STALE},
    ),
    # W11: the restricted case, for the named people only; neither the lead nor the
    # supervisor is named.
    Endpoint("risk tab of the restricted case", "GET", _restricted(), 403, RESTRICTED_READERS),
    Endpoint(
        "risk history of the restricted case",
        "GET",
        _restricted("history/"),
        403,
        RESTRICTED_READERS,
    ),
    Endpoint(
        "record a risk assessment on the restricted case (form)",
        "GET",
        _restricted("assess/"),
        403,
        {**dict.fromkeys(OTHER_LEADS, 404), "lead": 404, **NAMED},
    ),
    Endpoint(
        "decide an approval on the restricted case",
        "GET",
        _decide("senior member"),
        403,
        {"supervisor": 404},
    ),
    # The API: the same answers; a change without If-Match is 428 once it would be allowed.
    Endpoint("api risk of the shared case", "GET", _api("Shared", "risk"), 403, READERS, api=True),
    Endpoint(
        "api record a version without If-Match",
        "POST",
        _api("Shared", "risk"),
        403,
        {**_team(428), **dict.fromkeys(OTHER_LEADS, 404)},
        api=True,
    ),
    Endpoint(
        "api approvals of the shared case",
        "GET",
        _api("Shared", "approvals"),
        403,
        READERS,
        api=True,
    ),
    Endpoint(
        "api request approval without a body",
        "POST",
        _api("Shared", "approvals"),
        403,
        {**_team(400), **dict.fromkeys(OTHER_LEADS, 404)},
        api=True,
    ),
    Endpoint(
        "api decide without If-Match",
        "POST",
        _api_decision("Shared"),
        403,
        {"supervisor": 428},
        data={"decision": "approved", "reason": "Plan complete."},
        api=True,
    ),
    Endpoint(
        "api risk of the restricted case",
        "GET",
        _api("senior member", "risk"),
        403,
        RESTRICTED_READERS,
        api=True,
    ),
    Endpoint(
        "api decide on the restricted case",
        "POST",
        _api_decision("senior member"),
        403,
        {"supervisor": 404},
        data={"decision": "approved", "reason": "Plan complete."},
        api=True,
    ),
]


def test_permission_matrix_for_the_risk_part(world: DemoWorld) -> None:
    shared = open_case(world, title="Shared: Jamie Example-Child, neglect (synthetic)")
    share_grant(
        actor=actor_for(world, "lead"),
        record=shared,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    gates_on(world)
    assess(world, shared)
    request_closure(world, shared)
    restricted = restricted_case(world, "case_worker")
    assess(world, restricted, "case_worker")
    actions.approval_request(
        actor=actor_for(world, "case_worker"),
        case=restricted,
        kind="closure",
        reason="The allegation is unfounded; asking to close.",
    )
    assert run_matrix(world, ENDPOINTS, PERSONAS_WITH_SUPERVISOR) == []
