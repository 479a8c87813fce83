"""The API can do the same as the case pages: an allegation against a coach walked from the
report to the learning review and closure entirely through /api/v1/, as the UI does it. Every
change to a case or one of its parts needs If-Match (428 without, 412 stale); an appeal panel
naming the decision maker is refused with a clear message and changes nothing; the varied
decision becomes the current one and the first is kept; the audit trail has the events; the
adult concerned's chronology carries the case and the child's only the one link (W12)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safecase.accounts import auth_actions
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases.decisions.models import Appeal
from safecase.cases.decisions.tests.helpers import panel_of
from safecase.cases.models import Case
from safecase.core.actors import Actor
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db

Api = Callable[[str], Client]


def _send(
    client: Client, method: str, url: str, body: dict[str, Any] | None = None, etag: str = ""
) -> Any:
    headers = {"If-Match": etag} if etag else {}
    return client.generic(
        method, url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response


def _token_client(actor: Actor) -> Client:
    _, secret = auth_actions.api_token_create(actor=actor, name="tests", days=30, with_mfa=True)
    return Client(headers={"authorization": f"Bearer {secret}"})


def _ago(**delta: float) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _person(client: Client, kind: str, given: str, family: str) -> str:
    made = _send(
        client,
        "POST",
        "/api/v1/people",
        {"kind": kind, "given_names": given, "family_name": family},
    )
    return str(_ok(made, 201).json()["id"])


def test_an_allegation_goes_from_report_to_learning_review_through_the_api(
    world: DemoWorld, api: Api
) -> None:
    lead = api("lead")
    lead_id = str(world.users["lead"].pk)

    # The report: a concern recorded and submitted by a member of staff.
    reporter = api("reporter")
    draft = _send(
        reporter,
        "POST",
        "/api/v1/concerns",
        {
            "people": [{"name": "Robin Example-Pupil", "details": "Year 9", "role": "subject"}],
            "category_codes": ["physical"],
            "happened_at": _ago(hours=3),
            "location": "Sports hall",
            "fact": "The coach grabbed Robin's arm hard during practice; a red mark was seen.",
            "own_words": "He grabbed me and pulled me off the court.",
            "opinion": "Robin seemed upset.",
        },
    )
    concern = _ok(draft, 201).json()
    concern_url = f"/api/v1/concerns/{concern['id']}"
    _ok(_send(reporter, "POST", f"{concern_url}/submit", etag=draft["ETag"]))

    # The case, of the allegation type, opened from the concern.
    opened = _ok(
        _send(
            lead,
            "POST",
            "/api/v1/cases",
            {
                "case_type": "allegation",
                "title": "Allegation against a coach (synthetic)",
                "reason": "A pupil says the coach grabbed them; an allegation against staff.",
                "concern": concern["id"],
            },
        ),
        201,
    )
    url = opened["Location"]
    case_id = opened.json()["id"]
    assert opened.json()["concerns"] == [concern["id"]]

    def etag() -> str:
        return str(_ok(lead.get(url))["ETag"])

    def move(to_stage: str, reason: str) -> Any:
        return _ok(
            _send(lead, "POST", f"{url}/stage", {"to_stage": to_stage, "reason": reason}, etag())
        ).json()

    # The child and the adult concerned as subjects.
    child = _person(lead, "child", "Robin", "Example-Pupil")
    coach = _person(lead, "adult_concerned", "Morgan", "Example-Coach")
    _ok(_send(lead, "POST", f"{url}/subjects", {"person": child, "role": "subject"}, etag()))
    added = _send(
        lead, "POST", f"{url}/subjects", {"person": coach, "role": "adult_concerned"}, etag()
    )
    assert {(s["person"], s["role"]) for s in _ok(added).json()["subjects"]} == {
        (child, "subject"),
        (coach, "adult_concerned"),
    }

    # The harm-threshold test, then the LADO reference (If-Match: the allegation's ETag).
    track = _ok(lead.get(f"{url}/allegation"))
    assert track["ETag"] == '"0"' and track.json()["threshold_met"] is None
    answers = [
        {"code": q["code"], "answer": i == 0, "note": "Physical harm alleged." if i == 0 else ""}
        for i, q in enumerate(track.json()["questions"])
    ]
    tested = _ok(
        _send(
            lead,
            "POST",
            f"{url}/allegation/harm-tests",
            {"answers": answers, "summary": "The coach may have harmed a child."},
            '"0"',
        )
    )
    assert tested.json()["threshold_met"] is True and tested.json()["lado_due_by"]
    lado = {"lado_reference": "LADO-SYN-0042", "lado_referred_at": _ago(hours=1)}
    lado_url = f"{url}/allegation/lado"
    # A missing If-Match is 428, a stale one 412; neither records anything.
    assert _send(lead, "POST", lado_url, lado).status_code == 428
    assert _send(lead, "POST", lado_url, lado, '"0"').status_code == 412
    assert _ok(lead.get(f"{url}/allegation")).json()["lado_reference"] == ""
    recorded = _ok(_send(lead, "POST", lado_url, lado, tested["ETag"])).json()
    assert recorded["lado_reference"] == "LADO-SYN-0042" and recorded["lado_due_by"] is None

    # The risk assessment ("0" before its first version).
    risk = _send(
        lead,
        "POST",
        f"{url}/risk",
        {
            "risk_factors": "The coach works with the pupils unsupervised twice a week.",
            "protective_factors": "Sessions can be staffed by two adults.",
            "likelihood": 3,
            "impact": 4,
            "level": "high",
            "interim_measures": ["no_unsupervised_access"],
            "next_review_on": _in_days(14),
            "reason": "First assessment after the allegation.",
        },
        '"0"',
    )
    assert _ok(risk, 201).json()["level"] == "high"
    assert _ok(lead.get(f"{url}/risk")).json()["current"]["number"] == 1

    # Referrals: the police and the LADO, at the external referral stage.
    assert (
        move("external_referral", "The threshold is met: LADO and police informed.")["stage"]
        == "external_referral"
    )
    for agency, reference in (("police", "NP-SYN-1234"), ("lado", "LADO-SYN-0042")):
        referral = _send(
            lead,
            "POST",
            f"{url}/referrals",
            {
                "agency": agency,
                "made_at": _ago(minutes=50),
                "method": "phone",
                "their_reference": reference,
                "summary": "Allegation that a coach grabbed a pupil's arm (synthetic).",
            },
        )
        assert _ok(referral, 201).json()["status"] == "awaiting"
    assert {r["agency"] for r in _ok(lead.get(f"{url}/referrals")).json()} == {"police", "lado"}

    # The investigation, with an interview and a finding.
    move("internal_investigation", "The LADO agreed the school investigates.")
    investigation = _send(
        lead,
        "POST",
        f"{url}/investigation",
        {
            "terms_of_reference": "Establish whether the coach grabbed the pupil's arm.",
            "plan": "Interview the pupil, the coach and a witness; view the CCTV.",
            "investigator": lead_id,
            "reason": "Opened after the strategy discussion.",
        },
    )
    assert _ok(investigation, 201).json()["status"] == "planned"
    interview = _send(
        lead,
        "POST",
        f"{url}/investigation/interviews",
        {
            "interviewee_name": "Morgan Example-Coach",
            "person": coach,
            "role": "adult_concerned",
            "held_at": _ago(minutes=30),
            "interviewer": lead_id,
            "summary": "The coach says they took the pupil's arm to stop a collision.",
            "own_words": "I had to be firm, he was about to run into the wall.",
            "signed": True,
            "signed_on": timezone.localdate().isoformat(),
        },
    )
    interview_id = _ok(interview, 201).json()["id"]
    finding = _send(
        lead,
        "POST",
        f"{url}/investigation/findings",
        {
            "kind": "established_fact",
            "text": "The coach took hold of the pupil's arm during practice.",
            "interviews": [interview_id],
        },
    )
    assert _ok(finding, 201).json()["interviews"] == [interview_id]
    detail = _ok(lead.get(f"{url}/investigation")).json()
    assert len(detail["interviews"]) == 1 and len(detail["findings"]) == 1

    # The decision, with sanctions and the rationale (If-Match: the case's ETag).
    move("decision", "The investigation established the facts.")
    made = _send(
        lead,
        "POST",
        f"{url}/decisions",
        {
            "outcome": "substantiated",
            "sanctions": [
                {"code": "training", "detail": "Safeguarding refresher"},
                {"code": "warning", "detail": "Final written warning"},
            ],
            "decision_makers": [lead_id],
            "rationale": "The coach's own account and the witness agree the arm was grabbed.",
            "decided_at": timezone.now().isoformat(),
        },
        etag(),
    )
    first = _ok(made, 201).json()
    assert first["number"] == 1 and {s["code"] for s in first["sanctions"]} == {
        "training",
        "warning",
    }

    # The appeal, lodged by the coach at the appeal stage.
    move("appeal", "The coach appeals the sanction.")
    lodged = _send(
        lead,
        "POST",
        f"{url}/appeals",
        {
            "appellant_person": coach,
            "appellant_name": "Morgan Example-Coach",
            "appellant_role": "The coach",
            "grounds": "A final warning is disproportionate to a single incident.",
            "lodged_at": timezone.now().isoformat(),
        },
        etag(),
    )
    appeal = _ok(lodged, 201).json()
    appeal_url = f"{url}/appeals/{appeal['id']}"
    panel = [str(p.user.pk) for p in panel_of(world) if p.user is not None]

    # A panel naming the decision maker is refused, saying why, and nothing changes.
    conflicted = _send(
        lead,
        "POST",
        f"{appeal_url}/panel",
        {"panel": [panel[0], lead_id], "hearing_at": _ago(days=-1)},
        lodged["ETag"],
    )
    assert conflicted.status_code == 400
    assert (
        "made the decision under appeal, so cannot sit on its panel"
        in (conflicted.json()["panel"][0])
    )
    unchanged = Appeal.objects.get(pk=appeal["id"])
    assert unchanged.version == appeal["version"] and not unchanged.panel.exists()
    assert unchanged.hearing_at is None
    seated = _send(
        lead,
        "POST",
        f"{appeal_url}/panel",
        {"panel": panel, "hearing_at": _ago(days=-1)},
        lodged["ETag"],
    )
    assert {m["id"] for m in _ok(seated).json()["panel"]} == set(panel)

    # The panel varies the decision: its new decision is current, the first is kept.
    chair = _token_client(panel_of(world)[0])
    varied = _send(
        chair,
        "POST",
        f"{appeal_url}/outcome",
        {
            "outcome": "varied",
            "reason": "A warning alone is proportionate to a single incident.",
            "decided_at": timezone.now().isoformat(),
            "new_outcome": "substantiated",
            "sanctions": [{"code": "warning", "detail": "Written warning, 6 months"}],
            "rationale": "The finding stands; the final warning is reduced to a warning.",
        },
        seated["ETag"],
    )
    assert _ok(varied).json()["outcome"] == "varied"
    decisions = _ok(lead.get(f"{url}/decisions")).json()
    assert [d["number"] for d in decisions["decisions"]] == [2, 1]
    newest, kept = decisions["decisions"]
    assert decisions["current"] == newest["id"] and newest["appeal"] == appeal["id"]
    assert {m["id"] for m in newest["decision_makers"]} == set(panel)
    assert [s["code"] for s in newest["sanctions"]] == ["warning"]
    assert kept["id"] == first["id"] and kept["rationale"] == first["rationale"]
    assert {s["code"] for s in kept["sanctions"]} == {"training", "warning"}

    # The learning review with a recommendation ("0" before the review), then closure.
    move("learning", "The appeal is decided.")
    review = _send(
        lead,
        "PUT",
        f"{url}/learning",
        {
            "went_well": "The LADO was informed within the day.",
            "do_better": "Coaches had no guidance on physical contact.",
            "why_it_happened": "The sports department's induction left it out.",
            "facilitator": "Lena Lead",
            "held_on": timezone.localdate().isoformat(),
        },
        '"0"',
    )
    _ok(review)
    recommended = _send(
        lead,
        "POST",
        f"{url}/learning/recommendations",
        {
            "text": "Add guidance on physical contact to the coaches' induction.",
            "owner": lead_id,
            "due_on": _in_days(30),
        },
        review["ETag"],
    )
    recommendations = _ok(recommended).json()["recommendations"]
    assert [r["text"] for r in recommendations] == [
        "Add guidance on physical contact to the coaches' induction."
    ]
    closed = move("closed", "The learning review is done; the recommendation is tracked.")
    assert (closed["stage"], closed["status"]) == ("closed", "closed")
    assert [h["to_stage"] for h in _ok(lead.get(url)).json()["history"]] == [
        "closed",
        "learning",
        "appeal",
        "decision",
        "internal_investigation",
        "external_referral",
        "reporting",
    ]

    # The audit trail has the events.
    case = Case.objects.get(pk=case_id)
    recorded_actions = set(AuditEvent.objects.values_list("action", flat=True))
    for action in (
        AuditAction.CASE_OPENED,
        AuditAction.CASE_SUBJECT_ADDED,
        AuditAction.ALLEGATION_HARM_TEST_RECORDED,
        AuditAction.ALLEGATION_LADO_RECORDED,
        AuditAction.RISK_ASSESSED,
        AuditAction.CASE_REFERRAL_MADE,
        AuditAction.INVESTIGATION_OPENED,
        AuditAction.INTERVIEW_RECORDED,
        AuditAction.FINDING_RECORDED,
        AuditAction.DECISION_RECORDED,
        AuditAction.APPEAL_LODGED,
        AuditAction.APPEAL_PANEL_SET,
        AuditAction.APPEAL_DECIDED,
        AuditAction.LEARNING_REVIEW_RECORDED,
        AuditAction.LEARNING_RECOMMENDATION_ADDED,
        AuditAction.CASE_STAGE_ADVANCED,
    ):
        assert action.value in recorded_actions, action
    assert AuditEvent.objects.filter(action=AuditAction.CASE_STAGE_ADVANCED).count() == 6
    assert AuditEvent.objects.filter(action=AuditAction.APPEAL_PANEL_SET).count() == 1

    # The adult concerned's chronology carries the case; the child's only the link (W12).
    def chronology(person: str) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = _ok(lead.get(f"/api/v1/people/{person}/chronology")).json()[
            "entries"
        ]
        return entries

    ref = case.reference
    coach_titles = {e["title"] for e in chronology(coach) if e["kind"] == "Case"}
    assert {
        f"Case {ref} opened: {case.title}",
        "Harm-threshold test: threshold met, a LADO referral is due within one working day",
        "LADO referral recorded (LADO reference LADO-SYN-0042)",
        "Referral to Police (phone)",
        "Investigation interview held (adult concerned)",
        f"Case {ref}: decision: substantiated",
        f"Case {ref}: appeal lodged by Morgan Example-Coach",
        f"Case {ref}: decision (on appeal): substantiated",
        f"Case {ref}: Learning to closed",
    } <= coach_titles
    child_entries = chronology(child)
    assert [(e["kind"], e["title"]) for e in child_entries] == [
        ("Case", f"Named on allegation case {ref}")
    ]
    assert "LADO" not in child_entries[0]["summary"]
