"""The lead's safeguarding settings (issue 3): categories, triage timings, level-of-need labels
and pattern rules; who may change them, what is audited, and that stale or bad input saves
nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import actor_for, client_for
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.concerns import actions, config_actions, patterns, selectors
from safecase.concerns.models import (
    Category,
    Concern,
    PatternAlert,
    PatternKind,
    PatternRule,
    SafeguardingSettings,
)
from safecase.concerns.tests.test_concerns import submitted_concern, triage
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted
from safecase.demo.personas import DemoWorld

pytestmark = pytest.mark.django_db


def _codes(actor: Actor) -> list[str]:
    return [c.code for c in selectors.categories_for(actor)]


def _categories_version(world: DemoWorld) -> int:
    return SafeguardingSettings.for_organisation(
        world.organisations["secondary"].pk
    ).categories_version


def _last_event(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-seq").first()
    assert event is not None
    return event


# --- Who may configure ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["deputy", "reporter", "case_worker", "org_admin", "auditor"])
def test_only_the_lead_may_configure(world: DemoWorld, persona: str) -> None:
    actor = actor_for(world, persona)
    physical = Category.objects.get(organisation__isnull=True, code="physical")
    with pytest.raises(NotPermitted):
        config_actions.category_add(actor=actor, label="Gang activity", version=0)
    with pytest.raises(NotPermitted):
        config_actions.category_set_active(actor=actor, category=physical, active=False, version=0)
    with pytest.raises(NotPermitted):
        config_actions.triage_timings_update(
            actor=actor, overdue_hours=8, escalate_hours=12, version=0
        )
    with pytest.raises(NotPermitted):
        config_actions.level_labels_update(
            actor=actor, labels={1: "A", 2: "B", 3: "C", 4: "D"}, version=0
        )
    with pytest.raises(NotPermitted):
        config_actions.pattern_rule_update(
            actor=actor,
            kind=PatternKind.SAME_ADULT,
            threshold=3,
            window_days=30,
            is_active=True,
            version=0,
        )
    assert not SafeguardingSettings.objects.exists()
    assert not Category.objects.filter(organisation__isnull=False).exists()


# --- Categories -------------------------------------------------------------------------------


def test_the_lead_adds_renames_and_orders_the_organisations_own_categories(
    world: DemoWorld,
) -> None:
    lead = actor_for(world, "lead")
    gangs = config_actions.category_add(actor=lead, label="  Gang   activity ", version=0)
    assert gangs.label == "Gang activity" and gangs.code == "gang_activity"
    assert _codes(lead)[-1] == "gang_activity"
    added = _last_event(AuditAction.CATEGORY_ADDED)
    assert added.changes["label"] == [None, "Gang activity"]
    assert added.subject_id == str(gangs.pk)
    # Other organisations do not see it.
    assert "gang_activity" not in _codes(actor_for(world, "other_org"))

    config_actions.category_rename(
        actor=lead, category=gangs, label="Serious youth violence", version=1
    )
    gangs.refresh_from_db()
    assert gangs.label == "Serious youth violence" and gangs.code == "gang_activity"
    assert _last_event(AuditAction.CATEGORY_RENAMED).changes["label"] == [
        "Gang activity",
        "Serious youth violence",
    ]

    config_actions.category_move(actor=lead, category=gangs, direction="up", version=2)
    codes = _codes(lead)
    assert codes[-2:] == ["gang_activity", "other"]
    order = _last_event(AuditAction.CATEGORY_REORDERED).changes["order"]
    assert order[0][-2:] == ["other", "gang_activity"] and order[1][-2:] == codes[-2:]
    physical = Category.objects.get(organisation__isnull=True, code="physical")
    config_actions.category_move(actor=lead, category=physical, direction="down", version=3)
    assert _codes(lead)[:2] == ["emotional", "physical"]
    # The shared default rows keep their shipped order; Oakfield's list is untouched.
    physical.refresh_from_db()
    assert physical.position == 0
    assert _codes(actor_for(world, "primary_lead"))[:2] == ["physical", "emotional"]


def test_category_names_are_checked_and_bad_input_saves_nothing(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    for label, message in (
        ("bullying", "already a category called “Bullying”"),
        ("x", "2 to 120 characters"),
        ("y" * 121, "2 to 120 characters"),
    ):
        with pytest.raises(DomainError, match=message):
            config_actions.category_add(actor=lead, label=label, version=0)
    physical = Category.objects.get(organisation__isnull=True, code="physical")
    with pytest.raises(DomainError, match="Shipped categories cannot be renamed"):
        config_actions.category_rename(actor=lead, category=physical, label="Hurt", version=0)
    theirs = config_actions.category_add(
        actor=actor_for(world, "other_org"), label="Water safety", version=0
    )
    with pytest.raises(NotPermitted):
        config_actions.category_rename(actor=lead, category=theirs, label="Mine", version=0)
    with pytest.raises(NotPermitted):
        config_actions.category_set_active(actor=lead, category=theirs, active=False, version=0)
    assert not Category.objects.filter(organisation=world.organisations["secondary"]).exists()
    assert not AuditEvent.objects.filter(
        action=AuditAction.CATEGORY_ADDED, organisation_id=str(world.organisations["secondary"].pk)
    ).exists()


def test_a_stale_category_list_is_refused(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    config_actions.category_add(actor=lead, label="Gang activity", version=0)
    physical = Category.objects.get(organisation__isnull=True, code="physical")
    with pytest.raises(Conflict, match="Someone else changed the category list"):
        config_actions.category_add(actor=lead, label="Knife crime", version=0)
    with pytest.raises(Conflict):
        config_actions.category_set_active(actor=lead, category=physical, active=False, version=0)
    with pytest.raises(Conflict):
        config_actions.category_move(actor=lead, category=physical, direction="down", version=0)
    assert _codes(lead)[0] == "physical" and "knife_crime" not in _codes(lead)
    assert _categories_version(world) == 1


def test_retiring_a_shipped_category_hides_it_for_this_organisation_only(
    world: DemoWorld,
) -> None:
    lead = actor_for(world, "lead")
    concern = submitted_concern(world, category_codes=["physical"])
    physical = Category.objects.get(organisation__isnull=True, code="physical")
    config_actions.category_set_active(actor=lead, category=physical, active=False, version=0)
    physical.refresh_from_db()
    assert physical.is_active  # the shared row never changes
    assert "physical" not in _codes(lead)
    assert "physical" in _codes(actor_for(world, "primary_lead"))
    event = _last_event(AuditAction.CATEGORY_RETIRED)
    assert event.changes == {"code": "physical", "shipped": True, "active": [True, False]}
    # Recorders can no longer choose it; the concern recorded under it keeps it.
    with pytest.raises(DomainError, match="Choose categories from the list"):
        actions.concern_save_draft(
            actor=actor_for(world, "reporter"),
            concern=None,
            version=None,
            people=[{"name": "Jamie Example-Child"}],
            category_codes=["physical"],
        )
    page = client_for(world.users["lead"]).get(f"/concerns/{concern.pk}/")
    assert "Physical abuse" in page.content.decode()
    form = client_for(world.users["reporter"]).get("/concerns/new/")
    assert "Physical abuse" not in form.content.decode()

    config_actions.category_set_active(actor=lead, category=physical, active=True, version=1)
    assert "physical" in _codes(lead)
    assert _last_event(AuditAction.CATEGORY_REINSTATED).changes["active"] == [False, True]


def test_retiring_the_organisations_own_category_keeps_it_on_old_concerns(
    world: DemoWorld,
) -> None:
    lead = actor_for(world, "lead")
    gangs = config_actions.category_add(actor=lead, label="Gang activity", version=0)
    concern = submitted_concern(world, category_codes=["gang_activity"])
    config_actions.category_set_active(actor=lead, category=gangs, active=False, version=1)
    gangs.refresh_from_db()
    assert not gangs.is_active
    assert list(concern.categories.values_list("code", flat=True)) == ["gang_activity"]
    with pytest.raises(DomainError, match=r"already a category called “Gang activity”.*reinstate"):
        config_actions.category_add(actor=lead, label="gang activity", version=2)


def test_the_last_category_in_use_cannot_be_retired(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    categories = list(selectors.categories_for(lead))
    for n, category in enumerate(categories[:-1]):
        config_actions.category_set_active(actor=lead, category=category, active=False, version=n)
    with pytest.raises(DomainError, match="at least one category"):
        config_actions.category_set_active(
            actor=lead, category=categories[-1], active=False, version=len(categories) - 1
        )
    assert _codes(lead) == [categories[-1].code]


# --- Triage timings ---------------------------------------------------------------------------


def test_triage_timings_are_validated(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    for overdue, escalate, field in ((0, 24, "overdue"), (169, 200, "overdue"), (24, 12, "escal")):
        with pytest.raises(DomainError) as raised:
            config_actions.triage_timings_update(
                actor=lead, overdue_hours=overdue, escalate_hours=escalate, version=0
            )
        assert (raised.value.field or "").startswith(field)
    with pytest.raises(DomainError):
        config_actions.triage_timings_update(
            actor=lead, overdue_hours=24, escalate_hours=337, version=0
        )
    assert not SafeguardingSettings.objects.exists()


def test_the_queue_and_home_page_use_the_organisations_overdue_time(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    concern = submitted_concern(world)
    Concern.objects.filter(pk=concern.pk).update(submitted_at=timezone.now() - timedelta(hours=10))
    client = client_for(world.users["lead"])
    assert "Overdue" not in client.get("/concerns/queue/").content.decode()
    config_actions.triage_timings_update(actor=lead, overdue_hours=8, escalate_hours=12, version=0)
    assert _last_event(AuditAction.TRIAGE_TIMINGS_CHANGED).changes == {
        "overdue_hours": [None, 8],
        "escalate_hours": [None, 12],
    }
    assert "Overdue" in client.get("/concerns/queue/").content.decode()
    home = client.get("/").content.decode()
    assert "1 waiting" in home and "1 overdue" in home
    # Another organisation keeps the operator's default.
    other = selectors.overdue_before(world.organisations["outside"].pk)
    assert timezone.now() - other > timedelta(hours=23)


def test_escalation_follows_each_organisations_time(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    lead = actor_for(world, "lead")
    config_actions.triage_timings_update(actor=lead, overdue_hours=24, escalate_hours=48, version=0)
    concern = submitted_concern(world)
    Concern.objects.filter(pk=concern.pk).update(submitted_at=timezone.now() - timedelta(hours=30))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=StringIO())
    concern.refresh_from_db()
    assert concern.escalated_at is None and mail.outbox == []
    Concern.objects.filter(pk=concern.pk).update(submitted_at=timezone.now() - timedelta(hours=49))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=StringIO())
    concern.refresh_from_db()
    assert concern.escalated_at is not None
    assert mail.outbox and "more than 48 hours" in mail.outbox[0].body


def test_a_stale_timings_form_shows_both_versions_and_saves_nothing(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    client = client_for(world.users["lead"])
    page = client.get("/concerns/config/timings/")
    assert page.status_code == 200 and page.context["form"].initial["overdue_hours"] == 24
    config_actions.triage_timings_update(actor=lead, overdue_hours=8, escalate_hours=12, version=0)
    response = client.post(
        "/concerns/config/timings/", {"overdue_hours": 36, "escalate_hours": 48, "version": 0}
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else changed the triage timings" in text and "overdue after 8 hours" in text
    assert response.context["form"]["version"].value() == "1"
    assert SafeguardingSettings.objects.get().overdue_hours == 8
    bad = client.post(
        "/concerns/config/timings/", {"overdue_hours": 36, "escalate_hours": 12, "version": 1}
    )
    assert bad.status_code == 422 and SafeguardingSettings.objects.get().overdue_hours == 8
    done = client.post(
        "/concerns/config/timings/", {"overdue_hours": 36, "escalate_hours": 48, "version": 1}
    )
    assert done.status_code == 302
    assert SafeguardingSettings.objects.get().effective_escalate_hours == 48


# --- Level-of-need labels ---------------------------------------------------------------------


LABELS = {1: "Universal", 2: "Universal plus", 3: "Partnership plus", 4: "Specialist"}


def test_the_organisations_labels_show_on_the_triage_form_and_the_concern(
    world: DemoWorld,
) -> None:
    lead = actor_for(world, "lead")
    config_actions.level_labels_update(actor=lead, labels=LABELS, version=0)
    config = SafeguardingSettings.objects.get()
    assert config.level_1_label == "Universal" and config.level_4_label == "Specialist"
    assert _last_event(AuditAction.LEVEL_LABELS_CHANGED).changes["level_3"] == [
        "Child in need",
        "Partnership plus",
    ]
    concern = submitted_concern(world)
    client = client_for(world.users["lead"])
    form = client.get(f"/concerns/{concern.pk}/triage/").content.decode()
    assert "3 – Partnership plus" in form and "Child in need" not in form
    triage(world, concern, level_of_need=3)
    detail = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "3 – Partnership plus" in detail
    # The number is what is stored; another organisation sees its own (shipped) words.
    assert concern.triages.get().level_of_need == 3
    assert selectors.safeguarding_settings_for(world.organisations["outside"].pk).level_label(
        3
    ) == ("3 – Child in need")


def test_level_labels_are_validated(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    for labels, message in (
        ({**LABELS, 2: "  "}, "Give level 2 a label"),
        ({**LABELS, 4: "universal"}, "Level 4 has the same label"),
        ({**LABELS, 1: "x" * 81}, "80 characters"),
    ):
        with pytest.raises(DomainError, match=message):
            config_actions.level_labels_update(actor=lead, labels=labels, version=0)
    assert not SafeguardingSettings.objects.exists()
    # The shipped wording is stored as "follow the shipped label".
    shipped = {1: "Universal (no additional needs)", 2: "Early help", 3: "Child in need"}
    config_actions.level_labels_update(actor=lead, labels={**shipped, 4: "CP"}, version=0)
    config = SafeguardingSettings.objects.get()
    assert (config.level_2_label, config.level_4_label) == ("", "CP")
    with pytest.raises(Conflict):
        config_actions.level_labels_update(actor=lead, labels=LABELS, version=0)


# --- Pattern rules ----------------------------------------------------------------------------


def test_pattern_rules_are_validated_and_audited(world: DemoWorld) -> None:
    lead = actor_for(world, "lead")
    rising = PatternKind.RISING_SEVERITY
    for kind, threshold, window, field in (
        (PatternKind.SAME_ADULT, 1, 30, "threshold"),
        (PatternKind.SAME_ADULT, 51, 30, "threshold"),
        (rising, 5, 30, "threshold"),
        (PatternKind.RECURRING_LOCATION, 3, 0, "window_days"),
        (PatternKind.RECURRING_LOCATION, 3, 731, "window_days"),
    ):
        with pytest.raises(DomainError) as raised:
            config_actions.pattern_rule_update(
                actor=lead,
                kind=kind,
                threshold=threshold,
                window_days=window,
                is_active=True,
                version=0,
            )
        assert raised.value.field == field
    with pytest.raises(DomainError):
        config_actions.pattern_rule_update(
            actor=lead, kind="nonsense", threshold=3, window_days=3, is_active=True, version=0
        )
    assert not PatternRule.objects.exists()

    rule = config_actions.pattern_rule_update(
        actor=lead, kind=rising, threshold=4, window_days=365, is_active=True, version=0
    )
    assert (rule.threshold, rule.window_days, rule.version) == (4, 365, 1)
    assert _last_event(AuditAction.PATTERN_RULE_CHANGED).changes == {
        "kind": "rising_severity",
        "threshold": [3, 4],
        "window_days": [180, 365],
    }
    with pytest.raises(Conflict, match="pattern rule"):
        config_actions.pattern_rule_update(
            actor=lead, kind=rising, threshold=2, window_days=365, is_active=True, version=0
        )
    rule.refresh_from_db()
    assert rule.threshold == 4
    rules = {r.kind: r for r in patterns.rules_for(world.organisations["secondary"].pk)}
    assert rules[rising].threshold == 4
    # Oakfield still uses the shipped rule.
    oakfield = {r.kind: r for r in patterns.rules_for(world.organisations["primary"].pk)}
    assert oakfield[rising].threshold == 3


def test_a_pattern_switched_off_raises_no_alert(
    world: DemoWorld, django_capture_on_commit_callbacks: Any
) -> None:
    lead = actor_for(world, "lead")
    config_actions.pattern_rule_update(
        actor=lead,
        kind=PatternKind.RECURRING_LOCATION,
        threshold=2,
        window_days=7,
        is_active=False,
        version=0,
    )
    for name in ("Ava One", "Ben Two", "Cal Three"):
        with django_capture_on_commit_callbacks(execute=True):
            submitted_concern(world, people=[{"name": name}], location="Bus stop on Mill Lane")
    assert not PatternAlert.objects.filter(kind=PatternKind.RECURRING_LOCATION).exists()


# --- Screens ----------------------------------------------------------------------------------


def test_the_screens_render_and_the_nav_link_is_the_leads(world: DemoWorld) -> None:
    client = client_for(world.users["lead"])
    home = client.get("/").content.decode()
    assert "Safeguarding settings" in home
    for url in (
        "/concerns/config/",
        "/concerns/config/categories/",
        "/concerns/config/timings/",
        "/concerns/config/levels/",
        "/concerns/config/patterns/",
        "/concerns/config/patterns/same_adult/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>" not in response.content.decode()
        assert " style=" not in response.content.decode()
    assert client.get("/concerns/config/patterns/nonsense/").status_code == 404
    assert (
        "Safeguarding settings" not in client_for(world.users["deputy"]).get("/").content.decode()
    )


def test_the_category_screen_adds_moves_and_retires(world: DemoWorld) -> None:
    client = client_for(world.users["lead"])
    bad = client.post("/concerns/config/categories/add/", {"label": "Bullying", "version": 0})
    assert bad.status_code == 422 and "already a category" in bad.content.decode()
    added = client.post(
        "/concerns/config/categories/add/", {"label": "Gang activity", "version": 0}
    )
    assert added.status_code == 302
    gangs = Category.objects.get(organisation=world.organisations["secondary"])
    stale = client.post(f"/concerns/config/categories/{gangs.pk}/retire/", {"version": 0})
    assert stale.status_code == 409
    assert "Someone else changed the category list" in stale.content.decode()
    assert Category.objects.get(pk=gangs.pk).is_active
    moved = client.post(
        f"/concerns/config/categories/{gangs.pk}/move/", {"version": 1, "direction": "up"}
    )
    assert moved.status_code == 302
    renamed = client.post(
        f"/concerns/config/categories/{gangs.pk}/rename/", {"label": "Gangs", "version": 2}
    )
    assert renamed.status_code == 302
    retired = client.post(f"/concerns/config/categories/{gangs.pk}/retire/", {"version": 3})
    assert retired.status_code == 302
    page = client.get("/concerns/config/categories/").content.decode()
    assert "Gangs" in page and "Retired" in page
    physical = Category.objects.get(organisation__isnull=True, code="physical")
    assert client.get(f"/concerns/config/categories/{physical.pk}/rename/").status_code == 404


def test_the_concern_page_reads_the_labels_once_however_many_triages(world: DemoWorld) -> None:
    config_actions.level_labels_update(actor=actor_for(world, "lead"), labels=LABELS, version=0)
    concern = submitted_concern(world)
    triage(world, concern, level_of_need=2)
    client = client_for(world.users["lead"])
    url = f"/concerns/{concern.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert "2 – Universal plus" in client.get(url).content.decode()
    for level in (3, 4):
        concern.refresh_from_db()
        triage(world, concern, level_of_need=level)
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).content.decode()
    assert "3 – Partnership plus" in page and "4 – Specialist" in page
    assert len(three.captured_queries) == len(one.captured_queries)
