"""The Decision and appeal tab and its forms: without JavaScript, bad input re-rendered with
a clear message (422) and nothing saved, a stale form 409, the snapshot shown as it was, and
the organisation's outcomes and sanctions page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import DemoWorld, actor_for, client_for
from safecase.cases import actions as case_actions
from safecase.cases.decisions import actions, selectors
from safecase.cases.decisions.choices import AppealOutcome, OptionKind
from safecase.cases.decisions.models import Appeal, Decision, DecisionOption
from safecase.cases.decisions.tests.helpers import (
    case_at_decision,
    decide,
    decider,
    lodge,
    option,
    outcome,
    panel_of,
    set_panel,
)
from safecase.cases.models import Case
from safecase.concerns.tests.test_concerns import submitted_concern

pytestmark = pytest.mark.django_db


def _url(case: Case, suffix: str = "") -> str:
    return f"/cases/{case.pk}/decision/{suffix}"


def _now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def _decision_form(case: Case, **extra: Any) -> dict[str, Any]:
    training = option(OptionKind.SANCTION, "training")
    case.refresh_from_db()
    return {
        "outcome": str(outcome().pk),
        f"sanction_{training.pk}": "on",
        f"sanction_{training.pk}_detail": "Safeguarding refresher",
        "decision_makers": [str(case.opened_by_id)],
        "rationale": "The accounts agree; the coach accepts it.",
        "decided_at": _now(),
        "version": case.version,
        **extra,
    }


def test_the_lead_records_a_decision_through_the_page(world: DemoWorld) -> None:
    case = case_at_decision(world)
    lead = client_for(world.users["lead"])
    page = lead.get(_url(case))
    assert page.status_code == 200 and b"No decision yet" in page.content
    assert b"Record the decision" in page.content
    form = lead.get(_url(case, "new/"))
    assert form.status_code == 200 and b"Safeguarding refresher" not in form.content
    response = lead.post(_url(case, "new/"), _decision_form(case))
    assert response.status_code == 302, response.content[:2000]
    decision = Decision.objects.get()
    assert [s.detail for s in decision.sanctions.all()] == ["Safeguarding refresher"]
    page = lead.get(_url(case))
    assert b"Substantiated" in page.content and b"Lodge an appeal" in page.content


def test_a_missing_rationale_or_a_malformed_date_is_refused_and_nothing_saved(
    world: DemoWorld,
) -> None:
    case = case_at_decision(world)
    lead = client_for(world.users["lead"])
    missing = lead.post(_url(case, "new/"), _decision_form(case, rationale=""))
    assert missing.status_code == 422
    assert b"Give the rationale for this decision" in missing.content
    malformed = lead.post(_url(case, "new/"), _decision_form(case, decided_at="31/02/2026"))
    assert malformed.status_code == 422 and b"Enter a real date and time" in malformed.content
    training = option(OptionKind.SANCTION, "training")
    bad_end = lead.post(
        _url(case, "new/"),
        _decision_form(case, **{f"sanction_{training.pk}_ends_on": "2026-13-01"}),
    )
    assert bad_end.status_code == 422 and b"Enter a real date" in bad_end.content
    assert Decision.objects.count() == 0


def test_a_stale_decision_form_is_a_conflict(world: DemoWorld) -> None:
    case = case_at_decision(world)
    lead = client_for(world.users["lead"])
    data = _decision_form(case)
    case_actions.case_add_concern(
        actor=actor_for(world, "lead"),
        case=case,
        version=case.version,
        concern=submitted_concern(world),
    )
    response = lead.post(_url(case, "new/"), data)
    assert response.status_code == 409 and b"changed since you opened it" in response.content
    assert Decision.objects.count() == 0


def test_the_snapshot_page_shows_the_case_as_it_was(world: DemoWorld) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    later = submitted_concern(world, fact="A later concern nobody had seen (synthetic).")
    case.refresh_from_db()
    case_actions.case_add_concern(
        actor=actor_for(world, "lead"), case=case, version=case.version, concern=later
    )
    page = client_for(world.users["case_worker"]).get(_url(case, f"{decision.pk}/"))
    assert page.status_code == 200
    assert b"A purple bruise, about 3 cm" in page.content
    assert b"A later concern nobody had seen" not in page.content
    assert decision.snapshot_sha256.encode() in page.content
    assert b"the snapshot matches it" in page.content


def test_the_panel_form_refuses_a_decision_maker_with_a_clear_message(world: DemoWorld) -> None:
    case = case_at_decision(world)
    appeal = lodge(world, case, decide(world, case))
    panel = panel_of(world)
    lead = client_for(world.users["lead"])
    url = _url(case, f"appeal/{appeal.pk}/panel/")
    form = lead.get(url)
    assert b"made the decision under appeal: cannot sit" in form.content
    refused = lead.post(
        url, {"panel": [str(world.users["lead"].pk), str(panel[0].user.pk)], "version": 1}
    )
    assert refused.status_code == 422
    assert (
        b"Lena Lead made the decision under appeal, so cannot sit on its panel" in refused.content
    )
    assert list(Appeal.objects.get().panel.all()) == []
    stale = lead.post(url, {"panel": [str(panel[0].user.pk)], "version": 9})
    assert stale.status_code == 409
    saved = lead.post(
        url, {"panel": [str(p.user.pk) for p in panel], "hearing_at": _now(), "version": 1}
    )
    assert saved.status_code == 302
    assert Appeal.objects.get().panel.count() == 2


def test_an_appeal_is_lodged_and_varied_through_the_pages(world: DemoWorld) -> None:
    case = case_at_decision(world)
    first = decide(world, case)
    lead = client_for(world.users["lead"])
    case.refresh_from_db()
    no_grounds = lead.post(
        _url(case, "appeal/"),
        {
            "appellant_name": "Mark Example-Coach",
            "grounds": "",
            "lodged_at": _now(),
            "version": case.version,
        },
    )
    assert no_grounds.status_code == 422 and b"Give the grounds of the appeal" in no_grounds.content
    lodged = lead.post(
        _url(case, "appeal/"),
        {
            "appellant_person": str(case.subjects.get().person_id),
            "grounds": "The sanction is disproportionate.",
            "lodged_at": _now(),
            "version": case.version,
        },
    )
    assert lodged.status_code == 302, lodged.content[:3000]
    appeal = Appeal.objects.get()
    panel = panel_of(world)
    set_panel(world, appeal, panel)
    chair = client_for(panel[0].user)
    url = _url(case, f"appeal/{appeal.pk}/outcome/")
    assert chair.get(url).status_code == 200
    warning = option(OptionKind.SANCTION, "warning")
    response = chair.post(
        url,
        {
            "outcome": AppealOutcome.VARIED,
            "outcome_reason": "A warning alone is proportionate.",
            "decided_at": _now(),
            "new_outcome": str(outcome().pk),
            f"sanction_{warning.pk}": "on",
            f"sanction_{warning.pk}_detail": "Written warning, 12 months",
            "rationale": "The finding stands; the training is done.",
            "version": 2,
        },
    )
    assert response.status_code == 302, response.content[:3000]
    current = selectors.current_decision(case)
    assert current is not None and current.appeal_id == appeal.pk
    page = lead.get(_url(case))
    assert b"Decision 2: Substantiated" in page.content and b"(superseded)" in page.content
    assert b"Varied: the panel records a new decision" in page.content
    assert Decision.objects.filter(pk=first.pk).exists()


def test_the_options_page_adds_and_withdraws_outcomes_and_sanctions(world: DemoWorld) -> None:
    lead = client_for(world.users["lead"])
    page = lead.get("/cases/decisions/options/")
    assert page.status_code == 200 and b"Malicious" in page.content
    added = lead.post(
        "/cases/decisions/options/", {"kind": "sanction", "label": "Mentoring", "applies_to": "any"}
    )
    assert added.status_code == 302
    assert DecisionOption.objects.filter(label="Mentoring", organisation__isnull=False).exists()
    again = lead.post(
        "/cases/decisions/options/", {"kind": "sanction", "label": "mentoring", "applies_to": "any"}
    )
    assert again.status_code == 422 and b"already a sanction called" in again.content
    ban = option(OptionKind.SANCTION, "ban")
    lead.post(f"/cases/decisions/options/{ban.pk}/in-use/", {"in_use": "0"})
    case = case_at_decision(world)
    assert "ban" not in [o.code for o in selectors.sanctions_for_case(case)]
    assert "mentoring" in [o.code for o in selectors.sanctions_for_case(case)]
    # Another organisation still offers the shipped one.
    primary = world.organisations["primary"].pk
    assert selectors.options_for(primary, OptionKind.SANCTION).filter(code="ban").exists()
    lead.post(f"/cases/decisions/options/{ban.pk}/in-use/", {"in_use": "1"})
    assert "ban" in [o.code for o in selectors.sanctions_for_case(case)]


def test_a_withdrawn_outcome_keeps_its_words_on_past_decisions(world: DemoWorld) -> None:
    case = case_at_decision(world)
    decision = decide(world, case)
    actions.decision_option_set_in_use(
        actor=actor_for(world, "lead"), option=outcome(), in_use=False
    )
    assert "substantiated" not in [o.code for o in selectors.outcomes_for_case(case)]
    assert Decision.objects.get(pk=decision.pk).outcome_label == "Substantiated"
    page = client_for(world.users["lead"]).get(_url(case))
    assert b"Substantiated" in page.content


def test_a_non_panel_decider_sees_no_outcome_to_record_for_them(world: DemoWorld) -> None:
    """The page offers the outcome form to holders of case.decide; the action refuses anyone
    not on the panel with a clear message."""
    case = case_at_decision(world)
    appeal = lodge(world, case, decide(world, case))
    set_panel(world, appeal, panel_of(world))
    outsider: Client = client_for(decider(world, "not.panel", "Nell Notonpanel").user)
    response = outsider.post(
        _url(case, f"appeal/{appeal.pk}/outcome/"),
        {
            "outcome": AppealOutcome.UPHELD,
            "outcome_reason": "The decision was sound.",
            "decided_at": _now(),
            "version": 2,
        },
    )
    assert response.status_code == 422
    assert b"Only a member of the appeal panel records its outcome" in response.content


def test_the_home_panel_lists_appeals_under_way_to_decision_makers(world: DemoWorld) -> None:
    case = case_at_decision(world)
    lodge(world, case, decide(world, case))
    home = client_for(world.users["lead"]).get("/")
    assert b"Appeals under way" in home.content and b"panel not set" in home.content
    assert case.reference.encode() in home.content
    assert b"Appeals under way" not in client_for(world.users["case_worker"]).get("/").content


def test_another_cases_appeal_or_organisations_option_is_not_found(world: DemoWorld) -> None:
    case = case_at_decision(world)
    appeal = lodge(world, case, decide(world, case))
    other = case_at_decision(world, title="Another allegation (synthetic)")
    lead = client_for(world.users["lead"])
    assert lead.get(_url(other, f"appeal/{appeal.pk}/panel/")).status_code == 404
    assert lead.get(_url(other, f"{Decision.objects.get().pk}/")).status_code == 404
    theirs = actions.decision_option_add(
        actor=actor_for(world, "primary_lead"), kind="sanction", label="Primary's own"
    )
    response = lead.post(f"/cases/decisions/options/{theirs.pk}/in-use/", {"in_use": "0"})
    assert response.status_code == 404
    assert DecisionOption.objects.get(pk=theirs.pk).is_active
