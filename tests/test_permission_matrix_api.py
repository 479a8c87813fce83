"""The permission matrix for the people, concerns, files and alerts API (security bar Z1, Z2,
Z5, Z7, Z8).

Reading: ``default`` is what any signed-in persona gets unless listed. A role without the
permission gets 403; a record outside the actor's scope gets 404 (the same as a missing one);
allowed writes are sent without If-Match (428), with an empty body (400) or, to the file upload,
as JSON rather than multipart (415), so the world stays the same from one persona to the next.
The action completed last is the one exception.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import get_resolver, resolve
from django.utils import timezone

from safecase.access.actions import share_grant
from safecase.accounts.models import Membership
from safecase.concerns import actions as concern_actions
from safecase.concerns.models import Concern
from safecase.core.actors import Actor
from safecase.core.tests.test_files import pdf, png
from safecase.demo.personas import DemoWorld
from safecase.people.actions import person_create
from tests.guard import iter_views
from tests.matrix import PERSONAS, Endpoint, run_matrix

# The records each row is about: filled by the matrix test (placeholders until then).
IDS: dict[str, str] = dict.fromkeys(
    (
        "person",
        "reporter_concern",
        "worker_concern",
        "draft",
        "concern_person",
        "action",
        "attachment",
        "draft_attachment",
        "alert",
    ),
    str(uuid.UUID(int=0)),
)
API_MODULES = {
    "safecase.api.v1.people",
    "safecase.api.v1.concerns",
    "safecase.api.v1.triage",
    "safecase.api.v1.attachments",
    "safecase.api.v1.alerts",
}

EVERYONE_IN_RIVERSIDE_TEAM = ("lead", "deputy", "case_worker")
OUTSIDERS = ("partner_with_share", "partner_without", "other_org", "primary_lead")
NO_CASE_CONTENT = ("org_admin", "auditor")


def persona_map(personas: tuple[str, ...], status: int) -> dict[str, int]:
    return dict.fromkeys(personas, status)


# Those whose roles may record concerns: everyone but the administrator and the auditor.
RECORDERS = tuple(p for p in PERSONAS if p not in NO_CASE_CONTENT)
PERSON_VIEWERS = (*EVERYONE_IN_RIVERSIDE_TEAM, *OUTSIDERS)
PERSON_MANAGERS = (*EVERYONE_IN_RIVERSIDE_TEAM, "other_org", "primary_lead")
TRIAGERS = ("lead", "deputy", "other_org", "primary_lead")

# A Riverside person, shared with the police: seen by Riverside's team and by the police.
PERSON_READ = {
    **persona_map(EVERYONE_IN_RIVERSIDE_TEAM, 200),
    "partner_with_share": 200,
    **persona_map(("partner_without", "other_org", "primary_lead"), 404),
}
# A submitted Riverside concern recorded by the reporter.
REPORTERS_CONCERN = {
    **persona_map(("reporter", *EVERYONE_IN_RIVERSIDE_TEAM), 200),
    **persona_map(OUTSIDERS, 404),
}


def _api(path: str) -> str:
    return f"/api/v1/{path}"


ENDPOINTS = [
    # People
    Endpoint("api people list", "GET", lambda w: _api("people"), 403,
             persona_map(PERSON_VIEWERS, 200), api=True),
    Endpoint("api people search", "GET", lambda w: _api("people?q=matrix"), 403,
             persona_map(PERSON_VIEWERS, 200), api=True),
    Endpoint("api create a person (empty body)", "POST", lambda w: _api("people"), 403,
             persona_map(PERSON_MANAGERS, 400), api=True),
    Endpoint("api the shared person", "GET", lambda w: _api(f"people/{IDS['person']}"), 403,
             PERSON_READ, api=True),
    Endpoint("api change the shared person (no If-Match)", "PATCH",
             lambda w: _api(f"people/{IDS['person']}"), 403,
             {**persona_map(EVERYONE_IN_RIVERSIDE_TEAM, 428),
              **persona_map(("other_org", "primary_lead"), 404)},
             data={"preferred_name": "Changed"}, api=True),
    Endpoint("api add an identifier (empty body)", "POST",
             lambda w: _api(f"people/{IDS['person']}/identifiers"), 403,
             {**persona_map(EVERYONE_IN_RIVERSIDE_TEAM, 400),
              **persona_map(("other_org", "primary_lead"), 404)}, api=True),
    Endpoint("api the shared person's chronology", "GET",
             lambda w: _api(f"people/{IDS['person']}/chronology"), 403, PERSON_READ, api=True),
    # Recording
    Endpoint("api categories", "GET", lambda w: _api("categories"), 403,
             persona_map(RECORDERS, 200), api=True),
    Endpoint("api record a concern (bad kind)", "POST", lambda w: _api("concerns"), 403,
             persona_map(RECORDERS, 400), data={"kind": "gossip"}, api=True),
    Endpoint("api my concerns", "GET", lambda w: _api("concerns/mine"), 403,
             persona_map(RECORDERS, 200), api=True),
    Endpoint("api the reporter's concern", "GET",
             lambda w: _api(f"concerns/{IDS['reporter_concern']}"), 403, REPORTERS_CONCERN,
             api=True),
    Endpoint("api the case worker's concern", "GET",
             lambda w: _api(f"concerns/{IDS['worker_concern']}"), 403,
             {**REPORTERS_CONCERN, "reporter": 404}, api=True),
    Endpoint("api the reporter's draft", "GET",
             lambda w: _api(f"concerns/{IDS['draft']}"), 403,
             {**persona_map(RECORDERS, 404), "reporter": 200}, api=True),
    Endpoint("api change the reporter's draft (no If-Match)", "PATCH",
             lambda w: _api(f"concerns/{IDS['draft']}"), 403,
             {**persona_map(RECORDERS, 404), "reporter": 428},
             data={"location": "Changed"}, api=True),
    Endpoint("api submit the reporter's draft (no If-Match)", "POST",
             lambda w: _api(f"concerns/{IDS['draft']}/submit"), 403,
             {**persona_map(RECORDERS, 404), "reporter": 428}, api=True),
    Endpoint("api add to the reporter's concern (empty body)", "POST",
             lambda w: _api(f"concerns/{IDS['reporter_concern']}/addenda"), 403,
             {**persona_map(("reporter", *EVERYONE_IN_RIVERSIDE_TEAM), 400),
              **persona_map(OUTSIDERS, 404)}, api=True),
    # Triage
    Endpoint("api triage queue", "GET", lambda w: _api("concerns/queue"), 403,
             persona_map(TRIAGERS, 200), api=True),
    Endpoint("api triage the reporter's concern (no If-Match)", "POST",
             lambda w: _api(f"concerns/{IDS['reporter_concern']}/triage"), 403,
             {"lead": 428, "deputy": 428, "other_org": 404, "primary_lead": 404},
             data={"decision": "nfa"}, api=True),
    Endpoint("api link a name in the reporter's concern (empty body)", "POST",
             lambda w: _api(
                 f"concerns/{IDS['reporter_concern']}/people/{IDS['concern_person']}/link"
             ), 403,
             {"lead": 400, "deputy": 400, "other_org": 404, "primary_lead": 404}, api=True),
    Endpoint("api set an action on the reporter's concern (empty body)", "POST",
             lambda w: _api(f"concerns/{IDS['reporter_concern']}/actions"), 403,
             {"lead": 400, "deputy": 400, "other_org": 404, "primary_lead": 404}, api=True),
    # Files: listed by those who may read the concern; added only by its own organisation
    # (a JSON body is refused with 415 before anything is read); downloaded only through their
    # own concern.
    Endpoint("api the reporter's concern's files", "GET",
             lambda w: _api(f"concerns/{IDS['reporter_concern']}/attachments"), 403,
             REPORTERS_CONCERN, api=True),
    Endpoint("api the reporter's draft's files", "GET",
             lambda w: _api(f"concerns/{IDS['draft']}/attachments"), 403,
             {**persona_map(RECORDERS, 404), "reporter": 200}, api=True),
    Endpoint("api add a file to the reporter's concern (not multipart)", "POST",
             lambda w: _api(f"concerns/{IDS['reporter_concern']}/attachments"), 403,
             {**persona_map(("reporter", *EVERYONE_IN_RIVERSIDE_TEAM), 415),
              **persona_map(OUTSIDERS, 404)}, api=True),
    Endpoint("api add a file to the reporter's draft (not multipart)", "POST",
             lambda w: _api(f"concerns/{IDS['draft']}/attachments"), 403,
             {**persona_map(RECORDERS, 404), "reporter": 415}, api=True),
    Endpoint("api download the reporter's concern's file", "GET",
             lambda w: _api(
                 f"concerns/{IDS['reporter_concern']}/attachments/{IDS['attachment']}/download"
             ), 403, REPORTERS_CONCERN, api=True),
    Endpoint("api download the reporter's draft's file", "GET",
             lambda w: _api(
                 f"concerns/{IDS['draft']}/attachments/{IDS['draft_attachment']}/download"
             ), 403, {**persona_map(RECORDERS, 404), "reporter": 200}, api=True),
    Endpoint("api download the file through the wrong concern", "GET",
             lambda w: _api(
                 f"concerns/{IDS['worker_concern']}/attachments/{IDS['attachment']}/download"
             ), 403, persona_map(RECORDERS, 404), api=True),
    # Pattern alerts: the triage team of the alert's organisation only.
    Endpoint("api open pattern alerts", "GET", lambda w: _api("alerts"), 403,
             persona_map(TRIAGERS, 200), api=True),
    Endpoint("api review a Riverside alert (empty body)", "POST",
             lambda w: _api(f"alerts/{IDS['alert']}/review"), 403,
             {"lead": 400, "deputy": 400, "other_org": 404, "primary_lead": 404}, api=True),
    # Actions: every member may list their own; the owner or a lead may complete one.
    Endpoint("api my actions", "GET", lambda w: _api("actions/mine"), 200, api=True),
    Endpoint("api complete the case worker's action", "POST",
             lambda w: _api(f"actions/{IDS['action']}/complete"), 404,
             persona_map(EVERYONE_IN_RIVERSIDE_TEAM, 200), api=True),
]  # fmt: skip


def _actor(world: DemoWorld, persona: str) -> Actor:
    user = world.users[persona]
    membership = Membership.objects.get(user=user)
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def _build_records(world: DemoWorld) -> None:
    lead = _actor(world, "lead")
    person = person_create(
        actor=lead, kind="child", given_names="Matrix", family_name="Child", identifiers=[]
    )
    share_grant(
        actor=lead,
        record=person,
        to_organisation=world.organisations["police"],
        purpose="Joint strategy discussion",
        lawful_basis="Children Act 1989 s47",
    )
    concerns: dict[str, Concern] = {}
    for persona in ("reporter", "case_worker", "deputy"):
        author = _actor(world, persona)
        draft = concern_actions.concern_save_draft(
            actor=author,
            concern=None,
            version=None,
            people=[{"name": "Matrix Child"}],
            category_codes=["neglect"],
            happened_at=timezone.now() - timedelta(hours=1),
            fact="Seen in the matrix.",
        )
        concerns[persona] = concern_actions.concern_submit(
            actor=author, concern=draft, version=draft.version
        )
    draft = concern_actions.concern_save_draft(
        actor=_actor(world, "reporter"),
        concern=None,
        version=None,
        people=[],
        category_codes=[],
        fact="Not finished.",
    )
    # Three concerns about one child within a month: a pattern alert (before any link).
    (alert,) = concern_actions.concern_evaluate_patterns(actor=lead, concern=concerns["deputy"])
    attachment = concern_actions.attachment_add(
        actor=_actor(world, "reporter"),
        concern=concerns["reporter"],
        name="note.png",
        data=png(),
        reason="A photo of the handwritten note",
    )
    draft_attachment = concern_actions.attachment_add(
        actor=_actor(world, "reporter"), concern=draft, name="letter.pdf", data=pdf()
    )
    named = concerns["reporter"].people.get()
    concern_actions.concern_link_person(actor=lead, concern_person=named, person=person)
    action = concern_actions.action_create(
        actor=lead,
        concern=concerns["reporter"],
        description="Check in with the form tutor",
        owner=world.users["case_worker"],
        due_on=timezone.localdate() + timedelta(days=3),
    )
    IDS.update(
        person=str(person.pk),
        reporter_concern=str(concerns["reporter"].pk),
        worker_concern=str(concerns["case_worker"].pk),
        draft=str(draft.pk),
        concern_person=str(named.pk),
        action=str(action.pk),
        attachment=str(attachment.pk),
        draft_attachment=str(draft_attachment.pk),
        alert=str(alert.pk),
    )


@pytest.mark.django_db
def test_api_permission_matrix_holds_for_every_persona(world: DemoWorld) -> None:
    _build_records(world)
    assert run_matrix(world, ENDPOINTS) == []


def test_the_matrix_covers_every_method_of_every_people_and_concerns_route() -> None:
    covered = set()
    for endpoint in ENDPOINTS:
        match = resolve(urlsplit(endpoint.url(None)).path)  # type: ignore[arg-type]
        covered.add((match.func.cls, endpoint.method))  # type: ignore[attr-defined]
    offered = {
        (view.cls, method.upper())
        for route, view in iter_views(get_resolver().url_patterns)
        if route.startswith("api/v1/") and view.cls.__module__ in API_MODULES
        for method in ("get", "post", "patch", "put", "delete")
        if hasattr(view.cls, method)
    }
    assert offered - covered == set()
