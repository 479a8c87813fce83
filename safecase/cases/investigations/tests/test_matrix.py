"""The permission matrix for the investigation's pages and API (issue 4).

Riverside holds two cases with an investigation: one shared with the police (the partner with
a share reads its pages and API, and nothing else: no changes, no files, no report), and one
restricted to the deputy and the case worker (an allegation against the lead), which Lena Lead
gets 404 for like everyone else not named. A role without the permission gets 403 before any
case is looked up (the reporter, administrator and auditor hold no case permission; the
supervisor reads but does not manage). POSTs carry stale versions or bad input, so every
persona meets the same state; the report answers the team with the step-up (302).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import DemoWorld, actor_for
from safecase.access.actions import share_grant
from safecase.cases.investigations import actions
from safecase.cases.investigations.models import EvidenceItem, Interview
from safecase.cases.investigations.tests.helpers import (
    allegation_case,
    evidence,
    interview,
    open_investigation,
)
from safecase.cases.models import Case
from safecase.cases.tests.helpers import restricted_case, second_lead
from tests.matrix import PERSONAS_WITH_SUPERVISOR, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

TEAM = ("lead", "deputy", "case_worker")
OTHER_LEADS = ("other_org", "primary_lead")
PARTNERS = ("partner_with_share", "partner_without")
READERS = {
    **dict.fromkeys((*TEAM, "supervisor"), 200),
    "partner_with_share": 200,
    **dict.fromkeys(("partner_without", *OTHER_LEADS), 404),
}
OWN_READERS = {
    **dict.fromkeys((*TEAM, "supervisor"), 200),
    **dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404),
}
NAMED = {"deputy": 200, "case_worker": 200}
HIDDEN = {**dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404), "lead": 404, "supervisor": 404}
STALE = 999
Url = Callable[[DemoWorld], str]


def _case(world: DemoWorld, word: str) -> Case:
    return Case.objects.get(organisation=world.organisations["secondary"], title__contains=word)


def _page(word: str, suffix: str = "") -> Url:
    return lambda w: f"/cases/{_case(w, word).pk}/investigation/{suffix}"


def _api(word: str, suffix: str = "") -> Url:
    return lambda w: f"/api/v1/cases/{_case(w, word).pk}/investigation{suffix}"


def _interview(word: str) -> Callable[[DemoWorld], str]:
    return lambda w: str(Interview.objects.get(investigation__case=_case(w, word)).pk)


def _evidence(word: str) -> Callable[[DemoWorld], str]:
    return lambda w: str(EvidenceItem.objects.get(investigation__case=_case(w, word)).pk)


def _managers(status: int) -> dict[str, int]:
    """Changes: Riverside's team; out of reach for the other organisations (404); refused for
    roles that read but may not change (403, the default)."""
    return {**dict.fromkeys(TEAM, status), **dict.fromkeys(OTHER_LEADS, 404)}


def _named(status: int) -> dict[str, int]:
    return {**dict.fromkeys((*OTHER_LEADS, "lead"), 404), "deputy": status, "case_worker": status}


S = "Shared"
R = "senior member"

ENDPOINTS = [
    Endpoint("investigation page", "GET", _page(S), 403, READERS),
    Endpoint("change the investigation (form)", "GET", _page(S, "edit/"), 403, _managers(200)),
    Endpoint(
        "change the investigation from a stale form",
        "POST",
        _page(S, "edit/"),
        403,
        _managers(409),
        data={
            "terms_of_reference": "Establish what happened.",
            "plan": "Interview.",
            "status": "in_progress",
            "reason": "Started.",
            "version": STALE,
            # "investigator": the case worker's id, set once the world is built.
        },
    ),
    Endpoint(
        "change the investigation without a reason",
        "POST",
        _page(S, "edit/"),
        403,
        _managers(422),
        data={"terms_of_reference": "", "plan": "", "reason": "", "version": 1},
    ),
    Endpoint("record an interview (form)", "GET", _page(S, "interviews/new/"), 403, _managers(200)),
    Endpoint(
        "record an interview without a summary",
        "POST",
        _page(S, "interviews/new/"),
        403,
        _managers(422),
        data={"interviewee_name": "Sam", "role": "witness", "summary": ""},
    ),
    Endpoint(
        "addendum (form)",
        "GET",
        lambda w: _page(S, f"interviews/{_interview(S)(w)}/addendum/")(w),
        403,
        _managers(200),
    ),
    Endpoint(
        "addendum without a reason",
        "POST",
        lambda w: _page(S, f"interviews/{_interview(S)(w)}/addendum/")(w),
        403,
        _managers(422),
        data={"reason": "", "text": ""},
    ),
    Endpoint("add evidence (form)", "GET", _page(S, "evidence/new/"), 403, _managers(200)),
    Endpoint(
        "add evidence without a source",
        "POST",
        _page(S, "evidence/new/"),
        403,
        _managers(422),
        data={"item": "Register", "source": "", "obtained_on": ""},
    ),
    Endpoint(
        "custody (form)",
        "GET",
        lambda w: _page(S, f"evidence/{_evidence(S)(w)}/custody/")(w),
        403,
        _managers(200),
    ),
    Endpoint(
        "custody without a date",
        "POST",
        lambda w: _page(S, f"evidence/{_evidence(S)(w)}/custody/")(w),
        403,
        _managers(422),
        data={"from_whom": "A", "to_whom": "B", "purpose": "C", "transferred_at": ""},
    ),
    Endpoint("record a finding (form)", "GET", _page(S, "findings/new/"), 403, _managers(200)),
    Endpoint(
        "record a finding without its kind",
        "POST",
        _page(S, "findings/new/"),
        403,
        _managers(422),
        data={"text": "Something."},
    ),
    Endpoint(
        "download an evidence file",
        "GET",
        lambda w: _page(S, f"evidence/{_evidence(S)(w)}/download/")(w),
        403,
        OWN_READERS,
    ),
    Endpoint(
        "the report (asks for the step-up)",
        "GET",
        _page(S, "report.pdf"),
        403,
        {
            **dict.fromkeys((*TEAM, "supervisor"), 302),
            **dict.fromkeys((*PARTNERS, *OTHER_LEADS), 302),
        },
    ),
    # W11: the restricted case, for the named people only; the lead is not named.
    Endpoint("restricted: investigation page", "GET", _page(R), 403, {**HIDDEN, **NAMED}),
    Endpoint("restricted: change (form)", "GET", _page(R, "edit/"), 403, _named(200)),
    Endpoint(
        "restricted: download",
        "GET",
        lambda w: _page(R, f"evidence/{_evidence(R)(w)}/download/")(w),
        403,
        {**HIDDEN, **NAMED},
    ),
    # The API: the same answers; a change without If-Match is 428 once it would be allowed.
    Endpoint("api investigation", "GET", _api(S), 403, READERS, api=True),
    Endpoint(
        "api change without If-Match",
        "PATCH",
        _api(S),
        403,
        _managers(428),
        data={"reason": "Started."},
        api=True,
    ),
    Endpoint(
        "api open again without a body",
        "POST",
        _api(S),
        403,
        _managers(400),
        api=True,
    ),
    Endpoint(
        "api interview without a body",
        "POST",
        _api(S, "/interviews"),
        403,
        _managers(400),
        api=True,
    ),
    Endpoint(
        "api addendum without a body",
        "POST",
        lambda w: _api(S, f"/interviews/{_interview(S)(w)}/addenda")(w),
        403,
        _managers(400),
        api=True,
    ),
    Endpoint(
        "api evidence without a body", "POST", _api(S, "/evidence"), 403, _managers(400), api=True
    ),
    Endpoint(
        "api evidence file",
        "GET",
        lambda w: _api(S, f"/evidence/{_evidence(S)(w)}/file")(w),
        403,
        OWN_READERS,
        api=True,
    ),
    Endpoint(
        "api upload without multipart",
        "POST",
        lambda w: _api(S, f"/evidence/{_evidence(S)(w)}/file")(w),
        403,
        _managers(415),
        api=True,
    ),
    Endpoint(
        "api custody without a body",
        "POST",
        lambda w: _api(S, f"/evidence/{_evidence(S)(w)}/custody")(w),
        403,
        _managers(400),
        api=True,
    ),
    Endpoint(
        "api finding without a body", "POST", _api(S, "/findings"), 403, _managers(400), api=True
    ),
    Endpoint("api restricted investigation", "GET", _api(R), 403, {**HIDDEN, **NAMED}, api=True),
    Endpoint(
        "api restricted change without If-Match",
        "PATCH",
        _api(R),
        403,
        _named(428),
        data={"reason": "Started."},
        api=True,
    ),
]


def test_permission_matrix_for_the_investigation(world: DemoWorld) -> None:
    shared = allegation_case(world, title="Shared: allegation against a coach (synthetic)")
    share_grant(
        actor=actor_for(world, "lead"),
        record=shared,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    investigation = open_investigation(world, shared)
    interview(world, investigation)
    evidence(world, investigation)
    hidden = restricted_case(world, "case_worker")
    restricted = actions.investigation_open(
        actor=second_lead(world),
        case=hidden,
        terms_of_reference="Establish what happened.",
        plan="Interview.",
        investigator=world.users["case_worker"],
        reason="Threshold met.",
    )
    evidence(world, restricted, persona="deputy")
    stale_edit = next(e for e in ENDPOINTS if e.name.endswith("from a stale form"))
    stale_edit.data["investigator"] = str(world.users["case_worker"].pk)
    mismatches = run_matrix(world, ENDPOINTS, PERSONAS_WITH_SUPERVISOR)
    assert mismatches == [], "\n".join(mismatches)
