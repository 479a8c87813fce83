"""Every action writes its audit event, in the transaction of the change it records.

The actions are discovered, not listed by hand: every public function defined in a
``safecase/**/…actions.py`` module. ``CASES`` maps each to a small scenario that calls it
successfully and, where the action checks the policy, to one the policy refuses. For each:

- a successful call writes at least one AuditEvent with the expected action name;
- every row it writes (the change and the event) is written inside one and the same
  transaction, and forcing that transaction to roll back straight after the event is written
  leaves the database exactly as it was: change and event go together, or not at all;
- a call refused by the policy (NotPermitted) changes nothing and writes no success event.

A new action without a row here fails ``test_every_action_has_a_scenario``.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django_otp.oath import TOTP

import safecase
from safecase.access import actions as access_actions
from safecase.accounts import actions as account_actions
from safecase.accounts import auth_actions
from safecase.accounts.models import Organisation
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.audit.models import AuditEvent, ChainHead
from safecase.cases import actions as case_actions
from safecase.cases.models import Case as CaseRecord
from safecase.cases.models import CaseType
from safecase.concerns import actions as concern_actions
from safecase.concerns import config_actions
from safecase.concerns.models import (
    Attachment,
    Category,
    PatternKind,
    SafeguardingSettings,
    ScanState,
)
from safecase.core.actors import Actor
from safecase.core.errors import NotPermitted
from safecase.core.tests.test_files import png
from safecase.demo.personas import DemoWorld
from safecase.notifications import actions as notification_actions
from safecase.notifications.models import Notification, NotificationKind
from safecase.people import actions as people_actions
from tests.audit_kit import Call, Case, Kit

pytestmark = pytest.mark.django_db

ROOT = Path(safecase.__file__).resolve().parent
HERE = "tests/test_actions_audited.py"
AUDIT_TABLES = frozenset({AuditEvent._meta.db_table, ChainHead._meta.db_table})


# --- Discovery --------------------------------------------------------------------------------


def action_modules() -> list[str]:
    """Every module under safecase/ whose file name ends in ``actions.py`` (tests excluded)."""
    found = []
    for path in sorted(ROOT.rglob("*actions.py")):
        relative = path.relative_to(ROOT.parent)
        if {"tests", "migrations"} & set(relative.parts) or path.name.startswith("test_"):
            continue
        found.append(".".join(relative.with_suffix("").parts))
    return found


def discover_actions() -> dict[str, Callable[..., Any]]:
    """``module.function`` → function, for public functions defined (not imported) there."""
    actions: dict[str, Callable[..., Any]] = {}
    for name in action_modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("_") or not inspect.isfunction(value):
                continue
            if value.__module__ == module.__name__:
                actions[f"{name}.{attr}"] = value
    return actions


# --- The scenarios ----------------------------------------------------------------------------
# Kit and Case live in tests/audit_kit.py so that the parts of a case (safecase/cases/*/) keep
# their scenarios beside their code, in tests/audit_scenarios.py (SCENARIOS), merged in below.

# access ---------------------------------------------------------------------------------------


def _share_grant(k: Kit, persona: str = "lead") -> Call:
    person = k.person()
    return lambda: access_actions.share_grant(
        actor=k.actor(persona),
        record=person,
        to_organisation=k.world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )


def _share_in_transaction(k: Kit, persona: str = "lead") -> Call:
    """As a caller does (a referral into the hub): inside the caller's own transaction, and
    with consent not sought, so the override is recorded too."""
    person = k.person()

    def call() -> Any:
        with transaction.atomic():
            return access_actions.share_in_transaction(
                actor=k.actor(persona),
                record=person,
                to_organisation=k.world.organisations["police"],
                purpose="Joint enquiry (synthetic).",
                lawful_basis="Children Act 1989 s.47",
                consent="not_sought",
                consent_override_reason="Asking would alert the adult suspected of harm.",
            )

    return call


def _share_revoke(k: Kit, persona: str = "lead") -> Call:
    grant = k.grant()
    return lambda: access_actions.share_revoke(
        actor=k.actor(persona), grant=grant, reason="Enquiry closed."
    )


def _record_restrict(k: Kit, persona: str = "lead") -> Call:
    person = k.person()
    deputy = k.world.users["deputy"]
    return lambda: access_actions.record_restrict(
        actor=k.actor(persona), record=person, named_people=[deputy], reason="Staff allegation."
    )


def _restrict_in_transaction(k: Kit, persona: str = "lead") -> Call:
    """As a caller does: inside the caller's own transaction."""
    person = k.person()
    deputy = k.world.users["deputy"]

    def call() -> Any:
        with transaction.atomic():
            return access_actions.restrict_in_transaction(
                actor=k.actor(persona), record=person, named_people=[deputy], reason="Staff."
            )

    return call


# accounts -------------------------------------------------------------------------------------


def _organisation_create(k: Kit, actor: Actor | None = None) -> Call:
    return lambda: account_actions.organisation_create(
        actor=actor or k.operator(), name=f"Test Academy {k.serial()}", org_type="school"
    )


