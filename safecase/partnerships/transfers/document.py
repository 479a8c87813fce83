"""The transfer document (format ``safecase.transfer/1``, docs/transfers-format.md) and its PDF.

What goes in is what the sender may see of their own organisation's records about the person,
read through the existing selectors (people, concerns, the chronology, cases): never another
organisation's records shared in (they are not the sender's to pass on), never a restricted
record (even one the sender is named on: a restriction is a decision that the record does not
travel), never the low-level log about adults (it is about the sender's staff, not the child).
"""

from __future__ import annotations

import base64
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from safecase.access.models import RecordRestriction
from safecase.access.policy import object_key
from safecase.cases.bundle import BundlePDF, _table
from safecase.cases.models import Case, CaseSubject
from safecase.cases.risk.models import RiskAssessmentVersion
from safecase.cases.selectors import cases_visible_to
from safecase.concerns.choices import ConcernKind
from safecase.concerns.models import Attachment, Concern
from safecase.concerns.selectors import concerns_visible_to, person_chronology
from safecase.core.actors import Actor
from safecase.core.files import open_decrypted
from safecase.people.exports import REPLACEMENT
from safecase.people.models import Person

FORMAT = "safecase.transfer/1"
MARKING = "OFFICIAL-SENSITIVE"
# Attachments travel only when the sender asks, and only up to this much in all.
MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _restricted(model: type[Any], organisation_id: Any) -> set[str]:
    content_type = ContentType.objects.get_for_model(model)
    return set(
        RecordRestriction.objects.filter(
            organisation_id=organisation_id, content_type=content_type
        ).values_list("object_id", flat=True)
    )


def _concerns(actor: Actor, person: Person) -> list[Concern]:
    restricted = _restricted(Concern, person.organisation_id)
    found = (
        concerns_visible_to(actor)
        .filter(organisation_id=person.organisation_id, people__person=person)
        .exclude(kind=ConcernKind.LOW_LEVEL_ADULT)
        .select_related("recorded_by")
        .prefetch_related("categories", "triages__triaged_by", "addenda__author", "attachments")
        .distinct()
        .order_by("happened_at", "submitted_at", "id")
    )
    return [c for c in found if object_key(c) not in restricted]


def _cases(actor: Actor, person: Person) -> list[Case]:
    restricted = _restricted(Case, person.organisation_id)
    subject_of = CaseSubject.objects.filter(person=person).values("case_id")
    found = (
        cases_visible_to(actor)
        .filter(organisation_id=person.organisation_id, pk__in=subject_of)
        .select_related("case_type")
        .order_by("opened_at", "id")
    )
    return [c for c in found if object_key(c) not in restricted]


def _risk(cases: list[Case]) -> dict[Any, RiskAssessmentVersion]:
    latest: dict[Any, RiskAssessmentVersion] = {}
    for version in RiskAssessmentVersion.objects.filter(case__in=cases).order_by("number"):
        latest[version.case_id] = version
    return latest


def _attachment(item: Attachment, include: bool, budget: list[int]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": item.display_name,
        "media_type": item.mime,
        "size": item.size,
        "sha256": item.sha256,
        "included": False,
    }
    if include and item.is_downloadable and item.size <= budget[0]:
        data = open_decrypted(item.storage_name, aad=item.aad)
        entry["data_base64"] = base64.b64encode(data).decode("ascii")
        entry["included"] = True
        budget[0] -= item.size
    return entry


