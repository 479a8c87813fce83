"""The Risk tab and the part's pages: the header's current risk on every case page, recording
a version through the form (bad input 422, stale 409), the closure gate's message on the stage
page, the supervisor's decision, the reviews page and the home panel, the chronology lines."""

from __future__ import annotations

import pytest

from conftest import actor_for, client_for
from safecase.cases import actions as case_actions
from safecase.cases import chronology, parts
from safecase.cases.risk import actions
from safecase.cases.risk.gates import CLOSURE_NEEDS_APPROVAL
from safecase.cases.risk.models import ApprovalRequest, RiskAssessment, RiskAssessmentVersion
from safecase.cases.risk.selectors import risk_reviews_overdue
from safecase.cases.risk.tests.helpers import DemoWorld, assess, gates_on, in_days, request_closure
from safecase.cases.tests.helpers import open_case, restricted_case
from safecase.people.actions import person_create
from safecase.people.models import ChronologyItem

pytestmark = pytest.mark.django_db


def _form(**extra: object) -> dict[str, object]:
    return {
        "risk_factors": "Bruising; the child is frightened to go home.",
        "protective_factors": "A trusted teacher.",
        "likelihood": "4",
        "impact": "4",
        "level": "high",
        "interim_measures": ["supervised_contact"],
        "next_review_on": in_days(10).isoformat(),
        "reason": "First assessment after the disclosure.",
        "version": "0",
        **extra,
    }


def test_every_case_page_shows_the_current_risk(world: DemoWorld) -> None:
    case = open_case(world)
    lead = client_for(world.users["lead"])
    assert b"Current risk" not in lead.get(f"/cases/{case.pk}/").content
    assess(world, case, level="critical")
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/risk/", f"/cases/{case.pk}/risk/history/"):
        page = lead.get(url)
        assert page.status_code == 200
        assert page.context["header"].risk.level == "critical"
        assert b"Current risk" in page.content and b"Critical" in page.content


def test_recording_a_version_through_the_form(world: DemoWorld) -> None:
    case = open_case(world)
    lead = client_for(world.users["lead"])
    url = f"/cases/{case.pk}/risk/assess/"
    assert lead.get(url).status_code == 200
    done = lead.post(url, _form())
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.pk}/risk/"
    version = RiskAssessmentVersion.objects.get(case=case)
    assert version.interim_measures == ["supervised_contact"] and version.level == "high"
    # The next form starts from the current version.
    assert lead.get(url).context["form"].initial["risk_factors"].startswith("Bruising")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"reason": ""}, b"This field is required"),
        ({"reason": "ok"}, b"the record must say why"),
        ({"next_review_on": "2020-01-01"}, b"after today"),
        ({"next_review_on": "31/02/2027"}, b"as a real date"),
        ({"next_review_on": ""}, b"Give the date of the next review"),
        ({"interim_measures": ["other"]}, b"Say what the other interim measure is"),
    ],
)
def test_bad_input_re_renders_with_the_message(
    world: DemoWorld, extra: dict[str, object], message: bytes
) -> None:
    case = open_case(world)
    page = client_for(world.users["lead"]).post(f"/cases/{case.pk}/risk/assess/", _form(**extra))
    assert page.status_code == 422
    assert message in page.content and b"There is a problem" in page.content
    assert not RiskAssessmentVersion.objects.exists()


def test_a_stale_form_is_a_conflict_message(world: DemoWorld) -> None:
    case = open_case(world)
    assess(world, case)
    page = client_for(world.users["lead"]).post(f"/cases/{case.pk}/risk/assess/", _form())
    assert page.status_code == 409
    assert b"it is now version 1" in page.content
    assert RiskAssessment.objects.get(case=case).version == 1


def test_the_stage_page_says_a_supervisor_must_approve_closure(world: DemoWorld) -> None:
    gates_on(world)
    case = open_case(world)
    lead = client_for(world.users["lead"])
    stage = f"/cases/{case.pk}/stage/"
    refused = lead.post(
        stage, {"to_stage": "closed", "reason": "Work done.", "version": case.version}
    )
    assert refused.status_code == 422
    assert CLOSURE_NEEDS_APPROVAL.encode() in refused.content
    # Request on the Risk tab, the supervisor approves on their list, then the case closes.
    asked = lead.post(
        f"/cases/{case.pk}/risk/approvals/new/", {"kind": "closure", "reason": "Work complete."}
    )
    assert asked.status_code == 302
    request = ApprovalRequest.objects.get(case=case)
    supervisor = client_for(world.users["supervisor"])
    assert b"1 waiting" in supervisor.get("/").content
    listed = supervisor.get("/cases/risk/approvals/")
    assert [r.pk for r in listed.context["rows"]] == [request.pk]
    decide = f"/cases/risk/approvals/{request.pk}/"
    assert (
        supervisor.post(decide, {"decision": "approved", "reason": "", "version": 1}).status_code
        == 422
    )
    assert (
        supervisor.post(
            decide, {"decision": "approved", "reason": "Plan done.", "version": 9}
        ).status_code
        == 409
    )
    approved = supervisor.post(
        decide, {"decision": "approved", "reason": "Plan done.", "version": 1}
    )
    assert approved.status_code == 302
    closed = lead.post(
        stage, {"to_stage": "closed", "reason": "Approved.", "version": case.version}
    )
    assert closed.status_code == 302