def _organisation_update_settings(k: Kit, persona: str = "org_admin") -> Call:
    org = Organisation.objects.get(pk=k.org.pk)
    return lambda: account_actions.organisation_update_settings(
        actor=k.actor(persona),
        organisation=org,
        version=org.version,
        name=org.name + " (renamed)",
        mfa_required_for_reporters=not org.mfa_required_for_reporters,
    )


def _partnership_create(k: Kit, actor: Actor | None = None) -> Call:
    return lambda: account_actions.partnership_create(
        actor=actor or k.operator(),
        name=f"Test Partnership {k.serial()}",
        purpose="Synthetic partnership.",
        lawful_basis="Public task.",
        starts_on=date(2026, 1, 1),
    )


def _partnership_add_member(k: Kit, actor: Actor | None = None) -> Call:
    return lambda: account_actions.partnership_add_member(
        actor=actor or k.operator(),
        partnership=k.world.partnership,
        organisation=k.world.organisations["outside"],
    )


def _member_invite(k: Kit, persona: str = "org_admin") -> Call:
    return lambda: account_actions.member_invite(
        actor=k.actor(persona),
        email=f"new.member{k.serial()}@test.invalid",
        full_name="New Member",
        roles=["reporter"],
        base_url="https://safecase.test.invalid",
    )


def _member_set_roles(k: Kit, persona: str = "org_admin") -> Call:
    membership = k.membership("case_worker")
    return lambda: account_actions.member_set_roles(
        actor=k.actor(persona),
        membership=membership,
        roles=["case_worker", "reporter"],
        version=membership.version,
    )


def _member_deactivate(k: Kit, persona: str = "org_admin") -> Call:
    membership = k.membership("deputy")
    return lambda: account_actions.member_deactivate(
        actor=k.actor(persona), membership=membership, reason="Left the school."
    )


def _member_reactivate(k: Kit, persona: str = "org_admin") -> Call:
    membership = account_actions.member_deactivate(
        actor=k.actor("org_admin"), membership=k.membership("deputy"), reason="Left."
    )
    return lambda: account_actions.member_reactivate(
        actor=k.actor(persona), membership=membership, reason="Came back."
    )


def _member_reset_mfa(k: Kit, persona: str = "org_admin") -> Call:
    k.totp_device("reporter")
    membership = k.membership("reporter")
    return lambda: account_actions.member_reset_mfa(
        actor=k.actor(persona), membership=membership, reason="Lost phone."
    )


def _member_end_sessions(k: Kit, persona: str = "org_admin") -> Call:
    membership = k.membership("reporter")
    return lambda: account_actions.member_end_sessions(
        actor=k.actor(persona), membership=membership, reason="Shared computer."
    )


# sign-in, sessions, MFA, tokens ---------------------------------------------------------------


def _auth_login_succeeded(k: Kit) -> Call:
    return lambda: auth_actions.auth_login_succeeded(
        actor=k.actor("reporter"), session_key="s" * 32, user_agent="pytest"
    )


def _auth_login_failed(k: Kit) -> Call:
    return lambda: auth_actions.auth_login_failed(
        actor=k.anonymous(), email="nobody@test.invalid", locked_out=False
    )


def _auth_logout(k: Kit) -> Call:
    return lambda: auth_actions.auth_logout(actor=k.actor("reporter"), session_key="s" * 32)


def _auth_password_set(k: Kit, persona: str = "reporter") -> Call:
    """``persona`` sets the reporter's password: only the reporter may."""
    actor = k.actor(persona)
    user = k.world.users["reporter"]
    return lambda: auth_actions.auth_password_set(
        actor=actor,
        user=user,
        new_password="another-long-synthetic-passphrase",
        keep_session_key=None,
        reset=False,
    )


def _auth_password_reset_requested(k: Kit) -> Call:
    return lambda: auth_actions.auth_password_reset_requested(actor=k.anonymous())


def _user_end_other_sessions(k: Kit, actor: Actor | None = None) -> Call:
    return lambda: auth_actions.user_end_other_sessions(
        actor=actor or k.actor("reporter"), keep_session_key=None
    )


def _mfa_enrol_confirm(k: Kit, actor: Actor | None = None) -> Call:
    key = auth_actions.new_totp_secret()
    token = f"{TOTP(bytes.fromhex(key)).token():06d}"
    return lambda: auth_actions.mfa_enrol_confirm(
        actor=actor or k.actor("reporter"), key_hex=key, token=token
    )


def _mfa_verify(k: Kit, actor: Actor | None = None) -> Call:
    _, token = k.totp_device("reporter")
    return lambda: auth_actions.mfa_verify(actor=actor or k.actor("reporter"), token=token)


def _mfa_step_up(k: Kit, actor: Actor | None = None) -> Call:
    _, token = k.totp_device("lead")
    return lambda: auth_actions.mfa_step_up(
        actor=actor or k.actor("lead"), token=token, purpose="/people/x/chronology.csv"
    )


def _organisation_switch(k: Kit, organisation: str = "secondary") -> Call:
    return lambda: auth_actions.organisation_switch(
        actor=k.actor("lead"), organisation=k.world.organisations[organisation]
    )


