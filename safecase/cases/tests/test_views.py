"""The case pages: success redirects, bad input 422 with the errors and nothing saved, a stale
form 409 with both versions named, and 404 for a case out of reach."""

from __future__ import annotations

import pytest

from conftest import actor_for, client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases import actions
from safecase.cases.choices import Stage, TeamRole
from safecase.cases.models import Case, CaseConcern, CaseSubject, CaseTeamMember
from safecase.cases.tests.helpers import case_type, open_case, restricted_case
from safecase.cases.tests.test_actions import _person
from safecase.concerns.tests.test_concerns import submitted_concern
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db


def _open_data(**extra: str) -> dict[str, str]:
    return {
        "case_type": str(case_type("allegation").pk),
        "title": "Allegation against a coach (synthetic)",
        "reason": "A parent phoned about the U12s coach.",
        **extra,
    }


def test_a_lead_opens_a_case_directly_and_lands_on_its_page(world: DemoWorld) -> None:
    client = client_for(world.users["lead"])
    assert client.get("/cases/new/").status_code == 200
    response = client.post("/cases/new/", _open_data())
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Allegation against a coach" in text and "Lena Lead" in text
    assert "Move to external referral" in text
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED, subject_id=str(case.pk))


def test_a_case_opened_from_a_concern_page_link_holds_the_concern(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    client = client_for(world.users["lead"])
    form = client.get(f"/cases/new/?concern={concern.pk}")
    assert form.status_code == 200 and "becomes the case" in form.content.decode()
    response = client.post("/cases/new/", _open_data(concern=str(concern.pk)))
    assert response.status_code == 302
    assert CaseConcern.objects.get().concern_id == concern.pk


def test_opening_without_a_title_answers_422_with_the_error_and_saves_nothing(
    world: DemoWorld,
) -> None:
    client = client_for(world.users["lead"])
    response = client.post("/cases/new/", _open_data(title="", reason="ok"))
    assert response.status_code == 422
    text = response.content.decode()
    assert "There is a problem" in text and 'href="#id_title"' in text
    assert not Case.objects.exists()


def test_a_concern_of_another_organisation_cannot_seed_a_case(world: DemoWorld) -> None:
    theirs = submitted_concern(world, "other_org")
    client = client_for(world.users["lead"])
    assert client.get(f"/cases/new/?concern={theirs.pk}").status_code == 404


def test_the_stage_form_moves_the_case_and_a_stale_one_answers_409(world: DemoWorld) -> None:
    case = open_case(world)
    client = client_for(world.users["lead"])
    assert client.get(f"/cases/{case.pk}/stage/").status_code == 200
    data = {"to_stage": Stage.EXTERNAL_REFERRAL, "reason": "Referred to CSC.", "version": 1}
    assert client.post(f"/cases/{case.pk}/stage/", data).status_code == 302
    stale = client.post(
        f"/cases/{case.pk}/stage/",
        {"to_stage": Stage.CLOSED, "reason": "Closing.", "version": 1},
    )
    assert stale.status_code == 409
    text = stale.content.decode()
    assert "changed since you opened it" in text and "version 1; it is now version 2" in text
    case.refresh_from_db()
    assert case.stage == Stage.EXTERNAL_REFERRAL


@pytest.mark.parametrize(
    "data",
    [
        {"to_stage": Stage.APPEAL, "reason": "Not allowed from reporting.", "version": 1},
        {"to_stage": Stage.EXTERNAL_REFERRAL, "reason": "", "version": 1},
        {"to_stage": Stage.EXTERNAL_REFERRAL, "reason": "ok", "version": 1},
    ],
)
def test_an_illegal_move_or_a_missing_reason_answers_422(
    world: DemoWorld, data: dict[str, object]
) -> None:
    case = open_case(world)
    response = client_for(world.users["lead"]).post(f"/cases/{case.pk}/stage/", data)
    assert response.status_code == 422
    case.refresh_from_db()
    assert (case.stage, case.version) == (Stage.REPORTING, 1)


def test_the_allocate_form_records_a_case_worker(world: DemoWorld) -> None:
    case = open_case(world)
    client = client_for(world.users["lead"])
    assert client.get(f"/cases/{case.pk}/allocate/").status_code == 200
    data = {
        "user": str(world.users["case_worker"].pk),
        "role": TeamRole.CASE_WORKER,
        "reason": "Cass knows the family.",
        "version": 1,
    }
    assert client.post(f"/cases/{case.pk}/allocate/", data).status_code == 302
    assert CaseTeamMember.objects.filter(case=case, role=TeamRole.CASE_WORKER).exists()
    assert client.post(f"/cases/{case.pk}/allocate/", data).status_code == 409
    reporter = {**data, "user": str(world.users["reporter"].pk), "version": 2}
    response = client.post(f"/cases/{case.pk}/allocate/", reporter)
    assert response.status_code == 422 and "role does not allow" in response.content.decode()


def test_concerns_and_people_are_added_from_the_case_page(world: DemoWorld) -> None:
    case = open_case(world)
    concern = submitted_concern(world)
    person = _person(world)
    client = client_for(world.users["lead"])
    # Reading the case lists no choices; each add form is there when asked for.
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert str(concern.pk) not in page and str(person.pk) not in page
    assert "?add=concern" in page and "?add=person" in page
    assert str(concern.pk) in client.get(f"/cases/{case.pk}/?add=concern").content.decode()
    assert str(person.pk) in client.get(f"/cases/{case.pk}/?add=person").content.decode()
    added = client.post(
        f"/cases/{case.pk}/concerns/",
        {"add_concern-concern": str(concern.pk), "add_concern-version": 1},
    )
    assert added.status_code == 302
    stale = client.post(
        f"/cases/{case.pk}/subjects/",
        {
            "add_subject-person": str(person.pk),
            "add_subject-role": "subject",
            "add_subject-version": 1,
        },
    )
    assert stale.status_code == 409
    bad = client.post(
        f"/cases/{case.pk}/subjects/",
        {"add_subject-person": str(person.pk), "add_subject-role": "", "add_subject-version": 2},
    )
    assert bad.status_code == 422 and not CaseSubject.objects.exists()
    assert "<title>Error: " in bad.content.decode()
    good = client.post(
        f"/cases/{case.pk}/subjects/",
        {
            "add_subject-person": str(person.pk),
            "add_subject-role": "subject",
            "add_subject-version": 2,
        },
    )
    assert good.status_code == 302 and CaseSubject.objects.get().person_id == person.pk


def test_a_restricted_case_answers_404_to_the_lead_and_200_to_the_named(world: DemoWorld) -> None:
    case = restricted_case(world, "case_worker")
    assert client_for(world.users["lead"]).get(f"/cases/{case.pk}/").status_code == 404
    assert client_for(world.users["case_worker"]).get(f"/cases/{case.pk}/").status_code == 200
    listed = client_for(world.users["lead"]).get("/cases/").content.decode()
    assert case.reference not in listed and "No cases" in listed


def test_the_caseload_page_counts_open_cases_per_worker(world: DemoWorld) -> None:
    case = open_case(world)
    actions.case_allocate(
        actor=actor_for(world, "lead"),
        case=case,
        version=1,
        user=world.users["case_worker"],
        role=TeamRole.CASE_WORKER,
        reason="Synthetic allocation.",
    )
    restricted_case(world)  # the deputy leads it; the lead may not count it
    response = client_for(world.users["lead"]).get("/cases/caseload/")
    assert response.status_code == 200
    rows = {(r.name, r.total) for r in response.context["rows"]}
    assert rows == {("Lena Lead", 1), ("Cass Worker", 1)}


def test_a_concern_the_reader_may_not_see_is_neither_listed_nor_counted(world: DemoWorld) -> None:
    low_level = submitted_concern(
        world, kind="low_level_adult", people=[{"name": "Mr Staff Example", "role": "subject"}]
    )
    case = open_case(world, concern=low_level)
    lead_page = client_for(world.users["lead"]).get(f"/cases/{case.pk}/")
    assert [c.pk for c in lead_page.context["detail"].concerns] == [low_level.pk]
    deputy_page = client_for(world.users["deputy"]).get(f"/cases/{case.pk}/")
    assert deputy_page.context["detail"].concerns == []
    text = deputy_page.content.decode()
    assert str(low_level.pk) not in text and "Mr Staff Example" not in text
    assert "None you may see." in text


def test_the_case_list_pages_newest_first_without_repeats(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    for i in range(53):
        case = open_case(world, code="early_help", title=f"Case {i}")
        if i % 2:
            actions.case_advance_stage(
                actor=lead, case=case, version=case.version, to_stage=Stage.CLOSED, reason="Done."
            )
    client = client_for(world.users["lead"])
    first = client.get("/cases/")
    rows = first.context["rows"]
    assert len(rows) == 50 and rows[0].title == "Case 52"
    second = client.get(f"/cases/?after={first.context['page'].next_cursor}")
    more = second.context["rows"]
    assert [r.title for r in more] == ["Case 2", "Case 1", "Case 0"]
    assert not second.context["page"].has_next
    closed = client.get("/cases/?status=closed")
    assert {r.status for r in closed.context["rows"]} == {"closed"}
    assert len(closed.context["rows"]) == 26


def _triage_form(concern: object, decision: str) -> dict[str, object]:
    return {
        "level_of_need": 4,
        "rag": "red",
        "initial_risk": "Possible physical harm at home.",
        "decision": decision,
        "rationale": "Disclosure of physical harm: the threshold for a case is met.",
        "version": concern.version,  # type: ignore[attr-defined]
    }


def test_a_triage_to_open_a_case_goes_on_to_open_it_from_the_concern(world: DemoWorld) -> None:
    concern = submitted_concern(world)
    client = client_for(world.users["lead"])
    response = client.post(f"/concerns/{concern.pk}/triage/", _triage_form(concern, "open_case"))
    assert response.status_code == 302
    assert response.url == f"/cases/new/?concern={concern.pk}"
    opened = client.post(response.url, _open_data())
    case = Case.objects.get()
    assert opened.url == f"/cases/{case.pk}/"
    assert list(case.case_concerns.values_list("concern_id", flat=True)) == [concern.pk]
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert f"/cases/{case.pk}/" in page and case.reference in page


def test_a_triage_to_add_to_a_case_goes_on_to_choose_the_case(world: DemoWorld) -> None:
    case = open_case(world)
    concern = submitted_concern(world)
    client = client_for(world.users["lead"])
    response = client.post(f"/concerns/{concern.pk}/triage/", _triage_form(concern, "add_to_case"))
    assert response.url == f"/cases/from-concern/{concern.pk}/"
    form = client.get(response.url)
    assert [c.pk for c in form.context["open_cases"]] == [case.pk]
    added = client.post(response.url, {"case": str(case.pk), "reason": "Same household."})
    assert added.status_code == 302 and added.url == f"/cases/{case.pk}/"
    link = CaseConcern.objects.get(case=case)
    assert link.concern_id == concern.pk and link.reason == "Same household."
    # Once part of it, the case is no longer offered.
    assert client.get(response.url).context["open_cases"] == []


def test_adding_a_concern_to_a_case_needs_an_open_case_the_reader_may_see(
    world: DemoWorld,
) -> None:
    restricted = restricted_case(world, "case_worker")
    closed = open_case(world)
    lead = actor_for(world, "lead")
    actions.case_advance_stage(
        actor=lead, case=closed, version=closed.version, to_stage=Stage.CLOSED, reason="Done."
    )
    concern = submitted_concern(world)
    client = client_for(world.users["lead"])
    url = f"/cases/from-concern/{concern.pk}/"
    assert client.get(url).context["open_cases"] == []
    for chosen in ("", str(restricted.pk), str(closed.pk)):
        response = client.post(url, {"case": chosen})
        assert response.status_code == 422, chosen
        assert response.context["form"].errors["case"]
    assert not CaseConcern.objects.exists()
    # A reporter may not manage cases at all; another organisation does not find the concern.
    assert client_for(world.users["reporter"]).get(url).status_code == 403
    assert client_for(world.users["other_org"]).get(url).status_code == 404


@pytest.mark.parametrize("persona", ["lead", "deputy", "case_worker", "supervisor"])
def test_the_case_list_links_only_to_cross_case_pages_the_reader_may_open(
    world: DemoWorld, persona: str
) -> None:
    from safecase.cases.views import CROSS_CASE_PAGES

    client = client_for(world.users[persona])
    response = client.get("/cases/")
    assert response.status_code == 200
    links = response.context["work_links"]
    assert links, "every case reader has some work across cases"
    for label, url in links:
        assert client.get(url).status_code == 200, (persona, label)
    # The lead also configures the parts; a case worker does not.
    labels = {label for label, _ in links}
    if persona == "lead":
        assert "Referral agencies and deadlines" in labels
    if persona == "case_worker":
        assert "Referral agencies and deadlines" not in labels
    assert labels <= {label for label, _ in CROSS_CASE_PAGES}


def test_the_stage_and_allocation_pages_show_the_current_risk(world: DemoWorld) -> None:
    from safecase.cases.risk.tests.helpers import assess

    case = open_case(world)
    client = client_for(world.users["lead"])
    for path in (f"/cases/{case.pk}/stage/", f"/cases/{case.pk}/allocate/"):
        assert "Current risk" not in client.get(path).content.decode()
    assess(world, case, level="high")
    for path in (f"/cases/{case.pk}/stage/", f"/cases/{case.pk}/allocate/"):
        html = client.get(path).content.decode()
        assert "Current risk" in html and "High" in html, path
