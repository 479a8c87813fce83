"""The kinds of item a lead may share, down to the single item (issue 5, M3).

Each kind says which model it is, how the sharing organisation finds its items (through the
same selectors as its own pages, so nothing restricted away from the sharer can be shared), and
what the receiving organisation may read of one: its fields, never the record around it (a
shared note does not show its case; a shared risk assessment version does not show the others).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from safecase.core.actors import Actor

Fields = list[tuple[str, str]]


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    model_label: str  # app_label.ModelName
    # The items of this kind the actor could share: their own organisation's, as they see them.
    owned: Callable[[Actor], models.QuerySet[Any]]
    # A short title for lists (both sides): says what it is, no narrative.
    title: Callable[[Any], str]
    # What the receiving organisation reads of one item.
    fields: Callable[[Any], Fields]
    # The record this item belongs to whose restriction also hides it (a note's case, a file's
    # concern, an extract's person): (model label, key attribute), or None.
    parent: tuple[str, str] | None = None
    # The page that reads the whole record, for kinds a share opens in full (a case, a person,
    # a concern): URL name and argument.
    page: tuple[str, str] | None = None

    @property
    def model(self) -> type[models.Model]:
        from django.apps import apps

        return apps.get_model(self.model_label)

    def content_type_id(self) -> int:
        return ContentType.objects.get_for_model(self.model).pk


def _when(value: Any) -> str:
    if value is None:
        return "Not known"
    return f"{timezone.localtime(value):%-d %b %Y %H:%M}"


def _day(value: Any) -> str:
    return f"{value:%-d %b %Y}" if value else "Not known"


def _own(queryset: models.QuerySet[Any], actor: Actor) -> models.QuerySet[Any]:
    return queryset.filter(organisation_id=actor.organisation_id)


def _cases(actor: Actor) -> models.QuerySet[Any]:
    from safecase.cases.selectors import cases_visible_to

    return _own(cases_visible_to(actor), actor)


def _people(actor: Actor) -> models.QuerySet[Any]:
    from safecase.people.selectors import people_visible_to

    return _own(people_visible_to(actor), actor)


def _concerns(actor: Actor) -> models.QuerySet[Any]:
    from safecase.concerns.selectors import concerns_visible_to

    return _own(concerns_visible_to(actor), actor)


def _notes(actor: Actor) -> models.QuerySet[Any]:
    from safecase.cases.notes.selectors import notes_visible_to

    return _own(notes_visible_to(actor), actor).select_related("author")


def _attachments(actor: Actor) -> models.QuerySet[Any]:
    from safecase.concerns.models import Attachment

    return _own(Attachment.objects.filter(concern__in=_concerns(actor).values("pk")), actor)


def _risk_versions(actor: Actor) -> models.QuerySet[Any]:
    from safecase.cases.risk.models import RiskAssessmentVersion

    return _own(RiskAssessmentVersion.objects.filter(case__in=_cases(actor).values("pk")), actor)


def _extracts(actor: Actor) -> models.QuerySet[Any]:
    from safecase.sharing.models import ChronologyExtract

    return _own(ChronologyExtract.objects.filter(person__in=_people(actor).values("pk")), actor)


def _case_fields(case: Any) -> Fields:
    return [
        ("Reference", case.reference),
        ("Title", case.title),
        ("Stage", case.get_stage_display()),
        ("Status", case.get_status_display()),
        ("Opened", _when(case.opened_at)),
    ]


def _person_fields(person: Any) -> Fields:
    return [
        ("Name", f"{person.family_name.upper()}, {person.given_names}"),
        ("Preferred name", person.preferred_name or "None"),
        ("Date of birth", _day(person.date_of_birth)),
        ("Kind", person.get_kind_display()),
    ]


def _concern_fields(concern: Any) -> Fields:
    return [
        ("Happened", _when(concern.happened_at)),
        ("Location", concern.location or "Not given"),
        ("What was seen or heard", concern.fact),
        ("Their own words", concern.own_words or "None recorded"),
        ("Opinion of the person recording it", concern.opinion or "None recorded"),
        ("What was done straight away", concern.immediate_actions or "None recorded"),
        ("Recorded", _when(concern.submitted_at)),
    ]


def _note_fields(note: Any) -> Fields:
    return [
        ("Kind", note.get_kind_display()),
        ("When it happened", _when(note.occurred_at)),
        ("Facts", note.fact),
        ("Opinion of its author (not established fact)", note.opinion or "None recorded"),
        ("Written by", note.author.full_name),
    ]


def _attachment_fields(attachment: Any) -> Fields:
    return [
        ("File", attachment.display_name),
        ("Type", attachment.mime),
        ("Size", f"{attachment.size} bytes"),
        ("Virus scan", attachment.get_scan_state_display()),
    ]


def _risk_fields(version: Any) -> Fields:
    return [
        ("Version", str(version.number)),
        ("Risk level", version.get_level_display()),
        ("Likelihood", str(version.likelihood)),
        ("Impact", str(version.impact)),
        ("Risk factors", version.risk_factors),
        ("Protective factors", version.protective_factors),
        ("Interim measures", ", ".join(version.measure_labels()) or "None"),
        ("Next review", _day(version.next_review_on)),
        ("Why it was assessed", version.reason),
        ("Assessed", _when(version.created_at)),
    ]


def _extract_fields(extract: Any) -> Fields:
    return [
        ("About", extract.person_name),
        ("Date of birth", _day(extract.person_date_of_birth)),
        ("Made", _when(extract.created_at)),
    ]


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "case",
            "Case",
            "cases.Case",
            _cases,
            lambda c: f"Case {c.reference}",
            _case_fields,
            page=("cases:detail", "case_id"),
        ),
        Kind(
            "person",
            "Person",
            "people.Person",
            _people,
            lambda p: f"{p.family_name.upper()}, {p.given_names}",
            _person_fields,
            page=("people:detail", "person_id"),
        ),
        Kind(
            "concern",
            "Concern",
            "concerns.Concern",
            _concerns,
            lambda c: f"Concern recorded {_when(c.submitted_at)}",
            _concern_fields,
            page=("concerns:detail", "concern_id"),
        ),
        Kind(
            "case_note",
            "Case note",
            "case_notes.CaseNote",
            _notes,
            lambda n: f"{n.get_kind_display()} note, {_when(n.occurred_at)}",
            _note_fields,
            parent=("cases.Case", "case_id"),
        ),
        Kind(
            "attachment",
            "Concern attachment",
            "concerns.Attachment",
            _attachments,
            lambda a: f"File {a.display_name}",
            _attachment_fields,
            parent=("concerns.Concern", "concern_id"),
        ),
        Kind(
            "risk_version",
            "Risk assessment version",
            "case_risk.RiskAssessmentVersion",
            _risk_versions,
            lambda v: f"Risk assessment version {v.number} ({v.get_level_display()})",
            _risk_fields,
            parent=("cases.Case", "case_id"),
        ),
        Kind(
            "chronology_extract",
            "Chronology extract",
            "sharing.ChronologyExtract",
            _extracts,
            lambda e: e.title,
            _extract_fields,
            parent=("people.Person", "person_id"),
        ),
    )
}


def kind_of_content_type(content_type_id: int) -> Kind | None:
    for kind in KINDS.values():
        if kind.content_type_id() == content_type_id:
            return kind
    return None