def _api_token_create(k: Kit, actor: Actor | None = None) -> Call:
    return lambda: auth_actions.api_token_create(
        actor=actor or k.actor("lead"), name="Laptop", days=30, with_mfa=True
    )


def _api_token_revoke(k: Kit, actor: Actor | None = None) -> Call:
    token = k.token("lead")
    return lambda: auth_actions.api_token_revoke(actor=actor or k.actor("lead"), token=token)


# people ---------------------------------------------------------------------------------------


def _person_create(k: Kit, persona: str = "lead") -> Call:
    return lambda: people_actions.person_create(
        actor=k.actor(persona),
        kind="child",
        given_names="Riley",
        family_name="Sample-Pupil",
        identifiers=[("la_child_id", f"LA-{k.serial()}")],
    )


def _person_update(k: Kit, persona: str = "lead") -> Call:
    person = k.person()
    return lambda: people_actions.person_update(
        actor=k.actor(persona), person=person, version=person.version, flags=["young_carer"]
    )


def _person_add_identifier(k: Kit, persona: str = "lead") -> Call:
    person = k.person()
    return lambda: people_actions.person_add_identifier(
        actor=k.actor(persona), person=person, scheme="la_child_id", value=f"LA-{k.serial()}"
    )


def _person_merge(k: Kit, persona: str = "lead") -> Call:
    survivor, duplicate = k.person(), k.person()
    return lambda: people_actions.person_merge(
        actor=k.actor(persona), survivor=survivor, duplicate=duplicate, reason="Same child."
    )


# concerns -------------------------------------------------------------------------------------


def _concern_save_draft(k: Kit, persona: str = "reporter") -> Call:
    return lambda: concern_actions.concern_save_draft(
        actor=k.actor(persona),
        concern=None,
        version=None,
        people=[{"name": "Jamie Example-Child"}],
        category_codes=["physical"],
        fact="A bruise on the forearm (synthetic).",
    )


def _concern_submit(k: Kit, persona: str = "reporter") -> Call:
    draft = k.draft("reporter")
    return lambda: concern_actions.concern_submit(
        actor=k.actor(persona), concern=draft, version=draft.version
    )


def _concern_add_addendum(k: Kit, persona: str = "reporter") -> Call:
    concern = k.concern()
    return lambda: concern_actions.concern_add_addendum(
        actor=k.actor(persona), concern=concern, reason="Correction", text="Left arm, not right."
    )


def _concern_link_person(k: Kit, persona: str = "lead") -> Call:
    named, person = k.concern().people.get(), k.person()
    return lambda: concern_actions.concern_link_person(
        actor=k.actor(persona), concern_person=named, person=person
    )


def _concern_triage(k: Kit, persona: str = "lead") -> Call:
    concern = k.concern()
    return lambda: concern_actions.concern_triage(
        actor=k.actor(persona),
        concern=concern,
        version=concern.version,
        level_of_need=2,
        rag="green",
        initial_risk="Low immediate risk.",
        decision="monitor",
        rationale="A single indicator: monitor and speak with the family.",
        threshold_considered="Level 3 not met.",
        review_on=timezone.localdate() + timedelta(days=14),
    )


def _action_create(k: Kit, persona: str = "lead") -> Call:
    concern = k.concern()
    owner = k.world.users["deputy"]
    return lambda: concern_actions.action_create(
        actor=k.actor(persona),
        concern=concern,
        description="Phone the parent",
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=2),
    )


def _action_complete(k: Kit, persona: str = "reporter") -> Call:
    action = k.action(owner="reporter")
    return lambda: concern_actions.action_complete(actor=k.actor(persona), action=action)


def _action_complete_refused(k: Kit) -> Call:
    action = k.action(owner="deputy")
    return lambda: concern_actions.action_complete(actor=k.actor("reporter"), action=action)


def _attachment_add(k: Kit, persona: str = "reporter") -> Call:
    draft = k.draft("reporter")
    return lambda: concern_actions.attachment_add(
        actor=k.actor(persona), concern=draft, name="photo.png", data=png()
    )


def _attachment_read(k: Kit, persona: str = "reporter") -> Call:
    attachment = k.attachment()
    return lambda: concern_actions.attachment_read(actor=k.actor(persona), attachment=attachment)


def _attachment_scan(k: Kit, actor: Actor | None = None) -> Call:
    attachment = k.attachment()  # clean at once (scanning is off in tests): make it wait
    Attachment.objects.filter(pk=attachment.pk).update(scan_state=ScanState.PENDING)
    attachment.refresh_from_db()
    return lambda: concern_actions.attachment_scan(actor=actor or k.system(), attachment=attachment)


def _concern_evaluate_patterns(k: Kit, actor: Actor | None = None) -> Call:
    child = k.person()
    concerns = [k.concern() for _ in range(3)]
    for concern in concerns[:2]:
        concern_actions.concern_link_person(
            actor=k.actor("lead"), concern_person=concern.people.get(), person=child
        )
    concern_actions.concern_link_person(
        actor=k.actor("lead"), concern_person=concerns[2].people.get(), person=child
    )
    return lambda: concern_actions.concern_evaluate_patterns(
        actor=actor or k.system(), concern=concerns[2]
    )