def build_document(
    *,
    actor: Actor,
    person: Person,
    bundle_id: str,
    issued_at: datetime,
    expires_at: datetime,
    sender: dict[str, str],
    receiver: dict[str, str],
    reason: str,
    include_attachments: bool = False,
) -> dict[str, Any]:
    """The whole document, read once: what the PDF is drawn from and what the receiver gets."""
    concerns = _concerns(actor, person)
    cases = _cases(actor, person)
    risk = _risk(cases)
    concern_keys = {c.pk for c in concerns}
    case_keys = {c.pk for c in cases}

    def _ours(entry: Any) -> bool:
        return entry.case_id in case_keys if entry.case_id else entry.concern_id in concern_keys

    chronology = [
        {
            "when": _iso(e.when),
            "approximate": e.approximate,
            "kind": e.kind,
            "title": e.title,
            "summary": e.summary,
            "significant": e.significant,
        }
        for e in reversed(person_chronology(actor, person))
        if _ours(e)
    ]
    budget = [MAX_ATTACHMENT_BYTES]
    return {
        "format": FORMAT,
        "bundle_id": bundle_id,
        "issued_at": _iso(issued_at),
        "expires_at": _iso(expires_at),
        "sender": sender,
        "receiver": receiver,
        "reason": reason,
        "sent_by": {"name": actor.user.full_name if actor.user else actor.label},
        "person": {
            "kind": person.kind,
            "given_names": person.given_names,
            "family_name": person.family_name,
            "preferred_name": person.preferred_name,
            "date_of_birth": _iso(person.date_of_birth),
            "gender": person.gender,
            "flags": [
                {"code": code, "label": label}
                for code, label in zip(person.flags, person.flag_labels, strict=True)
            ],
            "identifiers": [
                {"scheme": i.scheme, "value": i.value}
                for i in person.identifiers.order_by("scheme")
            ],
        },
        "chronology": chronology,
        "concerns": [
            {
                "recorded_at": _iso(c.submitted_at),
                "recorded_by": c.recorded_by.full_name,
                "recorder_role": c.recorder_role,
                "happened_at": _iso(c.happened_at),
                "happened_at_approximate": c.happened_at_approximate,
                "categories": [cat.label for cat in c.categories.all()],
                "location": c.location,
                "fact": c.fact,
                "own_words": c.own_words,
                "opinion": c.opinion,
                "immediate_actions": c.immediate_actions,
                "addenda": [
                    {
                        "at": _iso(a.created_at),
                        "by": a.author.full_name,
                        "reason": a.reason,
                        "text": a.text,
                    }
                    for a in sorted(c.addenda.all(), key=lambda a: a.created_at)
                ],
                "triage": [
                    {
                        "at": _iso(t.created_at),
                        "by": t.triaged_by.full_name,
                        "decision": t.get_decision_display(),
                        "level_of_need": t.level_of_need,
                        "rag": t.rag,
                        "initial_risk": t.initial_risk,
                        "rationale": t.rationale,
                        "threshold_considered": t.threshold_considered,
                    }
                    for t in sorted(c.triages.all(), key=lambda t: t.created_at)
                ],
                "attachments": [
                    _attachment(a, include_attachments, budget)
                    for a in sorted(c.attachments.all(), key=lambda a: a.created_at)
                ],
            }
            for c in concerns
        ],
        "cases": [
            {
                "reference": c.reference,
                "title": c.title,
                "type": c.case_type.label,
                "stage": c.get_stage_display(),
                "status": c.get_status_display(),
                "opened_at": _iso(c.opened_at),
                "closed_at": _iso(c.closed_at),
                "risk": _risk_entry(risk.get(c.pk)),
            }
            for c in cases
        ],
    }


def _risk_entry(version: RiskAssessmentVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "level": version.level,
        "assessed_at": _iso(version.created_at),
        "risk_factors": version.risk_factors,
        "protective_factors": version.protective_factors,
        "likelihood": version.likelihood,
        "impact": version.impact,
        "interim_measures": version.measure_labels(),
        "next_review_on": _iso(version.next_review_on),
    }


def _when(value: object) -> str:
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        return f"{moment.day} {moment:%b %Y}"
    local = timezone.localtime(moment)
    return f"{local.day} {local:%b %Y %H:%M}"


