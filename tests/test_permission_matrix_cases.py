"""The permission matrix for the case pages (issue 4).

Riverside holds two cases: one shared with the police (Parveen, the partner with a share, may
read its page and nothing else), and one restricted to the deputy and the case worker (an
allegation against the lead): Lena Lead, though the lead, gets 404 for it like everyone else
not named. Pages answer 403 to a role without the permission before any case is looked up, so
the answer never depends on whether a case exists (the reporter, administrator and auditor hold
no case permission); a case out of reach answers 404. POSTs use stale versions or bad input, so
every persona meets the same state.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import actor_for, client_for
from safecase.access.actions import share_grant
from safecase.cases.models import Case
from safecase.cases.tests.helpers import open_case, restricted_case
from safecase.concerns.models import Concern
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.demo.personas import DemoWorld
from tests.matrix import Endpoint, run_matrix

pytestmark = pytest.mark.django_db

RIVERSIDE_TEAM = ("lead", "deputy", "case_worker")
OTHER_LEADS = ("other_org", "primary_lead")
PARTNERS = ("partner_with_share", "partner_without")
# case.view: Riverside's team, the partner practitioners and the other organisations' leads.
CASE_READERS = dict.fromkeys((*RIVERSIDE_TEAM, *PARTNERS, *OTHER_LEADS), 200)
CASE_MANAGERS = dict.fromkeys((*RIVERSIDE_TEAM, *OTHER_LEADS), 200)
OUT_OF_REACH = dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404)
STALE = 999
Url = Callable[[DemoWorld], str]


def _by_title(world: DemoWorld, word: str, suffix: str = "") -> str:
    case = Case.objects.get(organisation=world.organisations["secondary"], title__contains=word)
    return f"/cases/{case.pk}/{suffix}"


def _shared(suffix: str = "") -> Url:
    return lambda w: _by_title(w, "Shared", suffix)


def _api(word: str, suffix: str = "") -> Url:
    return lambda w: "/api/v1" + _by_title(w, word, "").rstrip("/") + suffix


def _restricted(suffix: str = "") -> Url:
    return lambda w: _by_title(w, "senior member", suffix)


def _concern(world: DemoWorld) -> str:
    concern = Concern.objects.filter(organisation=world.organisations["secondary"]).first()
    assert concern is not None
    return str(concern.pk)


def _team(status: int) -> dict[str, int]:
    return dict.fromkeys(RIVERSIDE_TEAM, status)


NAMED = {"deputy": 200, "case_worker": 200}

ENDPOINTS = [
    Endpoint("case list", "GET", lambda w: "/cases/", 403, CASE_READERS),
    Endpoint("closed cases", "GET", lambda w: "/cases/?status=closed", 403, CASE_READERS),
    Endpoint("open a case", "GET", lambda w: "/cases/new/", 403, CASE_MANAGERS),
    Endpoint(
        "open a case without a title",
        "POST",
        lambda w: "/cases/new/",
        403,
        dict.fromkeys(CASE_MANAGERS, 422),
        data={"title": "", "reason": ""},
    ),
    Endpoint(
        "caseloads",
        "GET",
        lambda w: "/cases/caseload/",
        403,
        {"lead": 200, "deputy": 200, **dict.fromkeys(OTHER_LEADS, 200)},
    ),
    Endpoint(
        "the shared case",
        "GET",
        _shared(),
        403,
        {**OUT_OF_REACH, **_team(200), "partner_with_share": 200},
    ),
    Endpoint(
        "move the shared case (form)",
        "GET",
        _shared("stage/"),
        403,
        {**OUT_OF_REACH, **_team(200)},
    ),
    Endpoint(
        "move the shared case from a stale form",
        "POST",
        _shared("stage/"),
        403,
        {**OUT_OF_REACH, **_team(409)},
        data={"to_stage": "external_referral", "reason": "Referred.", "version": STALE},
    ),
    Endpoint(
        "move the shared case without a reason",
        "POST",
        _shared("stage/"),
        403,
        {**OUT_OF_REACH, **_team(422)},
        data={"to_stage": "external_referral", "reason": "", "version": 1},
    ),
    Endpoint(
        "allocate the shared case (form)",
        "GET",
        _shared("allocate/"),
        403,
        {**_team(200), **dict.fromkeys(OTHER_LEADS, 404)},
    ),
    Endpoint(
        "allocate the shared case without saying who",
        "POST",
        _shared("allocate/"),
        403,
        {**_team(422), **dict.fromkeys(OTHER_LEADS, 404)},
        data={"user": "", "role": "case_worker", "reason": "Nobody.", "version": 1},
    ),
    Endpoint(
        "add a concern to the shared case without choosing one",
        "POST",
        _shared("concerns/"),
        403,
        {**_team(422), **dict.fromkeys(OTHER_LEADS, 404)},
        data={"add_concern-concern": "", "add_concern-version": 1},
    ),
    Endpoint(
        "add a person to the shared case without a role",
        "POST",
        _shared("subjects/"),
        403,
        {**_team(422), **dict.fromkeys(OTHER_LEADS, 404)},
        data={"add_subject-person": "", "add_subject-version": 1},
    ),
    # W11: the restricted case, for the named people only; the lead is not named.
    Endpoint(
        "the restricted case",
        "GET",
        _restricted(),
        403,
        {**OUT_OF_REACH, "lead": 404, **NAMED},
    ),
    Endpoint(
        "move the restricted case (form)",
        "GET",
        _restricted("stage/"),
        403,
        {**OUT_OF_REACH, "lead": 404, **NAMED},
    ),
    Endpoint(
        "allocate the restricted case (form)",
        "GET",
        _restricted("allocate/"),
        403,
        {**dict.fromkeys(OTHER_LEADS, 404), "lead": 404, **NAMED},
    ),
    Endpoint(
        "add a person to the restricted case without a role",
        "POST",
        _restricted("subjects/"),
        403,
        {**dict.fromkeys(OTHER_LEADS, 404), "lead": 404, "deputy": 422, "case_worker": 422},
        data={"add_subject-person": "", "add_subject-version": 1},
    ),
    # From a concern (or its triage) to an open case: Riverside's concern, out of other reach.
    Endpoint(
        "add a concern to a case (form)",
        "GET",
        lambda w: f"/cases/from-concern/{_concern(w)}/",
        403,
        {**_team(200), **dict.fromkeys(OTHER_LEADS, 404)},
    ),
    Endpoint(
        "add a concern to a case without choosing one",
        "POST",
        lambda w: f"/cases/from-concern/{_concern(w)}/",
        403,
        {**_team(422), **dict.fromkeys(OTHER_LEADS, 404)},
        data={"case": "", "reason": ""},
    ),
    # The API: the same answers; a change without If-Match is 428 once it would be allowed.
    Endpoint("api cases", "GET", lambda w: "/api/v1/cases", 403, CASE_READERS, api=True),
    Endpoint(
        "api open a case without a body",
        "POST",
        lambda w: "/api/v1/cases",
        403,
        dict.fromkeys(CASE_MANAGERS, 400),
        api=True,
    ),
    Endpoint(
        "api the shared case",
        "GET",
        _api("Shared"),
        403,
        {**OUT_OF_REACH, **_team(200), "partner_with_share": 200},
        api=True,
    ),
    Endpoint(
        "api move the shared case without If-Match",
        "POST",
        _api("Shared", "/stage"),
        403,
        {**OUT_OF_REACH, **_team(428)},
        data={"to_stage": "external_referral", "reason": "Referred."},
        api=True,
    ),
    Endpoint(
        "api allocate the shared case without If-Match",
        "POST",
        _api("Shared", "/allocations"),
        403,
        {**_team(428), **dict.fromkeys(OTHER_LEADS, 404)},
        api=True,
    ),
    Endpoint(
        "api add a concern to the shared case without If-Match",
        "POST",
        _api("Shared", "/concerns"),
        403,
        {**_team(428), **dict.fromkeys(OTHER_LEADS, 404)},
        api=True,
    ),
    Endpoint(
        "api add a person to the shared case without If-Match",
        "POST",
        _api("Shared", "/subjects"),
        403,
        {**_team(428), **dict.fromkeys(OTHER_LEADS, 404)},
        api=True,
    ),
    Endpoint(
        "api the restricted case",
        "GET",
        _api("senior member"),
        403,
        {**OUT_OF_REACH, "lead": 404, **NAMED},
        api=True,
    ),
    Endpoint(
        "api move the restricted case without If-Match",
        "POST",
        _api("senior member", "/stage"),
        403,
        {**OUT_OF_REACH, "lead": 404, "deputy": 428, "case_worker": 428},
        api=True,
    ),
]


def test_permission_matrix_for_the_case_pages(world: DemoWorld) -> None:
    shared = open_case(world, title="Shared: Jamie Example-Child, neglect (synthetic)")
    share_grant(
        actor=actor_for(world, "lead"),
        record=shared,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    restricted_case(world, "case_worker")
    submitted_concern(world)
    assert run_matrix(world, ENDPOINTS) == []


def test_the_restricted_case_is_never_listed_or_counted_for_the_lead(world: DemoWorld) -> None:
    restricted_case(world, "case_worker")
    lead = client_for(world.users["lead"])
    assert lead.get("/cases/").context["rows"] == []
    assert lead.get("/cases/caseload/").context["rows"] == []
    named = client_for(world.users["case_worker"])
    assert [r.title for r in named.get("/cases/").context["rows"]] == [
        "Allegation against a senior member of staff (synthetic)"
    ]