def _pattern_alert_review(k: Kit, persona: str = "lead") -> Call:
    alert = k.alert()
    return lambda: concern_actions.pattern_alert_review(
        actor=k.actor(persona), alert=alert, note="Spoke with the family; monitoring."
    )


def _concern_mark_significant(k: Kit, persona: str = "lead") -> Call:
    concern = k.concern()
    return lambda: concern_actions.concern_mark_significant(
        actor=k.actor(persona), concern=concern, significant=True
    )


# safeguarding settings (concerns/config_actions) ------------------------------------------------


def _settings(k: Kit) -> SafeguardingSettings:
    found = SafeguardingSettings.objects.filter(organisation=k.org).first()
    return found or SafeguardingSettings(organisation=k.org)


def _category_add(k: Kit, persona: str = "lead") -> Call:
    version = _settings(k).categories_version
    return lambda: config_actions.category_add(
        actor=k.actor(persona), label=f"Synthetic category {k.serial()}", version=version
    )


def _category_rename(k: Kit, persona: str = "lead") -> Call:
    category = config_actions.category_add(
        actor=k.actor("lead"),
        label="Synthetic local category",
        version=_settings(k).categories_version,
    )
    version = _settings(k).categories_version
    return lambda: config_actions.category_rename(
        actor=k.actor(persona),
        category=category,
        label="Synthetic renamed category",
        version=version,
    )


def _shipped(code: str) -> Category:
    return Category.objects.get(organisation__isnull=True, code=code)


def _category_set_active(k: Kit, persona: str = "lead") -> Call:
    version = _settings(k).categories_version
    return lambda: config_actions.category_set_active(
        actor=k.actor(persona), category=_shipped("neglect"), active=False, version=version
    )


def _category_move(k: Kit, persona: str = "lead") -> Call:
    version = _settings(k).categories_version
    return lambda: config_actions.category_move(
        actor=k.actor(persona), category=_shipped("neglect"), direction="down", version=version
    )


def _triage_timings_update(k: Kit, persona: str = "lead") -> Call:
    version = _settings(k).version
    return lambda: config_actions.triage_timings_update(
        actor=k.actor(persona), overdue_hours=20, escalate_hours=40, version=version
    )


def _level_labels_update(k: Kit, persona: str = "lead") -> Call:
    version = _settings(k).version
    labels = {1: "Universal", 2: "Early help", 3: "Child in need", 4: "Child protection"}
    return lambda: config_actions.level_labels_update(
        actor=k.actor(persona), labels=labels, version=version
    )


def _pattern_rule_update(k: Kit, persona: str = "lead") -> Call:
    return lambda: config_actions.pattern_rule_update(
        actor=k.actor(persona),
        kind=PatternKind.REPEATED_ABOUT_PERSON,
        threshold=4,
        window_days=60,
        is_active=True,
        version=0,
    )


# notifications --------------------------------------------------------------------------------


def _notify(k: Kit, actor: Actor | None = None) -> Call:
    concern = k.concern()
    reporter = k.world.users["reporter"]
    return lambda: notification_actions.notify(
        actor=actor or k.system(),
        organisation_id=k.org.pk,
        recipients=[reporter],
        kind=NotificationKind.URGENT_CONCERN,
        target_id=concern.pk,
    )


def _a_notification(k: Kit) -> Notification:
    sent: list[Notification] = _notify(k)()
    return sent[0]


def _notification_mark_read(k: Kit, persona: str = "reporter") -> Call:
    notification = _a_notification(k)
    return lambda: notification_actions.notification_mark_read(
        actor=k.actor(persona), notification=notification
    )


def _notification_mark_all_read(k: Kit, actor: Actor | None = None) -> Call:
    _a_notification(k)
    return lambda: notification_actions.notification_mark_all_read(
        actor=actor or k.actor("reporter")
    )


# cases ----------------------------------------------------------------------------------------


def _a_case(k: Kit) -> CaseRecord:
    return case_actions.case_open(
        actor=k.actor("lead"),
        case_type=CaseType.objects.get(organisation__isnull=True, code="child_protection"),
        title="Jamie Example-Child (synthetic)",
        reason="Physical harm disclosed.",
    )


def _case_open(k: Kit, persona: str = "lead") -> Call:
    concern = k.concern()
    case_type = CaseType.objects.get(organisation__isnull=True, code="allegation")
    return lambda: case_actions.case_open(
        actor=k.actor(persona),
        case_type=case_type,
        title="Allegation against a coach (synthetic)",
        reason="A parent phoned.",
        concern=concern,
    )


def _case_add_concern(k: Kit, persona: str = "lead") -> Call:
    case, concern = _a_case(k), k.concern()
    return lambda: case_actions.case_add_concern(
        actor=k.actor(persona), case=case, version=case.version, concern=concern
    )


def _case_add_subject(k: Kit, persona: str = "lead") -> Call:
    case, person = _a_case(k), k.person()
    return lambda: case_actions.case_add_subject(
        actor=k.actor(persona), case=case, version=case.version, person=person, role="subject"
    )


