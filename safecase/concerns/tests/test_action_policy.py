"""The concern actions check the policy themselves, whoever calls them (views, API, tasks):
pattern rules run only for the concern's own organisation, files open only for those who
may see their concern."""

from __future__ import annotations

from typing import Any

import pytest

from safecase.audit.events import AuditAction, Outcome
from safecase.audit.models import AuditEvent
from safecase.concerns import actions
from safecase.concerns.models import Attachment, Concern, PatternAlert
from safecase.concerns.tasks import evaluate_patterns
from safecase.concerns.tests.test_concerns import actor_for, submitted_concern
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.core.tests.test_files import png
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db

LOW_LEVEL: dict[str, Any] = {
    "kind": "low_level_adult",
    "people": [{"name": "Mr Staff Example", "role": "subject"}],
}


def _successes(action: str) -> int:
    return AuditEvent.objects.filter(action=action, outcome=Outcome.SUCCESS).count()


def _three_about_one_child(world: DemoWorld, **extra: Any) -> Concern:
    """Three concerns about Jamie: enough for the default rule (the task is not run here)."""
    concerns = [submitted_concern(world, **extra) for _ in range(3)]
    assert not PatternAlert.objects.exists()
    return concerns[-1]


# --- concern_evaluate_patterns ----------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "other_org",  # a lead, but of another organisation
        "primary_lead",  # a lead in the same partnership
        "reporter",  # the same organisation, but no triage
        "system_of_another_organisation",
    ],
)
def test_pattern_rules_run_only_for_the_concerns_own_organisation(
    world: DemoWorld, who: str
) -> None:
    concern = _three_about_one_child(world)
    actor = (
        Actor.system("patterns", organisation=world.organisations["outside"])
        if who == "system_of_another_organisation"
        else actor_for(world, who)
    )
    with pytest.raises(NotPermitted):
        actions.concern_evaluate_patterns(actor=actor, concern=concern)
    assert not PatternAlert.objects.exists()
    assert _successes(AuditAction.PATTERN_ALERT_RAISED) == 0


def test_a_deputy_cannot_run_the_rules_on_a_concern_they_may_not_see(world: DemoWorld) -> None:
    concern = _three_about_one_child(world, persona="lead", **LOW_LEVEL)
    with pytest.raises(NotPermitted):
        actions.concern_evaluate_patterns(actor=actor_for(world, "deputy"), concern=concern)
    assert not PatternAlert.objects.exists()


def test_the_lead_and_the_task_still_run_the_rules(world: DemoWorld) -> None:
    concern = _three_about_one_child(world)
    found = actions.concern_evaluate_patterns(actor=actor_for(world, "lead"), concern=concern)
    assert found and _successes(AuditAction.PATTERN_ALERT_RAISED) == len(found)
    # The background task acts as the system for the concern's own organisation.
    another = _three_about_one_child_elsewhere(world)
    result = evaluate_patterns.enqueue(concern_id=str(another.pk))
    assert result.return_value >= 1
    assert PatternAlert.objects.filter(organisation=world.organisations["outside"]).exists()


def _three_about_one_child_elsewhere(world: DemoWorld) -> Concern:
    return [submitted_concern(world, persona="other_org") for _ in range(3)][-1]


# --- attachment_read --------------------------------------------------------------------------


def _file_on(world: DemoWorld, concern: Concern, persona: str = "lead") -> Attachment:
    return actions.attachment_add(
        actor=actor_for(world, persona), concern=concern, name="photo.png", data=png(), reason="x"
    )


def _draft(world: DemoWorld, persona: str = "reporter") -> Concern:
    return actions.concern_save_draft(
        actor=actor_for(world, persona),
        concern=None,
        version=None,
        people=[{"name": "Jamie Example-Child"}],
        category_codes=["neglect"],
        fact="No coat in the snow (synthetic).",
    )


@pytest.mark.parametrize("who", ["other_org", "primary_lead", "partner_with_share", "reporter"])
def test_a_file_opens_only_for_those_who_may_see_its_concern(world: DemoWorld, who: str) -> None:
    """Each of these holds concern.record, so only the check on the concern refuses them. The
    reporter did not record this concern (the deputy did) and sees only their own."""
    attachment = _file_on(world, submitted_concern(world, persona="deputy"))
    with pytest.raises(NotPermitted):
        actions.attachment_read(actor=actor_for(world, who), attachment=attachment)
    assert _successes(AuditAction.ATTACHMENT_DOWNLOADED) == 0


def test_a_draft_file_opens_only_for_its_author(world: DemoWorld) -> None:
    attachment = _file_on(world, _draft(world), persona="reporter")
    for who in ("lead", "deputy"):
        with pytest.raises(NotPermitted):
            actions.attachment_read(actor=actor_for(world, who), attachment=attachment)
    assert _successes(AuditAction.ATTACHMENT_DOWNLOADED) == 0
    data = actions.attachment_read(actor=actor_for(world, "reporter"), attachment=attachment)
    assert data == png()
    assert _successes(AuditAction.ATTACHMENT_DOWNLOADED) == 1


def test_a_low_level_concerns_file_is_for_the_lead_only(world: DemoWorld) -> None:
    attachment = _file_on(world, submitted_concern(world, persona="lead", **LOW_LEVEL))
    with pytest.raises(NotPermitted):
        actions.attachment_read(actor=actor_for(world, "deputy"), attachment=attachment)
    assert actions.attachment_read(actor=actor_for(world, "lead"), attachment=attachment) == png()
    assert _successes(AuditAction.ATTACHMENT_DOWNLOADED) == 1


def test_the_team_and_the_recorder_open_a_submitted_concerns_file(world: DemoWorld) -> None:
    attachment = _file_on(world, submitted_concern(world))
    for who in ("lead", "deputy", "case_worker", "reporter"):
        assert actions.attachment_read(actor=actor_for(world, who), attachment=attachment) == png()
    assert _successes(AuditAction.ATTACHMENT_DOWNLOADED) == 4
