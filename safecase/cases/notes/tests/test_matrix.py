"""The permission matrix for the notes part's pages and API (issue 4).

Riverside holds a case Lena Lead opened (so she is its lead), shared with the police (Parveen,
the partner with a share, reads its notes tab and nothing else), with a whole-team note of
Lena's and a note Cass Worker restricted to Dev Deputy; and a case restricted to the deputy
and Cass (an allegation against the lead): Lena, though the organisation's lead, and Sam
Supervisor get 404 for it like everyone else not named. A role without the permission gets
403 before any case is looked up (the reporter, the administrator and the auditor hold no
case permission, so the auditor's answer is 403, not 404, as on the case pages); a case or a
note out of reach answers 404. POSTs use stale versions or bad input, so every persona meets
the same state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

# DemoWorld through conftest: the import contract exempts safecase.<app>.tests from its rule
# on safecase.demo, but not the tests of the case parts (one level deeper).
from conftest import DemoWorld, actor_for
from safecase.access.actions import share_grant
from safecase.cases.models import Case
from safecase.cases.notes import actions
from safecase.cases.notes.models import CaseNote, SupervisionSchedule
from safecase.cases.notes.tests.helpers import write_note
from safecase.cases.tests.helpers import open_case, restricted_case
from tests.matrix import PERSONAS_WITH_SUPERVISOR, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

Url = Callable[[DemoWorld], str]
TEAM = ("lead", "deputy", "case_worker")
OTHER_LEADS = ("other_org", "primary_lead")
PARTNERS = ("partner_with_share", "partner_without")
WRITERS = (*TEAM, "supervisor")
STALE = 999


def _case(world: DemoWorld, word: str) -> Case:
    return Case.objects.get(organisation=world.organisations["secondary"], title__contains=word)


def _page(word: str, suffix: str = "") -> Url:
    return lambda w: f"/cases/{_case(w, word).pk}/notes/{suffix}"


def _api(word: str, suffix: str = "") -> Url:
    return lambda w: f"/api/v1/cases/{_case(w, word).pk}/{suffix}"


def _note(fact: str) -> Callable[[DemoWorld], CaseNote]:
    return lambda w: CaseNote.objects.get(fact__startswith=fact)


def _note_page(fact: str, suffix: str) -> Url:
    return lambda w: f"/cases/{_note(fact)(w).case_id}/notes/{_note(fact)(w).pk}/{suffix}"


def _note_api(fact: str, suffix: str = "") -> Url:
    return lambda w: f"/api/v1/cases/{_note(fact)(w).case_id}/notes/{_note(fact)(w).pk}{suffix}"


def _schedule(w: DemoWorld) -> str:
    return f"/api/v1/cases/supervision/schedules/{SupervisionSchedule.objects.get().pk}"


def _each(personas: tuple[str, ...], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


WHOLE_TEAM_NOTE, NAMED_NOTE = "Lena's note", "Cass's note for Dev"
# Reading the shared case: its team, the supervisor and the partner with a share.
READ = {**_each((*TEAM, "supervisor", "partner_with_share"), 200)}
OUT = {**_each(OTHER_LEADS, 404), "partner_without": 404}
# Writing: the case's own organisation's writers; partners hold no write permission (403).
WRITE_OUT = {**_each(OTHER_LEADS, 404)}
# The restricted case: the named deputy and Cass; everyone else who may see cases, 404.
HIDDEN = {**_each(("lead", "supervisor", *OTHER_LEADS, *PARTNERS), 404)}
NAMED = _each(("deputy", "case_worker"), 200)
CASE_VIEWERS = (*TEAM, "supervisor", *PARTNERS, *OTHER_LEADS)
SUPERVISOR = {"supervisor": 200}

ENDPOINTS = [
    # Pages of the shared case.
    Endpoint("notes tab", "GET", _page("Shared"), 403, {**READ, **OUT}),
    Endpoint(
        "notes tab of one type",
        "GET",
        lambda w: _page("Shared")(w) + "?kind=contact",
        403,
        {**READ, **OUT},
    ),
    Endpoint(
        "write a note (form)",
        "GET",
        _page("Shared", "new/"),
        403,
        {**_each(WRITERS, 200), **WRITE_OUT},
    ),
    Endpoint(
        "write a note without its facts",
        "POST",
        _page("Shared", "new/"),
        403,
        {**_each(WRITERS, 422), **WRITE_OUT},
        data={
            "kind": "contact",
            "visibility": "case_team",
            "fact": "",
            "occurred_at": "2026-01-05T10:00",
        },
    ),
    Endpoint(
        "edit a whole-team note (form)",
        "GET",
        _note_page(WHOLE_TEAM_NOTE, "edit/"),
        403,
        {**_each(WRITERS, 200), **WRITE_OUT},
    ),
    Endpoint(
        "edit a whole-team note from a stale form",
        "POST",
        _note_page(WHOLE_TEAM_NOTE, "edit/"),
        403,
        # Lena, its author, meets the stale version; the others are told only its author edits.
        {**_each(WRITERS, 422), "lead": 409, **WRITE_OUT},
        data={
            "kind": "contact",
            "fact": "Changed.",
            "occurred_at": "2026-01-05T10:00",
            "version": STALE,
        },
    ),
    Endpoint(
        "addendum to a whole-team note (form)",
        "GET",
        _note_page(WHOLE_TEAM_NOTE, "addendum/"),
        403,
        {**_each(WRITERS, 200), **WRITE_OUT},
    ),
    Endpoint(
        "addendum without a reason",
        "POST",
        _note_page(WHOLE_TEAM_NOTE, "addendum/"),
        403,
        {**_each(WRITERS, 422), **WRITE_OUT},
        data={"reason": "", "text": "Something."},
    ),
    # A note Cass restricted to Dev: not even Lena Lead, on the case's team, reaches it.
    Endpoint(
        "addendum to the named note (form)",
        "GET",
        _note_page(NAMED_NOTE, "addendum/"),
        403,
        {**_each(("lead", "supervisor"), 404), "deputy": 200, "case_worker": 200, **WRITE_OUT},
    ),
    Endpoint(
        "record supervision (form)", "GET", _page("Shared", "supervision/new/"), 403, SUPERVISOR
    ),
    Endpoint(
        "record supervision without a discussion",
        "POST",
        _page("Shared", "supervision/new/"),
        403,
        {"supervisor": 422},
        data={"supervisee": "", "held_at": "2026-01-05T10:00", "discussion": ""},
    ),
    # Pages about no one case.
    Endpoint("supervision schedules", "GET", lambda w: "/cases/supervision/", 403, SUPERVISOR),
    Endpoint(
        "own schedule", "GET", lambda w: "/cases/supervision/mine/", 403, _each(CASE_VIEWERS, 200)
    ),
    Endpoint(
        "set a schedule (form)", "GET", lambda w: "/cases/supervision/schedule/", 403, SUPERVISOR
    ),
    Endpoint(
        "set a schedule without a frequency",
        "POST",
        lambda w: "/cases/supervision/schedule/",
        403,
        {"supervisor": 422},
        data={"worker": "", "every_weeks": "", "starts_on": ""},
    ),
    # W11: the restricted case.
    Endpoint(
        "notes tab of the restricted case", "GET", _page("senior member"), 403, {**HIDDEN, **NAMED}
    ),
    Endpoint(
        "write a note on the restricted case (form)",
        "GET",
        _page("senior member", "new/"),
        403,
        {**NAMED, "lead": 404, "supervisor": 404, **WRITE_OUT},
    ),
    Endpoint(
        "record supervision on the restricted case (form)",
        "GET",
        _page("senior member", "supervision/new/"),
        403,
        {"supervisor": 404},
    ),
    # The API: the same answers; an edit without If-Match is 428 once it would be allowed.
    Endpoint("api notes", "GET", _api("Shared", "notes"), 403, {**READ, **OUT}, api=True),
    Endpoint(
        "api write a note without a body",
        "POST",
        _api("Shared", "notes"),
        403,
        {**_each(WRITERS, 400), **WRITE_OUT},
        api=True,
    ),
    Endpoint(
        "api a whole-team note", "GET", _note_api(WHOLE_TEAM_NOTE), 403, {**READ, **OUT}, api=True
    ),
    Endpoint(
        "api the named note",
        "GET",
        _note_api(NAMED_NOTE),
        403,
        {**READ, "lead": 404, "supervisor": 404, "partner_with_share": 404, **OUT},
        api=True,
    ),
    Endpoint(
        "api edit a note without If-Match",
        "PATCH",
        _note_api(WHOLE_TEAM_NOTE),
        403,
        {**_each(WRITERS, 428), **WRITE_OUT},
        api=True,
    ),
    Endpoint(
        "api addendum without a body",
        "POST",
        _note_api(WHOLE_TEAM_NOTE, "/addenda"),
        403,
        {**_each(WRITERS, 400), **WRITE_OUT},
        api=True,
    ),
    Endpoint(
        "api supervision", "GET", _api("Shared", "supervision"), 403, {**READ, **OUT}, api=True
    ),
    Endpoint(
        "api record supervision without a body",
        "POST",
        _api("Shared", "supervision"),
        403,
        {"supervisor": 400},
        api=True,
    ),
    Endpoint(
        "api schedules",
        "GET",
        lambda w: "/api/v1/cases/supervision/schedules",
        403,
        SUPERVISOR,
        api=True,
    ),
    Endpoint(
        "api set a schedule without a body",
        "POST",
        lambda w: "/api/v1/cases/supervision/schedules",
        403,
        {"supervisor": 400},
        api=True,
    ),
    Endpoint("api a schedule", "GET", _schedule, 403, SUPERVISOR, api=True),
    Endpoint(
        "api change a schedule without If-Match",
        "PUT",
        _schedule,
        403,
        {"supervisor": 428},
        api=True,
    ),
    Endpoint(
        "api own schedule",
        "GET",
        lambda w: "/api/v1/cases/supervision/schedules/mine",
        403,
        _each(CASE_VIEWERS, 200),
        api=True,
    ),
    Endpoint(
        "api notes of the restricted case",
        "GET",
        _api("senior member", "notes"),
        403,
        {**HIDDEN, **NAMED},
        api=True,
    ),
    Endpoint(
        "api write a note on the restricted case without a body",
        "POST",
        _api("senior member", "notes"),
        403,
        {**NAMED, "deputy": 400, "case_worker": 400, "lead": 404, "supervisor": 404, **WRITE_OUT},
        api=True,
    ),
]


def test_permission_matrix_for_the_notes_part(world: DemoWorld) -> None:
    shared = open_case(world, title="Shared: Jamie Example-Child, neglect (synthetic)")
    share_grant(
        actor=actor_for(world, "lead"),
        record=shared,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    write_note(world, shared, "lead", fact=f"{WHOLE_TEAM_NOTE}: a call with the school nurse.")
    write_note(
        world, shared, visibility="named", named=("deputy",), fact=f"{NAMED_NOTE} (synthetic)."
    )
    restricted_case(world, "case_worker")
    actions.schedule_set(
        actor=actor_for(world, "supervisor"),
        worker=world.users["case_worker"],
        every_weeks=4,
        starts_on=date(2026, 9, 1),
    )
    assert run_matrix(world, ENDPOINTS, PERSONAS_WITH_SUPERVISOR) == []