def _case_advance_stage(k: Kit, persona: str = "lead") -> Call:
    case = _a_case(k)
    return lambda: case_actions.case_advance_stage(
        actor=k.actor(persona),
        case=case,
        version=case.version,
        to_stage="external_referral",
        reason="Referred to children's social care.",
    )


def _case_allocate(k: Kit, persona: str = "lead") -> Call:
    case = _a_case(k)
    return lambda: case_actions.case_allocate(
        actor=k.actor(persona),
        case=case,
        version=case.version,
        user=k.world.users["case_worker"],
        role="case_worker",
        reason="Cass knows the family.",
    )


NO_POLICY_SIGN_IN = (
    "records what the sign-in view and the authentication backend decided; it has no "
    "permission of its own to check"
)

CASES: dict[str, Case] = {
    # access
    "safecase.access.actions.share_grant": Case(
        AuditAction.SHARE_GRANTED, _share_grant, lambda k: _share_grant(k, "reporter")
    ),
    "safecase.access.actions.share_in_transaction": Case(
        AuditAction.SHARE_GRANTED,
        _share_in_transaction,
        lambda k: _share_in_transaction(k, "reporter"),
    ),
    "safecase.access.actions.share_revoke": Case(
        AuditAction.SHARE_REVOKED, _share_revoke, lambda k: _share_revoke(k, "reporter")
    ),
    "safecase.access.actions.record_restrict": Case(
        AuditAction.RECORD_RESTRICTED, _record_restrict, lambda k: _record_restrict(k, "deputy")
    ),
    "safecase.access.actions.restrict_in_transaction": Case(
        AuditAction.RECORD_RESTRICTED,
        _restrict_in_transaction,
        lambda k: _restrict_in_transaction(k, "deputy"),
    ),
    # accounts
    "safecase.accounts.actions.organisation_create": Case(
        AuditAction.ORG_CREATED,
        _organisation_create,
        lambda k: _organisation_create(k, k.actor("org_admin")),
    ),
    "safecase.accounts.actions.organisation_update_settings": Case(
        AuditAction.ORG_SETTINGS_CHANGED,
        _organisation_update_settings,
        lambda k: _organisation_update_settings(k, "lead"),
    ),
    "safecase.accounts.actions.partnership_create": Case(
        AuditAction.PARTNERSHIP_CREATED,
        _partnership_create,
        lambda k: _partnership_create(k, k.actor("org_admin")),
    ),
    "safecase.accounts.actions.partnership_add_member": Case(
        AuditAction.PARTNERSHIP_MEMBER_ADDED,
        _partnership_add_member,
        lambda k: _partnership_add_member(k, k.actor("org_admin")),
    ),
    "safecase.accounts.actions.member_invite": Case(
        AuditAction.MEMBER_INVITED, _member_invite, lambda k: _member_invite(k, "lead")
    ),
    "safecase.accounts.actions.member_set_roles": Case(
        AuditAction.MEMBER_ROLES_CHANGED, _member_set_roles, lambda k: _member_set_roles(k, "lead")
    ),
    "safecase.accounts.actions.member_deactivate": Case(
        AuditAction.MEMBER_DEACTIVATED,
        _member_deactivate,
        lambda k: _member_deactivate(k, "lead"),
    ),
    "safecase.accounts.actions.member_reactivate": Case(
        AuditAction.MEMBER_REACTIVATED,
        _member_reactivate,
        lambda k: _member_reactivate(k, "lead"),
    ),
    "safecase.accounts.actions.member_reset_mfa": Case(
        AuditAction.MFA_RESET, _member_reset_mfa, lambda k: _member_reset_mfa(k, "lead")
    ),
    "safecase.accounts.actions.member_end_sessions": Case(
        AuditAction.AUTH_SESSIONS_ENDED,
        _member_end_sessions,
        lambda k: _member_end_sessions(k, "lead"),
    ),
    # sign-in, sessions, MFA, tokens
    "safecase.accounts.auth_actions.auth_login_succeeded": Case(
        AuditAction.AUTH_LOGIN, _auth_login_succeeded, no_policy_check=NO_POLICY_SIGN_IN
    ),
    "safecase.accounts.auth_actions.auth_login_failed": Case(
        AuditAction.AUTH_LOGIN_FAILED,
        _auth_login_failed,
        no_policy_check=NO_POLICY_SIGN_IN,
        outcome=Outcome.DENIED,
    ),
    "safecase.accounts.auth_actions.auth_logout": Case(
        AuditAction.AUTH_LOGOUT, _auth_logout, no_policy_check=NO_POLICY_SIGN_IN
    ),
    "safecase.accounts.auth_actions.auth_password_set": Case(
        AuditAction.AUTH_PASSWORD_CHANGED,
        _auth_password_set,
        lambda k: _auth_password_set(k, "org_admin"),
    ),
    "safecase.accounts.auth_actions.auth_password_reset_requested": Case(
        AuditAction.AUTH_PASSWORD_RESET_REQUESTED,
        _auth_password_reset_requested,
        no_policy_check="anyone may ask for a reset link; it only records the request",
    ),
    "safecase.accounts.auth_actions.user_end_other_sessions": Case(
        AuditAction.AUTH_SESSIONS_ENDED,
        _user_end_other_sessions,
        lambda k: _user_end_other_sessions(k, k.anonymous()),
    ),
    "safecase.accounts.auth_actions.mfa_enrol_confirm": Case(
        AuditAction.MFA_ENROLLED,
        _mfa_enrol_confirm,
        lambda k: _mfa_enrol_confirm(k, k.anonymous()),
    ),
    "safecase.accounts.auth_actions.mfa_verify": Case(
        AuditAction.MFA_VERIFIED, _mfa_verify, lambda k: _mfa_verify(k, k.anonymous())
    ),
    "safecase.accounts.auth_actions.mfa_step_up": Case(
        AuditAction.MFA_STEP_UP, _mfa_step_up, lambda k: _mfa_step_up(k, k.anonymous())
    ),
    "safecase.accounts.auth_actions.organisation_switch": Case(
        AuditAction.ORG_SWITCHED,
        _organisation_switch,
        lambda k: _organisation_switch(k, "outside"),
    ),
    "safecase.accounts.auth_actions.api_token_create": Case(
        AuditAction.TOKEN_CREATED, _api_token_create, lambda k: _api_token_create(k, k.anonymous())
    ),
    "safecase.accounts.auth_actions.api_token_revoke": Case(
        AuditAction.TOKEN_REVOKED, _api_token_revoke, lambda k: _api_token_revoke(k, k.anonymous())
    ),
    # people
    "safecase.people.actions.person_create": Case(
        AuditAction.PERSON_CREATED, _person_create, lambda k: _person_create(k, "reporter")
    ),
    "safecase.people.actions.person_update": Case(
        AuditAction.PERSON_UPDATED, _person_update, lambda k: _person_update(k, "reporter")
    ),
    "safecase.people.actions.person_add_identifier": Case(
        AuditAction.PERSON_IDENTIFIER_ADDED,
        _person_add_identifier,
        lambda k: _person_add_identifier(k, "other_org"),
    ),
    "safecase.people.actions.person_merge": Case(
        AuditAction.PERSON_MERGED, _person_merge, lambda k: _person_merge(k, "reporter")
    ),
    # concerns
    "safecase.concerns.actions.concern_save_draft": Case(
        AuditAction.CONCERN_DRAFT_SAVED,
        _concern_save_draft,
        lambda k: _concern_save_draft(k, "auditor"),
    ),
    "safecase.concerns.actions.concern_submit": Case(
        AuditAction.CONCERN_SUBMITTED, _concern_submit, lambda k: _concern_submit(k, "lead")
    ),
    "safecase.concerns.actions.concern_add_addendum": Case(
        AuditAction.CONCERN_ADDENDUM_ADDED,
        _concern_add_addendum,
        lambda k: _concern_add_addendum(k, "auditor"),
    ),
    "safecase.concerns.actions.concern_link_person": Case(
        AuditAction.CONCERN_PERSON_LINKED,
        _concern_link_person,
        lambda k: _concern_link_person(k, "reporter"),
    ),
    "safecase.concerns.actions.concern_triage": Case(
        AuditAction.CONCERN_TRIAGED, _concern_triage, lambda k: _concern_triage(k, "reporter")
    ),
    "safecase.concerns.actions.action_create": Case(
        AuditAction.ACTION_CREATED, _action_create, lambda k: _action_create(k, "reporter")
    ),
    "safecase.concerns.actions.action_complete": Case(
        AuditAction.ACTION_COMPLETED, _action_complete, _action_complete_refused
    ),
    "safecase.concerns.actions.attachment_add": Case(
        AuditAction.ATTACHMENT_ADDED, _attachment_add, lambda k: _attachment_add(k, "auditor")
    ),
    "safecase.concerns.actions.attachment_read": Case(
        AuditAction.ATTACHMENT_DOWNLOADED,
        _attachment_read,
        lambda k: _attachment_read(k, "other_org"),
    ),
    "safecase.concerns.actions.attachment_scan": Case(
        AuditAction.ATTACHMENT_SCANNED,
        _attachment_scan,
        lambda k: _attachment_scan(k, k.actor("lead")),
    ),
    "safecase.concerns.actions.concern_evaluate_patterns": Case(
        AuditAction.PATTERN_ALERT_RAISED,
        _concern_evaluate_patterns,
        lambda k: _concern_evaluate_patterns(k, k.actor("other_org")),
    ),
    "safecase.concerns.actions.pattern_alert_review": Case(
        AuditAction.PATTERN_ALERT_REVIEWED,
        _pattern_alert_review,
        lambda k: _pattern_alert_review(k, "reporter"),
    ),
    "safecase.concerns.actions.concern_mark_significant": Case(
        AuditAction.CONCERN_SIGNIFICANCE_CHANGED,
        _concern_mark_significant,
        lambda k: _concern_mark_significant(k, "reporter"),
    ),
    # safeguarding settings
    "safecase.concerns.config_actions.category_add": Case(
        AuditAction.CATEGORY_ADDED, _category_add, lambda k: _category_add(k, "deputy")
    ),
    "safecase.concerns.config_actions.category_rename": Case(
        AuditAction.CATEGORY_RENAMED, _category_rename, lambda k: _category_rename(k, "deputy")
    ),
    "safecase.concerns.config_actions.category_set_active": Case(
        AuditAction.CATEGORY_RETIRED,
        _category_set_active,
        lambda k: _category_set_active(k, "deputy"),
    ),
    "safecase.concerns.config_actions.category_move": Case(
        AuditAction.CATEGORY_REORDERED, _category_move, lambda k: _category_move(k, "deputy")
    ),
    "safecase.concerns.config_actions.triage_timings_update": Case(
        AuditAction.TRIAGE_TIMINGS_CHANGED,
        _triage_timings_update,
        lambda k: _triage_timings_update(k, "deputy"),
    ),
    "safecase.concerns.config_actions.level_labels_update": Case(
        AuditAction.LEVEL_LABELS_CHANGED,
        _level_labels_update,
        lambda k: _level_labels_update(k, "deputy"),
    ),
    "safecase.concerns.config_actions.pattern_rule_update": Case(
        AuditAction.PATTERN_RULE_CHANGED,
        _pattern_rule_update,
        lambda k: _pattern_rule_update(k, "deputy"),
    ),
    # cases
    "safecase.cases.actions.case_open": Case(
        AuditAction.CASE_OPENED, _case_open, lambda k: _case_open(k, "reporter")
    ),
    "safecase.cases.actions.case_add_concern": Case(
        AuditAction.CASE_CONCERN_ADDED,
        _case_add_concern,
        lambda k: _case_add_concern(k, "reporter"),
    ),
    "safecase.cases.actions.case_add_subject": Case(
        AuditAction.CASE_SUBJECT_ADDED,
        _case_add_subject,
        lambda k: _case_add_subject(k, "auditor"),
    ),
    "safecase.cases.actions.case_advance_stage": Case(
        AuditAction.CASE_STAGE_ADVANCED,
        _case_advance_stage,
        lambda k: _case_advance_stage(k, "other_org"),
    ),
    "safecase.cases.actions.case_allocate": Case(
        AuditAction.CASE_ALLOCATED, _case_allocate, lambda k: _case_allocate(k, "reporter")
    ),
    # notifications
    "safecase.notifications.actions.notify": Case(
        AuditAction.NOTIFICATION_SENT, _notify, lambda k: _notify(k, k.actor("other_org"))
    ),
    "safecase.notifications.actions.notification_mark_read": Case(
        AuditAction.NOTIFICATION_READ,
        _notification_mark_read,
        lambda k: _notification_mark_read(k, "lead"),
    ),
    "safecase.notifications.actions.notification_mark_all_read": Case(
        AuditAction.NOTIFICATION_ALL_READ,
        _notification_mark_all_read,
        lambda k: _notification_mark_all_read(k, k.anonymous()),
    ),
}


