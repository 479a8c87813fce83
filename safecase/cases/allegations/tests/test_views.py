"""The allegation tab: it shows the track and its forms work without JavaScript; bad input
answers 422 with the message and nothing saved, a stale form 409, a case that is not an
allegation 409 with the reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import client_for
from safecase.cases.allegations.models import (
    Allegation,
    BarringReferral,
    HarmTest,
    SuspensionDecision,
    SuspensionReview,
)
from safecase.cases.allegations.tests.helpers import allegation_case, harm_test, refer, suspend
from safecase.cases.tests.helpers import DemoWorld, open_case

pytestmark = pytest.mark.django_db


def url(case: object, suffix: str = "") -> str:
    return f"/cases/{case.pk}/allegation/{suffix}"  # type: ignore[attr-defined]


def _yes_first(version: int = 0) -> dict[str, object]:
    return {
        "harm-version": version,
        "harm-answer_harmed": "yes",
        "harm-note_harmed": "Bruises seen.",
        "harm-answer_offence": "no",
        "harm-answer_risk": "no",
        "harm-answer_unsuitable": "no",
    }


def test_the_lead_records_the_harm_test_and_sees_the_lado_deadline(world: DemoWorld) -> None:
    case = allegation_case(world)
    lead = client_for(world.users["lead"])
    page = lead.get(url(case))
    assert page.status_code == 200
    assert "Record the harm-threshold test" in page.content.decode()
    response = lead.post(url(case, "harm-test/"), _yes_first())
    assert response.status_code == 302
    assert HarmTest.objects.get().threshold_met
    body = lead.get(url(case)).content.decode()
    assert "A LADO referral is due within one working day" in body


def test_an_unanswered_test_is_refused_with_its_question(world: DemoWorld) -> None:
    case = allegation_case(world)
    data = _yes_first()
    del data["harm-answer_risk"]
    response = client_for(world.users["lead"]).post(url(case, "harm-test/"), data)
    assert response.status_code == 422
    assert "Answer yes or no: Behaved towards a child" in response.content.decode()
    assert not HarmTest.objects.exists()


def test_a_stale_form_is_a_conflict(world: DemoWorld) -> None:
    case = allegation_case(world)
    harm_test(world, case)
    response = client_for(world.users["lead"]).post(url(case, "harm-test/"), _yes_first(0))
    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()
    assert HarmTest.objects.count() == 1


def test_the_lado_reference_and_a_malformed_date(world: DemoWorld) -> None:
    case = allegation_case(world)
    lead = client_for(world.users["lead"])
    bad = lead.post(
        url(case, "lado/"),
        {"lado-version": 0, "lado-lado_reference": "L-1", "lado-referred_on": "31/02/2026"},
    )
    assert bad.status_code == 422
    assert "Enter a real date" in bad.content.decode()
    assert not Allegation.objects.exists()
    when = timezone.localtime() - timedelta(hours=1)
    ok = lead.post(
        url(case, "lado/"),
        {
            "lado-version": 0,
            "lado-lado_reference": "LADO-26-7",
            "lado-referred_on": when.date().isoformat(),
            "lado-referred_time": when.strftime("%H:%M"),
        },
    )
    assert ok.status_code == 302
    assert Allegation.objects.get().lado_reference == "LADO-26-7"


def test_suspension_needs_its_rationale_then_is_reviewed(world: DemoWorld) -> None:
    case = allegation_case(world)
    lead = client_for(world.users["lead"])
    today = timezone.localdate()
    data = {
        "suspend-version": 0,
        "suspend-decision": "suspended",
        "suspend-rationale": "",
        "suspend-starts_on": today.isoformat(),
        "suspend-next_review_on": (today + timedelta(days=7)).isoformat(),
    }
    missing = lead.post(url(case, "suspension/"), data)
    assert missing.status_code == 422
    assert "Give the rationale for this decision" in missing.content.decode()
    assert not SuspensionDecision.objects.exists()
    data["suspend-rationale"] = "He coaches the U12s alone; pending the LADO's advice."
    assert lead.post(url(case, "suspension/"), data).status_code == 302
    decision = SuspensionDecision.objects.get()
    review = {
        "review-version": decision.version,
        "review-reviewed_on": today.isoformat(),
        "review-outcome": "continue",
        "review-rationale": "Police enquiries continue.",
        "review-next_review_on": (today + timedelta(days=14)).isoformat(),
    }
    assert lead.post(url(case, f"suspension/{decision.pk}/review/"), review).status_code == 302
    stale = lead.post(url(case, f"suspension/{decision.pk}/review/"), review)
    assert stale.status_code == 409
    assert SuspensionReview.objects.count() == 1
    body = lead.get(url(case)).content.decode()
    assert "Police enquiries continue." in body


def test_barring_referral_and_its_outcome(world: DemoWorld) -> None:
    case = allegation_case(world)
    lead = client_for(world.users["lead"])
    today = timezone.localdate().isoformat()
    data = {
        "refer-version": 0,
        "refer-body": "tra",
        "refer-referred_on": today,
        "refer-reference": "TRA-1",
        "refer-reason": "",
    }
    assert lead.post(url(case, "referrals/"), data).status_code == 422
    data["refer-reason"] = "Dismissed for conduct that may lead to a prohibition order."
    assert lead.post(url(case, "referrals/"), data).status_code == 302
    referral = BarringReferral.objects.get()
    prefix = f"outcome-{referral.pk}"
    done = lead.post(
        url(case, f"referrals/{referral.pk}/outcome/"),
        {
            f"{prefix}-version": 1,
            f"{prefix}-outcome": "Prohibition order.",
            f"{prefix}-outcome_on": today,
        },
    )
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == "Prohibition order."


def test_the_tab_refuses_a_case_that_is_not_an_allegation(world: DemoWorld) -> None:
    case = open_case(world)
    lead = client_for(world.users["lead"])
    page = lead.get(url(case))
    assert page.status_code == 409
    assert "only for a case about an allegation" in page.content.decode()
    assert lead.post(url(case, "harm-test/"), _yes_first()).status_code == 409
    assert not HarmTest.objects.exists()


def test_a_reader_without_case_manage_sees_no_forms(world: DemoWorld) -> None:
    case = allegation_case(world)
    suspend(world, case)
    refer(world, case)
    body = client_for(world.users["supervisor"]).get(url(case)).content.decode()
    assert "Suspended" in body and "Record the" not in body


def test_the_settings_page_rewords_the_tests(world: DemoWorld) -> None:
    lead = client_for(world.users["lead"])
    page = lead.get("/cases/allegations/settings/")
    assert page.status_code == 200
    assert "Possibly committed a criminal offence" in page.content.decode()
    saved = lead.post(
        "/cases/allegations/settings/",
        {"version": 0, "question_1": "Has harmed a child", "question_2": "Has broken the law"},
    )
    assert saved.status_code == 302
    empty = lead.post("/cases/allegations/settings/", {"version": 1})
    assert empty.status_code == 422
    stale = lead.post("/cases/allegations/settings/", {"version": 0, "question_1": "X test"})
    assert stale.status_code == 409
    assert client_for(world.users["deputy"]).get("/cases/allegations/settings/").status_code == 403
