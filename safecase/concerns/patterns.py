"""Pattern alerts (P4): connecting concerns that are each small into a picture.

Inquiries keep finding low-level concerns never connected. After each submission (and each
link of a name to a person record, and each triage) the organisation's rules are evaluated for
the people, adults and places in that concern; a match opens (or extends) an alert listing the
concerns behind it. Matching is by person record where the team has linked one, and otherwise by
the normalised name as written, so a pattern shows even before anyone links records.

The alert keeps the summary written when it was raised, counted from every concern behind it
(for the audit trail). A reader is shown ``summary_for`` instead: the same sentence counted from
the concerns they may see, so that it never tells of a restricted concern, or of a low-level
concern about an adult, that they may not open.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from safecase.concerns.choices import ConcernStatus, PersonRole
from safecase.concerns.models import (
    Concern,
    ConcernPerson,
    PatternAlert,
    PatternKind,
    PatternRule,
    Triage,
)
from safecase.concerns.tasks import notify_leads_of_pattern_alert


@dataclass(frozen=True)
class RuleSetting:
    kind: str
    threshold: int
    window_days: int


DEFAULT_RULES: tuple[RuleSetting, ...] = (
    RuleSetting(PatternKind.REPEATED_ABOUT_PERSON, 3, 30),
    RuleSetting(PatternKind.RISING_SEVERITY, 3, 180),
    RuleSetting(PatternKind.SAME_ADULT, 2, 90),
    RuleSetting(PatternKind.RECURRING_LOCATION, 3, 30),
)


def normalise(text: str) -> str:
    return " ".join(text.lower().replace(".", " ").split())[:200]


def rules_for(organisation_id: object) -> list[RuleSetting]:
    own = {
        r.kind: RuleSetting(r.kind, r.threshold, r.window_days)
        for r in PatternRule.objects.filter(organisation_id=organisation_id)
    }
    inactive = set(
        PatternRule.objects.filter(organisation_id=organisation_id, is_active=False).values_list(
            "kind", flat=True
        )
    )
    return [own.get(d.kind, d) for d in DEFAULT_RULES if d.kind not in inactive]


def _recent(organisation_id: object, days: int) -> QuerySet[Concern]:
    since = timezone.now() - timedelta(days=days)
    return Concern.objects.filter(
        organisation_id=organisation_id,
        status=ConcernStatus.SUBMITTED,
        submitted_at__gte=since,
    )


@dataclass(frozen=True)
class Found:
    alert: PatternAlert
    is_new: bool


def _open_alert(
    organisation_id: object, kind: str, key: str, summary: str, concerns: list[Concern]
) -> Found:
    """Open an alert for this pattern, or add to the one still waiting for review."""
    alert = PatternAlert.objects.filter(
        organisation_id=organisation_id, kind=kind, key=key, reviewed_at__isnull=True
    ).first()
    is_new = alert is None
    if alert is None:
        alert = PatternAlert.objects.create(
            organisation_id=organisation_id, kind=kind, key=key, summary=summary[:300]
        )
    else:
        PatternAlert.objects.filter(pk=alert.pk).update(summary=summary[:300])
    alert.concerns.add(*concerns)
    if is_new:
        notify_leads_of_pattern_alert(alert)
    return Found(alert, is_new)


def _subject_matches(subject: ConcernPerson) -> Q:
    if subject.person_id:
        return Q(people__person_id=subject.person_id)
    return Q(people__name_as_recorded__iexact=subject.name_as_recorded)


def evaluate(concern: Concern) -> list[Found]:
    """Check the organisation's rules for everything this concern touches."""
    alerts: list[Found] = []
    org = concern.organisation_id
    rules = {r.kind: r for r in rules_for(org)}
    subjects = list(concern.people.exclude(role=PersonRole.ALLEGED))
    alleged = list(concern.people.filter(role=PersonRole.ALLEGED))

    rule = rules.get(PatternKind.REPEATED_ABOUT_PERSON)
    if rule:
        for subject in subjects:
            found = list(
                _recent(org, rule.window_days).filter(_subject_matches(subject)).distinct()
            )
            if len(found) >= rule.threshold:
                # Keyed by the name as written, so linking the record later extends the same
                # alert rather than opening a second one.
                key = f"person:{normalise(subject.name_as_recorded)}"
                alerts.append(
                    _open_alert(
                        org,
                        rule.kind,
                        key,
                        f"{len(found)} concerns about {subject.name_as_recorded} in "
                        f"{rule.window_days} days",
                        found,
                    )
                )

    rule = rules.get(PatternKind.RISING_SEVERITY)
    if rule:
        for subject in subjects:
            if not subject.person_id:
                continue
            since = timezone.now() - timedelta(days=rule.window_days)
            triages = list(
                Triage.objects.filter(
                    concern__people__person_id=subject.person_id, created_at__gte=since
                )
                .select_related("concern")
                .order_by("created_at")
                .distinct()
            )
            levels = [t.level_of_need for t in triages][-rule.threshold :]
            rising = len(levels) >= rule.threshold and all(a < b for a, b in pairwise(levels))
            if rising:
                alerts.append(
                    _open_alert(
                        org,
                        rule.kind,
                        f"severity:{subject.person_id}",
                        f"Level of need rising for {subject.name_as_recorded}: "
                        + " → ".join(str(level) for level in levels),
                        [t.concern for t in triages[-rule.threshold :]],
                    )
                )

    rule = rules.get(PatternKind.SAME_ADULT)
    if rule:
        for adult in alleged:
            name = normalise(adult.name_as_recorded)
            found = list(
                _recent(org, rule.window_days)
                .filter(
                    people__role=PersonRole.ALLEGED,
                    people__name_as_recorded__iexact=adult.name_as_recorded,
                )
                .distinct()
            )
            children = {
                p.person_id or normalise(p.name_as_recorded)
                for c in found
                for p in c.people.all()
                if p.role != PersonRole.ALLEGED
            }
            if len(children) >= rule.threshold:
                alerts.append(
                    _open_alert(
                        org,
                        rule.kind,
                        f"adult:{name}",
                        f"{adult.name_as_recorded} is named in concerns about {len(children)} "
                        "children",
                        found,
                    )
                )

    rule = rules.get(PatternKind.RECURRING_LOCATION)
    if rule and concern.location.strip():
        found = list(
            _recent(org, rule.window_days).filter(location__iexact=concern.location.strip())
        )
        if len(found) >= rule.threshold:
            alerts.append(
                _open_alert(
                    org,
                    rule.kind,
                    f"place:{normalise(concern.location)}",
                    f"{len(found)} concerns at “{concern.location.strip()}” "
                    f"in {rule.window_days} days",
                    found,
                )
            )
    return alerts