def test_the_requester_is_told_another_supervisor_must_decide(world: DemoWorld) -> None:
    gates_on(world)
    case = open_case(world)
    request = ApprovalRequest.objects.create(
        organisation=case.organisation,
        case=case,
        kind="closure",
        requested_by=world.users["supervisor"],
        request_reason="Made as the supervisor (a test shortcut).",
    )
    supervisor = client_for(world.users["supervisor"])
    page = supervisor.get(f"/cases/risk/approvals/{request.pk}/")
    assert page.status_code == 200 and b"another supervisor must decide" in page.content
    posted = supervisor.post(
        f"/cases/risk/approvals/{request.pk}/",
        {"decision": "approved", "reason": "Approving my own.", "version": 1},
    )
    assert posted.status_code == 403
    assert ApprovalRequest.objects.get(pk=request.pk).status == "pending"


def test_the_gate_settings_page(world: DemoWorld) -> None:
    lead = client_for(world.users["lead"])
    assert lead.get("/cases/risk/settings/").status_code == 200
    saved = lead.post("/cases/risk/settings/", {"closure_needs_approval": "on", "version": 0})
    assert saved.status_code == 302
    stale = lead.post("/cases/risk/settings/", {"version": 0})
    assert stale.status_code == 409
    assert client_for(world.users["deputy"]).get("/cases/risk/settings/").status_code == 403


def _overdue(world: DemoWorld, case_id: object, days: int = 3) -> None:
    RiskAssessment.objects.filter(case_id=case_id).update(next_review_on=in_days(-days))


def test_overdue_reviews_on_the_home_page_and_the_reviews_page(world: DemoWorld) -> None:
    case = open_case(world)
    assess(world, case)
    _overdue(world, case.pk)
    hidden = restricted_case(world, "case_worker")
    assess(world, hidden, "case_worker")
    _overdue(world, hidden.pk)
    # The lead sees their overdue case, not the restricted one (never counted either).
    rows = risk_reviews_overdue(actor_for(world, "lead"))
    assert [r.case_id for r in rows] == [case.pk]
    home = client_for(world.users["lead"]).get("/")
    assert b"Risk reviews overdue" in home.content and case.reference.encode() in home.content
    panel = next(p for p in home.context["case_panels"] if p["template"].startswith("case_risk"))
    assert panel["data"]["overdue_count"] == 1
    supervisor_home = client_for(world.users["supervisor"]).get("/")
    assert b"Risk reviews overdue" in supervisor_home.content
    assert b"Risk reviews overdue" not in client_for(world.users["case_worker"]).get("/").content
    reviews = client_for(world.users["lead"]).get("/cases/risk/")
    assert [r.case_id for r in reviews.context["rows"]] == [case.pk]
    assert reviews.context["rows"][0].is_overdue


def test_each_version_is_a_line_in_the_subjects_chronology(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    case = open_case(world)
    person = person_create(
        actor=lead, kind="child", given_names="Jamie", family_name="Example-Child"
    )
    case_actions.case_add_subject(
        actor=lead, case=case, version=case.version, person=person, role="subject"
    )
    assess(world, case, reason="The police report a second incident.")
    gates_on(world)
    request = request_closure(world, case)
    actions.approval_decide(
        actor=actor_for(world, "supervisor"),
        request=request,
        version=request.version,
        decision="refused",
        reason="The review meeting is next week.",
    )
    titles = sorted(ChronologyItem.objects.filter(person=person).values_list("title", flat=True))
    assert "Risk assessed: high — The police report a second incident." in titles
    assert "Supervisor refused closing the case — The review meeting is next week." in titles
    page = client_for(world.users["lead"]).get(f"/people/{person.pk}/")
    assert b"Risk assessed: high" in page.content
    before = sorted(
        ChronologyItem.objects.filter(person=person).values_list("title", "summary", "when")
    )
    chronology.rebuild(organisation_id=case.organisation_id)
    after = sorted(
        ChronologyItem.objects.filter(person=person).values_list("title", "summary", "when")
    )
    assert after == before


def test_the_risk_history_section_lists_every_version(world: DemoWorld) -> None:
    case = open_case(world)
    assess(world, case)
    assess(
        world, case, level="low", reason="Family engaging with support.", next_review_on=in_days(28)
    )
    section = next(s for s in parts.case_sections(case) if s["key"] == "risk")
    assert section["title"] == "Risk history"
    assert [e["heading"] for e in section["entries"]] == [
        "Version 1: high risk",
        "Version 2: low risk",
    ]
    assert "Reason: Family engaging with support." in section["entries"][1]["body"]


def test_a_restricted_cases_request_is_never_listed_or_counted_for_the_supervisor(
    world: DemoWorld,
) -> None:
    gates_on(world)
    hidden = restricted_case(world, "case_worker")
    actions.approval_request(
        actor=actor_for(world, "case_worker"),
        case=hidden,
        kind="closure",
        reason="The allegation is unfounded; asking to close.",
    )
    supervisor = client_for(world.users["supervisor"])
    assert supervisor.get("/cases/risk/approvals/").context["rows"] == []
    assert b"Nothing is waiting for a supervisor" in supervisor.get("/").content
    request = ApprovalRequest.objects.get(case=hidden)
    assert supervisor.get(f"/cases/risk/approvals/{request.pk}/").status_code == 404
