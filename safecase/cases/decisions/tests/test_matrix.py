"""The permission matrix for the decision and appeal pages and API (issue 4).

Riverside holds an allegation case shared with the police (Parveen may read its decisions,
never change them), with a decision and an appeal under way, and a case restricted to the
deputy and the case worker: Lena Lead, though the lead, gets 404 for it like everyone else not
named. A role without the permission gets 403 before any case is looked up (the reporter,
administrator and auditor hold no case permission); a case out of reach 404. POSTs carry bad
input or no If-Match, so every persona meets the same state."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import DemoWorld, actor_for, client_for
from safecase.access.actions import share_grant
from safecase.cases.decisions.models import Appeal, Decision, DecisionOption
from safecase.cases.decisions.tests.helpers import case_at_decision, decide, lodge
from safecase.cases.models import Case
from safecase.cases.tests.helpers import restricted_case
from tests.matrix import PERSONAS_WITH_SUPERVISOR, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

Url = Callable[[DemoWorld], str]
TEAM = ("lead", "deputy", "case_worker")
OTHER_LEADS = ("other_org", "primary_lead")
READERS = {**dict.fromkeys((*TEAM, "supervisor", "partner_with_share"), 200)}
OUT_OF_REACH = dict.fromkeys(("partner_without", *OTHER_LEADS), 404)
FOREIGN = dict.fromkeys(OTHER_LEADS, 404)  # hold the permission, not the case


def _case(world: DemoWorld, word: str) -> Case:
    return Case.objects.get(organisation=world.organisations["secondary"], title__contains=word)


def _page(suffix: str = "", word: str = "Shared") -> Url:
    return lambda w: f"/cases/{_case(w, word).pk}/decision/{suffix}"


def _decision(w: DemoWorld) -> str:
    return str(Decision.objects.get(case=_case(w, "Shared")).pk)


def _appeal(w: DemoWorld) -> str:
    return str(Appeal.objects.get(case=_case(w, "Shared")).pk)


def _api(suffix: str, word: str = "Shared") -> Url:
    return lambda w: f"/api/v1/cases/{_case(w, word).pk}/{suffix}"


def _option(w: DemoWorld) -> str:
    option = DecisionOption.objects.get(organisation__isnull=True, code="other", kind="sanction")
    return f"/cases/decisions/options/{option.pk}/in-use/"


CONFIGURERS = dict.fromkeys(("lead", *OTHER_LEADS), 200)

ENDPOINTS = [
    Endpoint("decision tab", "GET", _page(), 403, {**READERS, **OUT_OF_REACH}),
    Endpoint(
        "a decision with its snapshot",
        "GET",
        lambda w: _page(f"{_decision(w)}/")(w),
        403,
        {**READERS, **OUT_OF_REACH},
    ),
    Endpoint("record a decision (form)", "GET", _page("new/"), 403, {"lead": 200, **FOREIGN}),
    Endpoint(
        "record a decision with nothing filled in",
        "POST",
        _page("new/"),
        403,
        {"lead": 422, **FOREIGN},
        data={"version": 1},
    ),
    Endpoint(
        "lodge an appeal (form)",
        "GET",
        _page("appeal/"),
        403,
        {**dict.fromkeys(TEAM, 200), **FOREIGN},
    ),
    Endpoint(
        "lodge an appeal with nothing filled in",
        "POST",
        _page("appeal/"),
        403,
        {**dict.fromkeys(TEAM, 422), **FOREIGN},
        data={"version": 1},
    ),
    Endpoint(
        "set the panel (form)",
        "GET",
        lambda w: _page(f"appeal/{_appeal(w)}/panel/")(w),
        403,
        {**dict.fromkeys(TEAM, 200), **FOREIGN},
    ),
    Endpoint(
        "set the panel with nobody on it",
        "POST",
        lambda w: _page(f"appeal/{_appeal(w)}/panel/")(w),
        403,
        {**dict.fromkeys(TEAM, 422), **FOREIGN},
        data={"version": 999},
    ),
    Endpoint(
        "record the appeal outcome (form)",
        "GET",
        lambda w: _page(f"appeal/{_appeal(w)}/outcome/")(w),
        403,
        {"lead": 200, **FOREIGN},
    ),
    Endpoint(
        "record the appeal outcome with nothing filled in",
        "POST",
        lambda w: _page(f"appeal/{_appeal(w)}/outcome/")(w),
        403,
        {"lead": 422, **FOREIGN},
        data={"version": 1},
    ),
    Endpoint(
        "outcomes and sanctions", "GET", lambda w: "/cases/decisions/options/", 403, CONFIGURERS
    ),
    Endpoint(
        "add an outcome without a name",
        "POST",
        lambda w: "/cases/decisions/options/",
        403,
        dict.fromkeys(CONFIGURERS, 422),
        data={"kind": "outcome", "label": ""},
    ),
    Endpoint(
        "offer a shipped sanction again",
        "POST",
        _option,
        403,
        dict.fromkeys(CONFIGURERS, 302),
        data={"in_use": "1"},
    ),
    # W11: the restricted case, for the named people only; the lead is not named.
    Endpoint(
        "decision tab of the restricted case",
        "GET",
        _page("", "senior member"),
        403,
        {
            **dict.fromkeys(("lead", "supervisor", "partner_with_share"), 404),
            **OUT_OF_REACH,
            "deputy": 200,
            "case_worker": 200,
        },
    ),
    # The API: the same answers; a change without If-Match is 428 once it would be allowed.
    Endpoint("api decisions", "GET", _api("decisions"), 403, {**READERS, **OUT_OF_REACH}, api=True),
    Endpoint(
        "api a decision",
        "GET",
        lambda w: _api(f"decisions/{_decision(w)}")(w),
        403,
        {**READERS, **OUT_OF_REACH},
        api=True,
    ),
    Endpoint(
        "api record a decision without If-Match",
        "POST",
        _api("decisions"),
        403,
        {"lead": 428, **FOREIGN},
        api=True,
    ),
    Endpoint(
        "api lodge an appeal without If-Match",
        "POST",
        _api("appeals"),
        403,
        {**dict.fromkeys(TEAM, 428), **FOREIGN},
        api=True,
    ),
    Endpoint(
        "api set the panel without If-Match",
        "POST",
        lambda w: _api(f"appeals/{_appeal(w)}/panel")(w),
        403,
        {**dict.fromkeys(TEAM, 428), **FOREIGN},
        api=True,
    ),
    Endpoint(
        "api record the appeal outcome without If-Match",
        "POST",
        lambda w: _api(f"appeals/{_appeal(w)}/outcome")(w),
        403,
        {"lead": 428, **FOREIGN},
        api=True,
    ),
    Endpoint(
        "api decision options",
        "GET",
        lambda w: "/api/v1/decision-options",
        403,
        dict.fromkeys(
            (*TEAM, "supervisor", "partner_with_share", "partner_without", *OTHER_LEADS), 200
        ),
        api=True,
    ),
    Endpoint(
        "api decisions of the restricted case",
        "GET",
        _api("decisions", "senior member"),
        403,
        {
            **dict.fromkeys(("lead", "supervisor", "partner_with_share"), 404),
            **OUT_OF_REACH,
            "deputy": 200,
            "case_worker": 200,
        },
        api=True,
    ),
]


def test_permission_matrix_for_decisions_and_appeals(world: DemoWorld) -> None:
    shared = case_at_decision(world, title="Shared: allegation against a coach (synthetic)")
    share_grant(
        actor=actor_for(world, "lead"),
        record=shared,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    lodge(world, shared, decide(world, shared))
    restricted_case(world, "case_worker")
    assert run_matrix(world, ENDPOINTS, PERSONAS_WITH_SUPERVISOR) == []


def test_the_restricted_cases_decisions_never_reach_the_lead(world: DemoWorld) -> None:
    """Named people see the tab; the lead, not named, sees no trace: 404 for the page and the
    API, and nothing in the options' or anyone's lists."""
    case = restricted_case(world, "case_worker")
    assert (
        client_for(world.users["case_worker"]).get(f"/cases/{case.pk}/decision/").status_code == 200
    )
    assert client_for(world.users["lead"]).get(f"/cases/{case.pk}/decision/").status_code == 404
