"""The transfer part's actions, reconciled with their audit events by
tests/test_actions_audited.py (which discovers this SCENARIOS)."""

from __future__ import annotations

import uuid

from safecase.audit.events import AuditAction
from safecase.partnerships.transfers import actions, download_actions, inbound_actions, keys
from safecase.partnerships.transfers.models import ReceivedFile, Transfer
from safecase.partnerships.transfers.tests import remote
from safecase.people.models import Person
from tests.audit_kit import Call, Case, Kit

REASON = "Moved to Oakfield Primary School mid-year (synthetic)."


def _person(k: Kit) -> Person:
    return k.person("Robin")


def _sent(k: Kit) -> Transfer:
    return actions.transfer_send(
        actor=k.actor("lead"),
        person=_person(k),
        receiver_organisation=k.world.organisations["primary"],
        reason=REASON,
    )


def _send(k: Kit, persona: str = "lead") -> Call:
    person = _person(k)
    return lambda: actions.transfer_send(
        actor=k.actor(persona),
        person=person,
        receiver_organisation=k.world.organisations["primary"],
        reason=REASON,
    )


def _export(k: Kit, persona: str = "lead") -> Call:
    person = _person(k)
    return lambda: actions.transfer_export(
        actor=k.actor(persona),
        person=person,
        receiver_organisation_id=str(uuid.uuid4()),
        receiver_organisation_name="Eastshire Primary (synthetic)",
        receiver_public_key=keys.b64(keys.encryption_public()),
        reason=REASON,
    )


def _record_export(k: Kit, persona: str = "lead") -> Call:
    transfer = _sent(k)
    return lambda: actions.transfer_record_export(actor=k.actor(persona), transfer=transfer)


def _view(k: Kit, persona: str = "primary_lead") -> Call:
    transfer = _sent(k)
    return lambda: actions.transfer_view(actor=k.actor(persona), transfer=transfer)


def _accept(k: Kit, persona: str = "primary_lead") -> Call:
    transfer = _sent(k)
    return lambda: actions.transfer_accept(
        actor=k.actor(persona), transfer=transfer, version=transfer.version
    )


def _reject(k: Kit, persona: str = "primary_lead") -> Call:
    transfer = _sent(k)
    return lambda: actions.transfer_reject(
        actor=k.actor(persona),
        transfer=transfer,
        version=transfer.version,
        reason="The child never joined us (synthetic).",
    )


def _resend(k: Kit, persona: str = "lead") -> Call:
    transfer = _sent(k)
    return lambda: actions.transfer_resend(
        actor=k.actor(persona),
        transfer=transfer,
        version=transfer.version,
        reason="No answer in five working days (synthetic).",
    )


def _file(k: Kit) -> ReceivedFile:
    transfer = _sent(k)
    return actions.transfer_accept(
        actor=k.actor("primary_lead"), transfer=transfer, version=transfer.version
    )


def _read(k: Kit, persona: str = "primary_lead") -> Call:
    received = _file(k)
    return lambda: actions.transfer_file_read(actor=k.actor(persona), received=received)


def _inbound(k: Kit) -> Call:
    receiver = str(k.world.organisations["primary"].pk)
    # Signed with this installation's own key (always trusted), standing in for another's.
    raw = remote.bundle(receiver, signing=_own_signing())
    return lambda: inbound_actions.transfer_receive_inbound(raw=raw)


def _receipt(k: Kit) -> Call:
    from django.utils import timezone

    from safecase.partnerships.transfers import receipts

    receiver = str(uuid.uuid4())
    transfer = actions.transfer_export(
        actor=k.actor("lead"),
        person=_person(k),
        receiver_organisation_id=receiver,
        receiver_organisation_name="Eastshire Primary (synthetic)",
        receiver_public_key=keys.b64(keys.encryption_public()),
        reason=REASON,
    )
    raw = receipts.sign_receipt(
        bundle_id=str(transfer.bundle_id),
        status="accepted",
        decided_at=timezone.now(),
        reason="",
        receiver={
            "installation": "Eastshire",
            "organisation_id": receiver,
            "organisation_name": "x",
        },
    )
    return lambda: inbound_actions.transfer_receipt_inbound(raw=raw)


def _own_signing() -> str:
    return keys.b64(keys._secret("SAFECASE_TRANSFER_SIGNING_KEY", b"safecase transfer signing key"))


def _download(k: Kit, persona: str = "lead") -> Call:
    person = _person(k)
    return lambda: download_actions.transfer_create_download(
        actor=k.actor(persona),
        person=person,
        recipient_name="St Elsewhere (synthetic)",
        recipient_email="dsl@st-elsewhere.example.invalid",
        reason=REASON,
        base_url="https://safecase.example.invalid/",
    )


def _download_open(k: Kit) -> Call:
    made = download_actions.transfer_create_download(
        actor=k.actor("lead"),
        person=_person(k),
        recipient_name="St Elsewhere (synthetic)",
        recipient_email="dsl@st-elsewhere.example.invalid",
        reason=REASON,
        base_url="https://safecase.example.invalid/",
    )
    return lambda: download_actions.transfer_download_open(token=made.token, code=made.code)


_P = "safecase.partnerships.transfers"
SCENARIOS = {
    f"{_P}.actions.transfer_send": Case(
        AuditAction.TRANSFER_SENT, _send, lambda k: _send(k, "reporter")
    ),
    f"{_P}.actions.transfer_export": Case(
        AuditAction.TRANSFER_SENT, _export, lambda k: _export(k, "auditor")
    ),
    f"{_P}.actions.transfer_record_export": Case(
        AuditAction.TRANSFER_EXPORTED, _record_export, lambda k: _record_export(k, "other_org")
    ),
    f"{_P}.actions.transfer_view": Case(
        AuditAction.TRANSFER_VIEWED, _view, lambda k: _view(k, "lead")
    ),
    f"{_P}.actions.transfer_accept": Case(
        AuditAction.TRANSFER_ACCEPTED, _accept, lambda k: _accept(k, "other_org")
    ),
    f"{_P}.actions.transfer_reject": Case(
        AuditAction.TRANSFER_REJECTED, _reject, lambda k: _reject(k, "partner_with_share")
    ),
    f"{_P}.actions.transfer_resend": Case(
        AuditAction.TRANSFER_RESENT, _resend, lambda k: _resend(k, "primary_lead")
    ),
    f"{_P}.actions.transfer_file_read": Case(
        AuditAction.TRANSFER_FILE_VIEWED, _read, lambda k: _read(k, "lead")
    ),
    f"{_P}.inbound_actions.transfer_receive_inbound": Case(
        AuditAction.TRANSFER_RECEIVED,
        _inbound,
        no_policy_check="Another installation delivers it: the bundle's signature by a "
        "trusted key is the authority, checked before anything is written.",
    ),
    f"{_P}.inbound_actions.transfer_receipt_inbound": Case(
        AuditAction.TRANSFER_RECEIPT_CONFIRMED,
        _receipt,
        no_policy_check="The receiving installation sends it: the receipt's signature by a "
        "trusted key, about a bundle sent to that organisation, is the authority.",
    ),
    f"{_P}.download_actions.transfer_create_download": Case(
        AuditAction.TRANSFER_DOWNLOAD_CREATED, _download, lambda k: _download(k, "deputy")
    ),
    f"{_P}.download_actions.transfer_download_open": Case(
        AuditAction.TRANSFER_DOWNLOADED,
        _download_open,
        no_policy_check="The anonymous receiver proves themselves with the link's token and "
        "the code given by telephone; wrong codes are counted and lock the link.",
    ),
}