def _s(value: object) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def render_pdf(document: dict[str, Any], *, compress: bool = True) -> bytes:
    """The document as a PDF (drawn as the case bundle is): anyone can read it."""
    person = document.get("person") or {}
    name = f"{_s(person.get('given_names'))} {_s(person.get('family_name'))}".strip()
    sender = document.get("sender") or {}
    receiver = document.get("receiver") or {}
    pdf = BundlePDF(unicode_font=True)
    pdf.title_line = pdf.shown(f"Safeguarding file: {name}")
    pdf.header_lines = [
        pdf.shown(
            f"From {_s(sender.get('organisation_name'))} to "
            f"{_s(receiver.get('organisation_name'))} — {MARKING}"
        ),
        pdf.shown(
            f"Bundle {_s(document.get('bundle_id'))}, issued {_when(document.get('issued_at'))}"
        ),
    ]
    pdf.set_compression(compress)
    pdf.set_title(f"Safeguarding file {name}")
    pdf.set_creator("Safecase")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()

    pdf.heading("The person")
    identifiers = ", ".join(
        f"{_s(i.get('scheme')).upper()} {_s(i.get('value'))}" for i in person.get("identifiers", [])
    )
    flags = ", ".join(_s(f.get("label")) for f in person.get("flags", []))
    rows = [
        ["Item", "Value"],
        ["Legal name", name],
        ["Preferred name", _s(person.get("preferred_name"))],
        ["Date of birth", _s(person.get("date_of_birth"))],
        ["Identifiers", identifiers or "None"],
        ["Flags", flags or "None"],
        ["Reason for the transfer", _s(document.get("reason"))],
        ["Sent by", _s((document.get("sent_by") or {}).get("name"))],
    ]
    _table(pdf, (50, 140), rows)

    pdf.heading("Concerns")
    if not document.get("concerns"):
        pdf.para("No concern is part of this file.")
    for concern in document.get("concerns", []):
        heading = (
            f"Concern recorded {_when(concern.get('recorded_at'))} "
            f"by {_s(concern.get('recorded_by'))}"
        )
        pdf.para(heading, bold=True)
        if concern.get("happened_at"):
            pdf.para(f"When it happened: {_when(concern.get('happened_at'))}")
        if concern.get("categories"):
            pdf.para("Categories: " + ", ".join(_s(c) for c in concern["categories"]))
        pdf.para(f"What was seen or heard (fact): {_s(concern.get('fact')) or '—'}")
        if concern.get("own_words"):
            pdf.para(f"Their own words: “{_s(concern['own_words'])}”")
        if concern.get("opinion"):
            pdf.para(f"Opinion of the person recording: {_s(concern['opinion'])}")
        for addendum in concern.get("addenda", []):
            pdf.para(
                f"Addendum {_when(addendum.get('at'))} by {_s(addendum.get('by'))} "
                f"({_s(addendum.get('reason'))}): {_s(addendum.get('text'))}"
            )
        for triage in concern.get("triage", []):
            pdf.para(
                f"Triage {_when(triage.get('at'))} by {_s(triage.get('by'))}: "
                f"{_s(triage.get('decision'))}, RAG {_s(triage.get('rag'))}. "
                f"Rationale: {_s(triage.get('rationale'))}"
            )
        for attachment in concern.get("attachments", []):
            state = "included in the bundle" if attachment.get("included") else "not included"
            pdf.para(f"Attachment: {_s(attachment.get('name'))} ({state})")
        pdf.ln(2)

    pdf.heading("Cases")
    if not document.get("cases"):
        pdf.para("No case is part of this file.")
    for case in document.get("cases", []):
        pdf.para(f"{_s(case.get('reference'))}: {_s(case.get('title'))}", bold=True)
        pdf.para(
            f"{_s(case.get('type'))}; {_s(case.get('stage'))}; {_s(case.get('status'))}; "
            f"opened {_when(case.get('opened_at'))}"
        )
        risk = case.get("risk")
        if isinstance(risk, dict):
            pdf.para(
                f"Current risk: {_s(risk.get('level'))} "
                f"(assessed {_when(risk.get('assessed_at'))}). "
                f"Risk factors: {_s(risk.get('risk_factors'))} "
                f"Protective factors: {_s(risk.get('protective_factors'))}"
            )
        pdf.ln(1)

    pdf.heading("Chronology")
    entries = document.get("chronology", [])
    if not entries:
        pdf.para("Nothing recorded.")
    else:
        _table(
            pdf,
            (32, 60, 98),
            [
                ["When", "What", "Detail"],
                *[
                    [_when(e.get("when")), _s(e.get("title")), _s(e.get("summary"))]
                    for e in entries
                ],
            ],
        )
    if pdf.lossy:
        pdf.ln(4)
        pdf.para(
            f"Some characters could not be shown in this PDF and appear as {REPLACEMENT} or "
            "without accents; the bundle's JSON keeps them exactly."
        )
    return bytes(pdf.output())
