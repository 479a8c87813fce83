"""The hub's actions, reconciled with their audit events by tests/test_actions_audited.py
(which discovers this SCENARIOS)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from safecase.audit.events import AuditAction
from safecase.concerns.models import ScanState
from safecase.core.actors import Actor
from safecase.core.tests.test_files import png
from safecase.partnerships import actions, request_actions, settings_actions
from safecase.partnerships.choices import AgencyKind, Source
from safecase.partnerships.models import HubSettings, SectionAttachment
from safecase.partnerships.tests import helpers
from tests.audit_kit import Call, Case, Kit


def _settings(k: Kit, persona: str = "hub_manager") -> Call:
    hub = helpers.hub(k.world)
    return lambda: settings_actions.hub_settings_save(
        actor=k.actor(persona),
        partnership=k.world.partnership,
        hub_organisation=k.world.organisations["childrens_services"],
        version=HubSettings.objects.get(pk=hub.pk).version,
        reason="Longer opening hours.",
        closes_at=timezone.datetime(2026, 1, 1, 18, 0).time(),  # a time of day
    )


def _agency(k: Kit, persona: str = "hub_manager") -> Call:
    hub = helpers.hub(k.world)
    return lambda: settings_actions.hub_agency_save(
        actor=k.actor(persona),
        hub=hub,
        agency_organisation=k.world.organisations["primary"],
        kind=AgencyKind.EDUCATION,
    )


def _make(k: Kit, persona: str = "lead") -> Call:
    helpers.hub(k.world)
    person = helpers.child(k.world)
    return lambda: actions.referral_make(
        actor=k.actor(persona),
        subject_name="Sam Test",
        summary="Synthetic.",
        disclosure=helpers.disclosure(),
        person_id=person.pk,
    )


def _enter(k: Kit, persona: str = "hub") -> Call:
    helpers.hub(k.world)
    return lambda: actions.referral_enter(
        actor=k.actor(persona),
        source=Source.PHONE,
        caller="A neighbour (synthetic)",
        subject_name="Sam Test",
        summary="Heard shouting.",
    )


def _rate(k: Kit, persona: str = "hub") -> Call:
    referral = helpers.referral(k.world)
    return lambda: actions.referral_rate(
        actor=k.actor(persona),
        referral=referral,
        version=referral.version,
        rating="amber",
        rationale="Synthetic.",
    )


def _decide(k: Kit, persona: str = "hub") -> Call:
    referral = helpers.rated(k.world)
    return lambda: actions.referral_decide(
        actor=k.actor(persona),
        referral=referral,
        version=referral.version,
        decision="early_help",
        rationale="Synthetic.",
    )


def _send(k: Kit, persona: str = "hub") -> Call:
    referral = helpers.rated(k.world)
    agencies = list(referral.hub.agencies.all())
    return lambda: request_actions.request_send(
        actor=k.actor(persona), referral=referral, agencies=agencies
    )


def _answer(k: Kit, persona: str = "partner_with_share") -> Call:
    request = helpers.requested(k.world)
    return lambda: request_actions.request_answer(
        actor=k.actor(persona), request=request, version=request.version, answer="Synthetic."
    )


def _release(k: Kit, persona: str = "police_approver") -> Call:
    request = helpers.answered(k.world, hold=True)
    return lambda: request_actions.request_release(
        actor=k.actor(persona), request=request, version=request.version
    )


def _file(k: Kit, persona: str = "partner_with_share") -> Call:
    request = helpers.requested(k.world)
    return lambda: request_actions.section_file_add(
        actor=k.actor(persona), request=request, name="photo.png", data=png()
    )


def _scan(k: Kit, system: bool = True) -> Call:
    request = helpers.requested(k.world)
    added = request_actions.section_file_add(
        actor=k.actor("partner_with_share"), request=request, name="photo.png", data=png()
    )
    SectionAttachment.objects.filter(pk=added.pk).update(scan_state=ScanState.PENDING)
    added.refresh_from_db()
    hub_org = k.world.organisations["childrens_services"]
    actor = Actor.system("scanner", organisation=hub_org) if system else k.actor("hub")
    return lambda: request_actions.section_file_scan(actor=actor, attachment=added)


def _share(k: Kit, persona: str = "hub") -> Call:
    request = helpers.answered(k.world, hold=False)
    return lambda: request_actions.section_share(
        actor=k.actor(persona), request=request, version=request.version, reason="Strategy."
    )


def _escalate(k: Kit, system: bool = True) -> Call:
    request = helpers.requested(k.world, at=timezone.now() - timedelta(days=8))
    actor = k.operator() if system else k.actor("hub")
    return lambda: request_actions.request_escalate(actor=actor, request=request)


SCENARIOS = {
    "safecase.partnerships.settings_actions.hub_settings_save": Case(
        AuditAction.HUB_SETTINGS_CHANGED, _settings, lambda k: _settings(k, "hub")
    ),
    "safecase.partnerships.settings_actions.hub_agency_save": Case(
        AuditAction.HUB_SETTINGS_CHANGED, _agency, lambda k: _agency(k, "lead")
    ),
    "safecase.partnerships.actions.referral_make": Case(
        AuditAction.HUB_REFERRAL_CREATED, _make, lambda k: _make(k, "reporter")
    ),
    "safecase.partnerships.actions.referral_enter": Case(
        AuditAction.HUB_REFERRAL_CREATED, _enter, lambda k: _enter(k, "lead")
    ),
    "safecase.partnerships.actions.referral_rate": Case(
        AuditAction.HUB_REFERRAL_RATED, _rate, lambda k: _rate(k, "partner_with_share")
    ),
    "safecase.partnerships.actions.referral_decide": Case(
        AuditAction.HUB_REFERRAL_DECIDED, _decide, lambda k: _decide(k, "lead")
    ),
    "safecase.partnerships.request_actions.request_send": Case(
        AuditAction.HUB_REQUEST_SENT, _send, lambda k: _send(k, "partner_with_share")
    ),
    "safecase.partnerships.request_actions.request_answer": Case(
        AuditAction.HUB_REQUEST_ANSWERED, _answer, lambda k: _answer(k, "partner_without")
    ),
    "safecase.partnerships.request_actions.request_release": Case(
        AuditAction.HUB_REQUEST_RELEASED, _release, lambda k: _release(k, "partner_with_share")
    ),
    "safecase.partnerships.request_actions.section_file_add": Case(
        AuditAction.HUB_SECTION_FILE_ADDED, _file, lambda k: _file(k, "hub")
    ),
    "safecase.partnerships.request_actions.section_file_scan": Case(
        AuditAction.HUB_FILE_SCANNED, _scan, lambda k: _scan(k, system=False)
    ),
    "safecase.partnerships.request_actions.section_share": Case(
        AuditAction.HUB_SECTION_SHARED, _share, lambda k: _share(k, "partner_with_share")
    ),
    "safecase.partnerships.request_actions.request_escalate": Case(
        AuditAction.HUB_REQUEST_ESCALATED, _escalate, lambda k: _escalate(k, system=False)
    ),
}
