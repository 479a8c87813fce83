"""What the parts of a case (risk, referrals, investigation, decision...) contribute to the
pages and records that belong to no one part, through registries filled in each part's
``AppConfig.ready``, so that adding a part touches no other part's code.

- ``register_section``: the part's content of the case as plain data (headings, dates,
  text). The decision's frozen snapshot (what the decision makers could see) and the case
  bundle PDF are both made of these sections, so the two always agree on what a case holds.
- ``register_stage_check``: a part's condition on a stage move, called by
  ``case_advance_stage`` inside its transaction before the move is written (closure needs the
  supervisor's approval where the gate is on; leaving the decision stage needs a decision).
  A check refuses by raising DomainError with a message that says what to do first.
- ``register_home_panel``: a panel on the home page (overdue reviews, tasks due...), shown to
  whoever holds its permission, its numbers counted from the reader's own access scoping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.core.actors import Actor


class Entry(TypedDict):
    """One item of a section: JSON-serialisable, so a snapshot stores it as it was."""

    heading: str
    when: str  # ISO 8601 date or date-time, or "" where the item has none
    body: str  # plain text; several lines allowed


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    order: int  # the place in the snapshot and bundle: lower first
    # The case's entries of this part, oldest first; ``case`` is a cases.Case.
    read: Callable[[Any], list[Entry]]


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    perm: Permission
    order: int
    # The panel's template context for the reader; counts only what the reader may see.
    context: Callable[[Actor], dict[str, Any]]


# (actor, case, from_stage, to_stage) -> None, or raises DomainError.
StageCheck = Callable[[Actor, Any, str, str], None]

_SECTIONS: dict[str, Section] = {}
_STAGE_CHECKS: dict[str, StageCheck] = {}
_PANELS: dict[str, HomePanel] = {}


def register_section(section: Section) -> Section:
    _SECTIONS[section.key] = section
    return section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def case_sections(case: Any) -> list[dict[str, Any]]:
    """Every part's content of the case: [{"key", "title", "entries"}], in section order;
    a part with nothing on this case is left out."""
    out = []
    for section in sections():
        entries = section.read(case)
        if entries:
            out.append({"key": section.key, "title": section.title, "entries": entries})
    return out


def register_stage_check(key: str, check: StageCheck) -> StageCheck:
    _STAGE_CHECKS[key] = check
    return check


def check_stage_move(actor: Actor, case: Any, from_stage: str, to_stage: str) -> None:
    for key in sorted(_STAGE_CHECKS):
        _STAGE_CHECKS[key](actor, case, from_stage, to_stage)


def register_home_panel(panel: HomePanel) -> HomePanel:
    _PANELS[panel.key] = panel
    return panel


def home_panels(actor: Actor) -> list[dict[str, Any]]:
    """The panels this reader holds the permission for: [{"template", "data"}]."""
    return [
        {"template": panel.template, "data": panel.context(actor)}
        for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key))
        if can(actor, panel.perm)
    ]