def _app_scenarios() -> dict[str, Case]:
    """The scenarios apps keep beside their code: ``SCENARIOS`` in every
    ``safecase/**/tests/audit_scenarios.py``."""
    found: dict[str, Case] = {}
    for path in sorted(ROOT.rglob("tests/audit_scenarios.py")):
        module = importlib.import_module(
            ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        )
        found.update(module.SCENARIOS)
    return found


CASES.update(_app_scenarios())

# Public functions in action modules that change nothing (helpers the views share). Each is
# called below and must write nothing at all.
NOT_ACTIONS: dict[str, Callable[[Kit], Call]] = {
    "safecase.accounts.auth_actions.new_totp_secret": lambda k: auth_actions.new_totp_secret,
    "safecase.accounts.auth_actions.totp_matches": lambda k: (
        lambda: auth_actions.totp_matches(auth_actions.new_totp_secret(), "123456")
    ),
    "safecase.concerns.config_actions.validate_timings": lambda k: (
        lambda: config_actions.validate_timings(24, 48)
    ),
    "safecase.concerns.config_actions.validate_rule": lambda k: (
        lambda: config_actions.validate_rule(PatternKind.SAME_ADULT, 2, 90)
    ),
}


# --- Watching the writes ----------------------------------------------------------------------

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@dataclass
class Write:
    sql: str
    transaction: object | None  # the outermost atomic block that is not the test's own


