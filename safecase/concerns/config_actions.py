"""The lead configures the organisation's safeguarding settings (issue 3): its concern
categories, its triage timings, its words for the four levels of need, and its pattern rules.

Every function here checks concern.configure itself, locks the organisation's settings row (so
two leads' changes never interleave), refuses a stale form (optimistic locking: the version the
form was read at must still be current) and records an audit event with the values before and
after, in the same transaction. Bad input raises DomainError before anything is written.

Shipped defaults are shared by every organisation and never changed here: retiring a shipped
category hides it for this organisation only (CategoryOverride). Nothing is ever deleted: a
category in use stays on the concerns recorded under it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from safecase.access.permissions import Permission
from safecase.access.policy import require
from safecase.accounts.models import Organisation
from safecase.audit import recorder
from safecase.audit.events import AuditAction
from safecase.concerns import patterns, selectors
from safecase.concerns.choices import LevelOfNeed
from safecase.concerns.models import (
    Category,
    CategoryOverride,
    PatternKind,
    PatternRule,
    SafeguardingSettings,
)
from safecase.core.actors import Actor
from safecase.core.errors import Conflict, DomainError, NotPermitted

# Sane bounds. A week is the longest a concern may wait before it counts as overdue (KCSIE
# expects the lead to decide within one working day); escalation at most a week after that.
MAX_OVERDUE_HOURS = 168
MAX_ESCALATE_HOURS = 336
MAX_LEVEL_LABEL = 80
MIN_CATEGORY_LABEL = 2
MAX_CATEGORY_LABEL = 120
MAX_OWN_CATEGORIES = 100
MAX_WINDOW_DAYS = 730
# One concern is not a pattern. A strictly rising level of need on a 1–4 scale can have at most
# four steps.
THRESHOLD_BOUNDS: dict[str, tuple[int, int]] = {
    PatternKind.REPEATED_ABOUT_PERSON: (2, 50),
    PatternKind.RISING_SEVERITY: (2, len(LevelOfNeed.values)),
    PatternKind.SAME_ADULT: (2, 50),
    PatternKind.RECURRING_LOCATION: (2, 50),
}


def _organisation(actor: Actor) -> Organisation:
    require(actor, Permission.CONCERN_CONFIGURE, actor.organisation)
    if actor.organisation is None:
        raise NotPermitted("Choose an organisation to configure.")
    return actor.organisation


def _lock(organisation: Organisation) -> SafeguardingSettings:
    """The organisation's settings row, created at version 0 if it has none, locked until the
    transaction ends: every configuration change of one organisation goes through it."""
    SafeguardingSettings.objects.get_or_create(organisation=organisation)
    return SafeguardingSettings.objects.select_for_update().get(organisation=organisation)


def _check_version(current: int, given: int | None, what: str) -> None:
    if given != current:
        raise Conflict(
            f"Someone else changed the {what} while you were editing (perhaps in another "
            "window), so nothing was saved."
        )


def _text(value: str) -> str:
    return " ".join(str(value).split())


# --- Categories -------------------------------------------------------------------------------


def _categories(actor: Actor) -> list[Category]:
    return list(selectors.categories_for(actor, include_retired=True))


def _is_active_here(category: Category) -> bool:
    return bool(category.is_active and not getattr(category, "hidden_here", False))


def _in_list(actor: Actor, category: Category) -> Category:
    """The category as this organisation sees it (with its place and whether it is hidden);
    another organisation's category is not found."""
    found = next((c for c in _categories(actor) if c.pk == category.pk), None)
    if found is None:
        raise NotPermitted("Not found.")
    return found


