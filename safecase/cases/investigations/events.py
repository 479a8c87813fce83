"""What the investigation puts in the case's subjects' chronologies (cases/chronology.py): an
interview held (its role and summary), evidence obtained (its title only: what the item is,
never its content), and the investigation concluded. The same events come from the actions as
they happen and from ``investigation_events`` when a person joins the case or the lines are
rebuilt, so the two always give the same lines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from safecase.cases.chronology import CaseFacts, Event
from safecase.cases.investigations.choices import IntervieweeRole, InvestigationStatus
from safecase.cases.investigations.models import EvidenceItem, Interview, InvestigationRevision

_ROLES = dict(IntervieweeRole.choices)


def _interview(case_id: Any, pk: Any, held_at: datetime, role: str, summary: str) -> Event:
    label = str(_ROLES.get(role, role)).lower()
    return Event(case_id, pk, held_at, f"Investigation interview held ({label})", summary)


def _obtained(case_id: Any, pk: Any, obtained_on: date, item: str) -> Event:
    # A date without a time: noon in the installation's zone keeps it on its own day.
    when = timezone.make_aware(datetime.combine(obtained_on, time(12)))
    return Event(case_id, pk, when, f"Evidence obtained: {item}")


def _concluded(case_id: Any, pk: Any, when: datetime) -> Event:
    return Event(case_id, pk, when, "Investigation concluded", "The findings are on the case.")


def interview_event(interview: Interview, *, case_id: Any) -> Event:
    return _interview(case_id, interview.pk, interview.held_at, interview.role, interview.summary)


def evidence_event(item: EvidenceItem, *, case_id: Any) -> Event:
    return _obtained(case_id, item.pk, item.obtained_on, item.item)


def concluded_event(revision: InvestigationRevision, *, case_id: Any) -> Event:
    return _concluded(case_id, revision.pk, revision.created_at)


def investigation_events(cases: dict[Any, CaseFacts]) -> Iterator[Event]:
    """The chronology source (registered in apps.py): every case's investigation events."""
    ids = list(cases)
    for case_id, pk, held_at, role, summary in Interview.objects.filter(
        investigation__case_id__in=ids
    ).values_list("investigation__case_id", "pk", "held_at", "role", "summary"):
        yield _interview(case_id, pk, held_at, role, summary)
    for case_id, pk, obtained_on, item in EvidenceItem.objects.filter(
        investigation__case_id__in=ids
    ).values_list("investigation__case_id", "pk", "obtained_on", "item"):
        yield _obtained(case_id, pk, obtained_on, item)
    # Each time it was concluded (reopened, it may conclude again). A concluded investigation
    # takes no other change, so every revision at "concluded" is a conclusion.
    for row in InvestigationRevision.objects.filter(
        investigation__case_id__in=ids, status=InvestigationStatus.CONCLUDED
    ).values_list("investigation__case_id", "pk", "created_at"):
        yield _concluded(row[0], row[1], row[2])