class WriteLog:
    """Every INSERT/UPDATE/DELETE the call sends, with the transaction it was sent in."""

    def __init__(self) -> None:
        self.writes: list[Write] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(WRITES):
            own = [b for b in connection.atomic_blocks if not getattr(b, "_from_testcase", False)]
            self.writes.append(Write(sql, own[0] if own else None))
        return execute(sql, params, many, context)


def snapshot(*, with_audit: bool = True) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the test database is small), to compare before and after."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    model: type[Model]
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        if not with_audit and meta.db_table in AUDIT_TABLES:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        state[meta.label] = [tuple(map(repr, row)) for row in rows]
    return state


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def events_since(last_pk: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=last_pk).order_by("pk"))


def last_event_pk() -> Any:
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last if last is not None else 0


class ForcedRollback(Exception):  # noqa: N818 - a signal for the test, not an error
    pass


@pytest.fixture
def kit(world: DemoWorld) -> Kit:
    return Kit(world=world)


# --- The tests --------------------------------------------------------------------------------


def test_discovery_finds_the_action_modules() -> None:
    modules = action_modules()
    for expected in (
        "safecase.access.actions",
        "safecase.accounts.actions",
        "safecase.accounts.auth_actions",
        "safecase.cases.actions",
        "safecase.concerns.actions",
        "safecase.people.actions",
    ):
        assert expected in modules
    found = discover_actions()
    assert "safecase.concerns.actions.concern_submit" in found
    # Imported names are not the module's own actions.
    assert not any(name.endswith((".require", ".can", ".record")) for name in found)
    assert not any(name.rsplit(".", 1)[1].startswith("_") for name in found)