def _clean_category_label(actor: Actor, label: str, *, renaming: Category | None = None) -> str:
    label = _text(label)
    if not MIN_CATEGORY_LABEL <= len(label) <= MAX_CATEGORY_LABEL:
        raise DomainError(
            f"Give the category a name of {MIN_CATEGORY_LABEL} to {MAX_CATEGORY_LABEL} characters.",
            field="label",
        )
    for other in _categories(actor):
        if other.label.casefold() == label.casefold() and other != renaming:
            retired = "" if _is_active_here(other) else " It is retired: reinstate it instead."
            raise DomainError(
                f"There is already a category called “{other.label}”.{retired}", field="label"
            )
    return label


def _new_code(organisation: Organisation, label: str) -> str:
    """A code no shipped category and none of the organisation's own has, so a code always
    names one category in the organisation's list. Codes never change once given."""
    base = (slugify(label).replace("-", "_") or "category")[:34]
    taken = set(
        Category.objects.filter(organisation__isnull=True).values_list("code", flat=True)
    ) | set(Category.objects.filter(organisation=organisation).values_list("code", flat=True))
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}_{n}"
    return code


@transaction.atomic(durable=True)
def category_add(*, actor: Actor, label: str, version: int | None) -> Category:
    """Add one of the organisation's own categories, at the end of its list."""
    organisation = _organisation(actor)
    config = _lock(organisation)
    _check_version(config.categories_version, version, "category list")
    clean = _clean_category_label(actor, label)
    listed = _categories(actor)
    if sum(1 for c in listed if c.organisation_id == organisation.pk) >= MAX_OWN_CATEGORIES:
        raise DomainError(
            f"An organisation can add up to {MAX_OWN_CATEGORIES} categories of its own. "
            "Rename or reinstate one you no longer use instead.",
            field="label",
        )
    position = max((int(getattr(c, "place", c.position) or 0) for c in listed), default=-1) + 1
    category = Category.objects.create(
        organisation=organisation,
        code=_new_code(organisation, clean),
        label=clean,
        position=position,
    )
    config.categories_version += 1
    config.save(update_fields=["categories_version", "updated_at"])
    recorder.record(
        actor=actor,
        action=AuditAction.CATEGORY_ADDED,
        subject=category,
        changes={"code": category.code, "label": [None, clean], "position": position},
    )
    return category


@transaction.atomic(durable=True)
def category_rename(
    *, actor: Actor, category: Category, label: str, version: int | None
) -> Category:
    """Rename one of the organisation's own categories. Concerns recorded under it show the new
    name (the audit trail keeps the old one); shipped categories are never renamed."""
    organisation = _organisation(actor)
    if category.organisation_id != organisation.pk:
        if category.organisation_id is None:
            raise DomainError(
                "Shipped categories cannot be renamed: retire it and add your own instead."
            )
        raise NotPermitted("Not found.")
    config = _lock(organisation)
    _check_version(config.categories_version, version, "category list")
    clean = _clean_category_label(actor, label, renaming=category)
    before = Category.objects.get(pk=category.pk).label
    if before == clean:
        return category
    Category.objects.filter(pk=category.pk).update(label=clean)
    category.label = clean
    config.categories_version += 1
    config.save(update_fields=["categories_version", "updated_at"])
    recorder.record(
        actor=actor,
        action=AuditAction.CATEGORY_RENAMED,
        subject=category,
        changes={"code": category.code, "label": [before, clean]},
    )
    return category


@transaction.atomic(durable=True)
def category_set_active(
    *, actor: Actor, category: Category, active: bool, version: int | None
) -> Category:
    """Retire a category (no longer offered when recording) or reinstate it. A shipped category
    is hidden for this organisation only; concerns already recorded under it keep it."""
    organisation = _organisation(actor)
    config = _lock(organisation)
    _check_version(config.categories_version, version, "category list")
    listed = _categories(actor)
    current = next((c for c in listed if c.pk == category.pk), None)
    if current is None:
        raise NotPermitted("Not found.")
    before = _is_active_here(current)
    if before == active:
        return current
    if not active and sum(1 for c in listed if _is_active_here(c)) <= 1:
        raise DomainError("Keep at least one category in use: every concern needs one.")
    shipped = current.organisation_id is None
    if shipped:
        CategoryOverride.objects.update_or_create(
            organisation=organisation, category=current, defaults={"is_hidden": not active}
        )
    else:
        Category.objects.filter(pk=current.pk).update(is_active=active)
    config.categories_version += 1
    config.save(update_fields=["categories_version", "updated_at"])
    recorder.record(
        actor=actor,
        action=AuditAction.CATEGORY_REINSTATED if active else AuditAction.CATEGORY_RETIRED,
        subject=current,
        changes={"code": current.code, "shipped": shipped, "active": [before, active]},
    )
    return current


