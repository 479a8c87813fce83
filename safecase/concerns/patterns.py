"""Pattern alerts (P4): connecting concerns that are each small into a picture.

Inquiries keep finding low-level concerns never connected. After each submission (and each
link of a name to a person record, and each triage) the organisation's rules are evaluated for
the people, adults and places in that concern; a match opens (or extends) an alert listing the
concerns behind it. Matching is by person record where the team has linked one, and otherwise by
the normalised name as written, so a pattern shows even before anyone links records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from django.db.models import Q, QuerySet
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