def test_every_action_has_a_scenario() -> None:
    found = set(discover_actions())
    missing = sorted(found - set(CASES) - set(NOT_ACTIONS))
    assert not missing, (
        "These actions have no row in CASES in "
        + HERE
        + ", so nobody checks that they write their audit event in their transaction. Add a "
        "Case for each (the audit event it writes, a scenario that calls it successfully, and "
        "one the policy refuses or why it has none):\n  " + "\n  ".join(missing)
    )
    stale = sorted((set(CASES) | set(NOT_ACTIONS)) - found)
    assert not stale, f"Rows in {HERE} for actions that no longer exist: {stale}"


def test_every_case_without_a_refusal_says_why() -> None:
    for name, case in CASES.items():
        assert (case.refused is None) == bool(case.no_policy_check), name
        assert case.event in AuditAction.values, f"{name}: unknown audit action {case.event}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_action_writes_its_event_in_the_transaction_of_its_change(kit: Kit, name: str) -> None:
    case = CASES[name]
    call = case.success(kit)
    since = last_event_pk()
    log = WriteLog()
    with connection.execute_wrapper(log):
        call()
    events = events_since(since)
    assert any(e.action == case.event and e.outcome == case.outcome for e in events), (
        f"{name} wrote no {case.event} ({case.outcome}) event; it wrote "
        f"{[(e.action, e.outcome) for e in events]}"
    )
    event_table = AuditEvent._meta.db_table
    event_writes = [
        w
        for w in log.writes
        if w.sql.lstrip().upper().startswith("INSERT")
        and (f'"{event_table}"' in w.sql or f" {event_table} " in w.sql)
    ]
    assert event_writes, f"{name}: the event insert was not seen"
    outside = [w.sql[:120] for w in log.writes if w.transaction is None]
    assert not outside, f"{name} wrote outside any transaction: {outside}"
    transactions = {id(w.transaction) for w in log.writes}
    assert len(transactions) == 1, (
        f"{name} wrote in {len(transactions)} separate transactions: its change and its audit "
        "event must commit or roll back together"
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_rolling_back_after_the_event_leaves_no_change_and_no_event(
    kit: Kit, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    call = case.success(kit)
    before = snapshot()
    real_record = recorder.record
    recorded: list[str] = []

    def record_then_fail(**kwargs: Any) -> Any:
        event = real_record(**kwargs)
        recorded.append(event.action)
        raise ForcedRollback

    monkeypatch.setattr(recorder, "record", record_then_fail)
    with pytest.raises(ForcedRollback):
        call()
    monkeypatch.undo()
    assert recorded, f"{name} never wrote an audit event"
    changed = changed_tables(before, snapshot())
    assert not changed, (
        f"{name}: after its transaction was rolled back at the audit event, these tables still "
        f"held changes: {changed}. The change was written in another transaction than its event."
    )


REFUSABLE = sorted(name for name, case in CASES.items() if case.refused is not None)


@pytest.mark.parametrize("name", REFUSABLE)
def test_a_call_the_policy_refuses_changes_nothing_and_records_no_success(
    kit: Kit, name: str
) -> None:
    case = CASES[name]
    assert case.refused is not None
    call = case.refused(kit)
    before = snapshot(with_audit=False)
    since = last_event_pk()
    with pytest.raises(NotPermitted):
        call()
    successes = [e.action for e in events_since(since) if e.outcome == Outcome.SUCCESS]
    assert not successes, f"{name} was refused but recorded success: {successes}"
    changed = changed_tables(before, snapshot(with_audit=False))
    assert not changed, f"{name} was refused but changed {changed}"


@pytest.mark.parametrize("name", sorted(NOT_ACTIONS))
def test_helpers_in_action_modules_write_nothing(kit: Kit, name: str) -> None:
    call = NOT_ACTIONS[name](kit)
    before = snapshot()
    log = WriteLog()
    with connection.execute_wrapper(log):
        call()
    assert not log.writes and snapshot() == before, (
        f"{name} writes to the database: make it an action with an audit event and a row in "
        f"CASES, or keep it out of the actions module"
    )