@transaction.atomic(durable=True)
def category_move(
    *, actor: Actor, category: Category, direction: str, version: int | None
) -> list[Category]:
    """Move a category one place up or down the organisation's list (retired ones included).
    Shipped categories take their place through the organisation's overrides."""
    organisation = _organisation(actor)
    if direction not in ("up", "down"):
        raise DomainError("Choose whether to move the category up or down.")
    config = _lock(organisation)
    _check_version(config.categories_version, version, "category list")
    listed = _categories(actor)
    index = next((i for i, c in enumerate(listed) if c.pk == category.pk), None)
    if index is None:
        raise NotPermitted("Not found.")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(listed):
        return listed
    before = [c.code for c in listed]
    listed[index], listed[other] = listed[other], listed[index]
    for position, item in enumerate(listed):
        if int(getattr(item, "place", item.position)) == position:
            continue
        if item.organisation_id is None:
            CategoryOverride.objects.update_or_create(
                organisation=organisation, category=item, defaults={"position": position}
            )
        else:
            Category.objects.filter(pk=item.pk).update(position=position)
    config.categories_version += 1
    config.save(update_fields=["categories_version", "updated_at"])
    recorder.record(
        actor=actor,
        action=AuditAction.CATEGORY_REORDERED,
        subject=category,
        changes={"order": [before, [c.code for c in listed]]},
    )
    return listed


# --- Triage timings and level-of-need labels ----------------------------------------------------


def validate_timings(overdue_hours: int, escalate_hours: int) -> None:
    if not 1 <= overdue_hours <= MAX_OVERDUE_HOURS:
        raise DomainError(
            f"Enter the hours after which an untriaged concern is overdue: a whole number from "
            f"1 to {MAX_OVERDUE_HOURS} (a week).",
            field="overdue_hours",
        )
    if not overdue_hours <= escalate_hours <= MAX_ESCALATE_HOURS:
        raise DomainError(
            f"Enter the hours after which an untriaged concern is escalated to the deputies: a "
            f"whole number from {overdue_hours} (when it becomes overdue) to "
            f"{MAX_ESCALATE_HOURS}.",
            field="escalate_hours",
        )


@transaction.atomic(durable=True)
def triage_timings_update(
    *, actor: Actor, overdue_hours: int, escalate_hours: int, version: int | None
) -> SafeguardingSettings:
    """Set when an untriaged concern counts as overdue (the queue and the home page) and when it
    is escalated to the deputies (send_reminders), in hours after it was submitted."""
    organisation = _organisation(actor)
    validate_timings(overdue_hours, escalate_hours)
    config = _lock(organisation)
    _check_version(config.version, version, "triage timings")
    changes: dict[str, Any] = {}
    for name, value in (("overdue_hours", overdue_hours), ("escalate_hours", escalate_hours)):
        before = getattr(config, name)
        if before != value:
            changes[name] = [before, value]  # before None: the operator's default applied
            setattr(config, name, value)
    if not changes:
        return config
    config.version += 1
    config.save()
    recorder.record(
        actor=actor, action=AuditAction.TRIAGE_TIMINGS_CHANGED, subject=config, changes=changes
    )
    return config


