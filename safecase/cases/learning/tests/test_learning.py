"""The learning review: recorded and revised under its version, its recommendations tracked
to done or dropped (with the reason), its themes counted across the cases the reader may see
(a restricted case never for anyone not named), its lines in the chronology."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import actor_for, client_for
from safecase.cases import chronology as case_chronology
from safecase.cases import parts
from safecase.cases.learning import actions, selectors
from safecase.cases.learning.models import LearningReview, Recommendation, ReviewTheme
from safecase.cases.learning.tests.helpers import recommend, review
from safecase.cases.tests.helpers import DemoWorld, open_case, restricted_case, second_lead
from safecase.cases.tests.test_chronology import a_person, add, titles
from safecase.concerns.tests.test_chronology_lines import lines
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.people.models import ChronologyItem

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_a_review_is_recorded_revised_and_refuses_bad_input(world: DemoWorld) -> None:
    case = open_case(world)
    lead = actor_for(world, "lead")
    fields = {
        "went_well": "Quick referral.",
        "do_better": "Earlier escalation.",
        "why_it_happened": "No cover for the lead.",
        "facilitator": "Dev Deputy",
        "held_on": TODAY(),
        "themes": ["escalation"],
    }
    with pytest.raises(DomainError, match="what went well") as exc:
        actions.learning_review_save(
            actor=lead, case=case, version=0, **{**fields, "went_well": " "}
        )
    assert exc.value.field == "went_well"
    with pytest.raises(DomainError, match="future"):
        actions.learning_review_save(
            actor=lead, case=case, version=0, **{**fields, "held_on": TODAY() + timedelta(1)}
        )
    with pytest.raises(DomainError, match="from the list"):
        actions.learning_review_save(
            actor=lead, case=case, version=0, **{**fields, "themes": ["made_up"]}
        )
    with pytest.raises(NotPermitted):
        actions.learning_review_save(
            actor=actor_for(world, "other_org"), case=case, version=0, **fields
        )
    assert not LearningReview.objects.exists()
    saved = actions.learning_review_save(actor=lead, case=case, version=0, **fields)
    with pytest.raises(Conflict):
        actions.learning_review_save(actor=lead, case=case, version=0, **fields)
    actions.learning_review_save(
        actor=lead,
        case=case,
        version=saved.version,
        **{**fields, "themes": ["supervision", "online_safety"]},
    )
    assert sorted(ReviewTheme.objects.values_list("code", flat=True)) == [
        "online_safety",
        "supervision",
    ]


def test_recommendations_are_tracked_to_done_or_dropped_with_the_reason(world: DemoWorld) -> None:
    case = open_case(world)
    lead = actor_for(world, "lead")
    with pytest.raises(DomainError, match="before its recommendations"):
        actions.recommendation_add(
            actor=lead,
            case=case,
            version=0,
            text="Train the coaches.",
            owner=world.users["deputy"],
            due_on=TODAY(),
        )
    review(world, case)
    with pytest.raises(DomainError, match="past"):
        recommend(world, case, due_on=TODAY() - timedelta(days=1))
    with pytest.raises(DomainError, match="active member"):
        recommend(world, case, owner=world.users["other_org"])
    with pytest.raises(Conflict):
        actions.recommendation_add(
            actor=lead,
            case=case,
            version=0,
            text="Train the coaches.",
            owner=world.users["deputy"],
            due_on=TODAY(),
        )
    rec = recommend(world, case)
    with pytest.raises(DomainError, match="reason for dropping"):
        actions.recommendation_update(
            actor=lead, recommendation=rec, version=rec.version, status="dropped"
        )
    actions.recommendation_update(
        actor=lead, recommendation=rec, version=rec.version, status="done", reason="Log moved."
    )
    with pytest.raises(Conflict):
        actions.recommendation_update(
            actor=lead, recommendation=rec, version=1, status="dropped", reason="Superseded."
        )
    rec.refresh_from_db()
    assert rec.status == "done" and rec.closed_by == world.users["lead"]
    with pytest.raises(DomainError, match="reopening"):
        actions.recommendation_update(
            actor=lead, recommendation=rec, version=rec.version, status="open"
        )


def test_theme_counts_leave_out_restricted_cases_for_those_not_named(world: DemoWorld) -> None:
    open_a, open_b = open_case(world), open_case(world)
    review(world, open_a, themes=["information_sharing", "supervision"])
    review(world, open_b, themes=["information_sharing"])
    hidden = restricted_case(world, "case_worker")
    actions.learning_review_save(
        actor=second_lead(world),
        case=hidden,
        version=0,
        went_well="The deputy acted at once.",
        do_better="The lead's conduct was not challenged.",
        why_it_happened="Staff feared the lead.",
        facilitator="An independent reviewer",
        held_on=TODAY(),
        themes=["escalation", "information_sharing"],
    )
    recommend(world, hidden, "case_worker", owner=world.users["case_worker"])

    def counts(persona: str) -> dict[str, int]:
        return {c.code: c.cases for c in selectors.theme_counts(actor_for(world, persona))}

    assert counts("lead") == {"information_sharing": 2, "supervision": 1}
    assert counts("case_worker") == {"information_sharing": 3, "supervision": 1, "escalation": 1}
    assert counts("other_org") == {}
    assert list(selectors.open_recommendations(actor_for(world, "lead"))) == []
    assert len(list(selectors.open_recommendations(actor_for(world, "case_worker")))) == 1
    page = client_for(world.users["lead"]).get("/cases/learning/?theme=escalation")
    assert page.status_code == 200
    assert "Escalation" not in page.content.decode().split("Open recommendations")[0]
    assert page.context["rows"] == []


def test_the_overview_filters_by_theme_and_pages(world: DemoWorld) -> None:
    case_a, case_b = open_case(world), open_case(world)
    review(world, case_a, themes=["supervision"])
    review(world, case_b, themes=["online_safety"])
    for _ in range(3):
        recommend(world, case_a)
    recommend(world, case_b, text="Teach pupils about sharing images.")
    lead = client_for(world.users["lead"])
    assert len(lead.get("/cases/learning/").context["rows"]) == 4
    rows = lead.get("/cases/learning/?theme=online_safety").context["rows"]
    assert [r.text for r in rows] == ["Teach pupils about sharing images."]
    assert len(lead.get("/cases/learning/?theme=nonsense").context["rows"]) == 4


def test_review_held_and_recommendation_done_reach_the_chronology(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    child = a_person(world, "Rowan")
    case = open_case(world)
    add(lead, case, child)
    review(world, case)
    rec = recommend(world, case)
    actions.recommendation_update(
        actor=lead, recommendation=rec, version=rec.version, status="done", reason="Done."
    )
    shown = titles(lead, child)
    assert any(t.startswith("Learning review held on") for t in shown)
    assert any(t.startswith("Learning recommendation done: Keep low-level") for t in shown)
    kept = lines()
    ChronologyItem.objects.filter(case__isnull=False).delete()
    case_chronology.rebuild(organisation_id=case.organisation_id)
    assert lines() == kept
    # Reopened: the line goes, as a rebuild would have it.
    rec.refresh_from_db()
    actions.recommendation_update(
        actor=lead, recommendation=rec, version=rec.version, status="open", reason="Not yet."
    )
    assert not any(t.startswith("Learning recommendation done") for t in titles(lead, child))


def test_the_section_and_the_settings(world: DemoWorld) -> None:
    case = open_case(world)
    review(world, case)
    recommend(world, case)
    section = next(s for s in parts.case_sections(case) if s["key"] == "learning")
    assert [e["heading"] for e in section["entries"]] == ["Learning review", "Recommendation"]
    assert "Themes: Information sharing, Recording quality" in section["entries"][0]["body"]
    lead = actor_for(world, "lead")
    actions.learning_settings_update(
        actor=lead, version=0, labels=["Information sharing", "Contextual safeguarding"]
    )
    themes = {t["code"]: t["active"] for t in selectors.themes_for(case.organisation_id)}
    assert themes["contextual_safeguarding"] and not themes["recording_quality"]
    # The retired theme stays on the review and in the counts.
    assert {c.code for c in selectors.theme_counts(lead)} == {
        "information_sharing",
        "recording_quality",
    }
    with pytest.raises(DomainError, match="twice"):
        actions.learning_settings_update(actor=lead, version=1, labels=["A b", "a-b"])
    assert Recommendation.objects.count() == 1


def test_the_learning_tab_and_its_forms(world: DemoWorld) -> None:
    case = open_case(world)
    lead = client_for(world.users["lead"])
    url = f"/cases/{case.pk}/learning/"
    assert lead.get(url).status_code == 200
    data = {
        "review-version": 0,
        "review-went_well": "Quick referral.",
        "review-do_better": "",
        "review-why_it_happened": "No cover.",
        "review-facilitator": "Dev Deputy",
        "review-held_on": "2026-13-01",
        "review-themes": ["escalation"],
    }
    bad = lead.post(url + "review/", data)
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "Enter a real date" in body and "Say what could be done better" in body
    data.update({"review-do_better": "Escalate sooner.", "review-held_on": TODAY().isoformat()})
    assert lead.post(url + "review/", data).status_code == 302
    assert lead.post(url + "review/", data).status_code == 409
    rec = {
        "rec-version": 1,
        "rec-text": "Name a deputy.",
        "rec-owner": str(world.users["deputy"].pk),
        "rec-due_on": (TODAY() + timedelta(days=5)).isoformat(),
    }
    assert lead.post(url + "recommendations/", rec).status_code == 302
    row = Recommendation.objects.get()
    prefix = f"status-{row.pk}"
    dropped = lead.post(
        url + f"recommendations/{row.pk}/status/",
        {f"{prefix}-version": 1, f"{prefix}-status": "dropped", f"{prefix}-reason": ""},
    )
    assert dropped.status_code == 422
    assert "reason for dropping" in dropped.content.decode()
    settings = client_for(world.users["lead"]).get("/cases/learning/settings/")
    assert settings.status_code == 200
    saved = lead.post("/cases/learning/settings/", {"version": 0, "labels": "Escalation\nTraining"})
    assert saved.status_code == 302