# --- What a reader is told -------------------------------------------------------------------

_WINDOW = re.compile(r" in (\d+) days$")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _window_days(alert: PatternAlert) -> int:
    """The rule's window when the alert was raised (its stored summary ends with it); the
    default rule's when that summary was cut short."""
    found = _WINDOW.search(alert.summary)
    if found:
        return int(found[1])
    return next((r.window_days for r in DEFAULT_RULES if r.kind == alert.kind), 30)


def _name_in(
    concerns: Sequence[Concern], *, alleged: bool, key: str = "", person_id: str = ""
) -> str | None:
    """How the person the alert is about was written in the newest of ``concerns`` that names
    them: by the normalised name in the alert's key, or by their person record."""
    for concern in reversed(concerns):
        for p in concern.people.all():
            if (p.role == PersonRole.ALLEGED) != alleged:
                continue
            if (key and normalise(p.name_as_recorded) == key) or (
                person_id and str(p.person_id) == person_id
            ):
                return p.name_as_recorded
    return None


# What summary_for() reads of each concern behind an alert, by the alert's kind: a place is
# worded from the concerns alone, a person from their people, a rising level from decisions too.
_SUMMARY_READS: dict[str, tuple[str, ...]] = {
    PatternKind.REPEATED_ABOUT_PERSON: ("people",),
    PatternKind.RISING_SEVERITY: ("people", "triages"),
    PatternKind.SAME_ADULT: ("people",),
    PatternKind.RECURRING_LOCATION: (),
}


def prefetch_for_summaries(alerts: Sequence[PatternAlert]) -> None:
    """Prefetch, for a list of alerts with their ``visible_concerns``, what summary_for() will
    read of those concerns and nothing else: one query per relation some alert needs (a queue
    whose alerts are all about people skips the decisions' query)."""
    for relation in ("people", "triages"):
        concerns = [
            c
            for alert in alerts
            if relation in _SUMMARY_READS.get(alert.kind, ())
            for c in alert.visible_concerns  # type: ignore[attr-defined]
        ]
        if concerns:
            prefetch_related_objects(concerns, relation)


def summary_for(alert: PatternAlert, visible_concerns: Sequence[Concern]) -> str:
    """The alert's summary counted and worded from ``visible_concerns`` alone: the concerns
    behind it that the reader may see (``visible_concerns`` of selectors.open_alerts and the
    API's list), oldest first. Nothing in it comes from a concern the reader may not open.

    Reads each concern's ``people`` (and, for a rising level of need, its ``triages``):
    prefetch them when summarising a list."""
    concerns = list(visible_concerns)
    _, _, about = alert.key.partition(":")
    if alert.kind == PatternKind.REPEATED_ABOUT_PERSON:
        name = _name_in(concerns, key=about, alleged=False) or "one person"
        return (
            f"{_plural(len(concerns), 'concern', 'concerns')} about {name} "
            f"in {_window_days(alert)} days"
        )
    if alert.kind == PatternKind.RISING_SEVERITY:
        name = _name_in(concerns, alleged=False, person_id=about) or "one person"
        # The newest decision on each concern, in the order they were made.
        latest = [max(ts, key=lambda t: t.created_at) for c in concerns if (ts := c.triages.all())]
        levels = [t.level_of_need for t in sorted(latest, key=lambda t: t.created_at)]
        rising = len(levels) > 1 and all(a < b for a, b in pairwise(levels))
        shown = " → ".join(str(level) for level in levels)
        return f"Level of need {'rising ' if rising else ''}for {name}" + (
            f": {shown}" if shown else ""
        )
    if alert.kind == PatternKind.SAME_ADULT:
        name = _name_in(concerns, key=about, alleged=True) or "The same adult"
        children = {
            p.person_id or normalise(p.name_as_recorded)
            for c in concerns
            for p in c.people.all()
            if p.role != PersonRole.ALLEGED
        }
        named_in = "a concern" if len(concerns) == 1 else "concerns"
        return f"{name} is named in {named_in} about {_plural(len(children), 'child', 'children')}"
    if alert.kind == PatternKind.RECURRING_LOCATION:
        places = [c.location.strip() for c in reversed(concerns) if c.location.strip()]
        place = next((p for p in places if normalise(p) == about), places[0] if places else "")
        at = f" at “{place}”" if place else " at one place"
        return f"{_plural(len(concerns), 'concern', 'concerns')}{at} in {_window_days(alert)} days"
    return _plural(len(concerns), "concern", "concerns")