@transaction.atomic(durable=True)
def level_labels_update(
    *, actor: Actor, labels: dict[int, str], version: int | None
) -> SafeguardingSettings:
    """Give the four levels of need the organisation's own words. The numbers 1–4 stay, so a
    level means the same across agencies; a label equal to the shipped one follows it."""
    organisation = _organisation(actor)
    if set(labels) != set(LevelOfNeed.values):
        raise DomainError("Give a label for each of the four levels.")
    shipped = SafeguardingSettings()
    clean: dict[int, str] = {}
    for level in LevelOfNeed.values:
        text = _text(labels[level])
        if not text:
            raise DomainError(
                f"Give level {level} a label (the shipped one is “"
                f"{shipped.level_description(level)}”).",
                field=f"level_{level}",
            )
        if len(text) > MAX_LEVEL_LABEL:
            raise DomainError(
                f"Keep level {level}'s label to {MAX_LEVEL_LABEL} characters.",
                field=f"level_{level}",
            )
        if any(text.casefold() == other.casefold() for other in clean.values()):
            raise DomainError(
                f"Level {level} has the same label as another level: each needs its own.",
                field=f"level_{level}",
            )
        clean[level] = text
    config = _lock(organisation)
    _check_version(config.version, version, "level-of-need labels")
    changes: dict[str, Any] = {}
    for level, text in clean.items():
        before = config.level_description(level)
        stored = "" if text == shipped.level_description(level) else text
        if getattr(config, f"level_{level}_label") != stored:
            setattr(config, f"level_{level}_label", stored)
            changes[f"level_{level}"] = [before, text]
    if not changes:
        return config
    config.version += 1
    config.save()
    recorder.record(
        actor=actor, action=AuditAction.LEVEL_LABELS_CHANGED, subject=config, changes=changes
    )
    return config


# --- Pattern rules ----------------------------------------------------------------------------


def validate_rule(kind: str, threshold: int, window_days: int) -> None:
    low, high = THRESHOLD_BOUNDS[kind]
    if not low <= threshold <= high:
        raise DomainError(
            f"Enter how many make a pattern: a whole number from {low} to {high}.",
            field="threshold",
        )
    if not 1 <= window_days <= MAX_WINDOW_DAYS:
        raise DomainError(
            f"Enter the number of days to look back: a whole number from 1 to {MAX_WINDOW_DAYS} "
            "(two years).",
            field="window_days",
        )


@transaction.atomic(durable=True)
def pattern_rule_update(
    *,
    actor: Actor,
    kind: str,
    threshold: int,
    window_days: int,
    is_active: bool,
    version: int | None,
) -> PatternRule:
    """Set the organisation's own threshold, look-back window and on/off for one pattern. A
    pattern the organisation has never changed uses the shipped rule (version 0)."""
    organisation = _organisation(actor)
    if kind not in THRESHOLD_BOUNDS:
        raise DomainError("There is no such pattern.")
    validate_rule(kind, threshold, window_days)
    _lock(organisation)
    rule = PatternRule.objects.select_for_update().filter(organisation=organisation, kind=kind)
    existing = rule.first()
    _check_version(existing.version if existing else 0, version, "pattern rule")
    default = next(d for d in patterns.DEFAULT_RULES if d.kind == kind)
    before = {
        "threshold": existing.threshold if existing else default.threshold,
        "window_days": existing.window_days if existing else default.window_days,
        "is_active": existing.is_active if existing else True,
    }
    after = {"threshold": threshold, "window_days": window_days, "is_active": is_active}
    changes: dict[str, Any] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changes:
        return existing or PatternRule(organisation=organisation, kind=kind, version=0, **after)
    if existing is None:
        existing = PatternRule.objects.create(organisation=organisation, kind=kind, **after)
    else:
        for name, value in after.items():
            setattr(existing, name, value)
        existing.version += 1
        existing.save()
    recorder.record(
        actor=actor,
        action=AuditAction.PATTERN_RULE_CHANGED,
        subject=existing,
        changes={"kind": kind, **changes},
    )
    return existing
