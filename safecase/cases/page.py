"""What every page of a case shares: finding the case (or 404), its header (reference, title,
stage, restriction, the current risk) and the tabs to the parts of the case.

"Every stage screen shows the current risk" (issue 4): each part's pages render through
``render_case_page``, so the header, and the risk in it, is the same everywhere. The parts
(risk, referrals, investigation, decision and appeal, allegation, learning, notes, tasks) are
apps of their own under ``safecase/cases/``; a tab shows only for a part whose pages exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch

from safecase.access.lookups import access_object
from safecase.access.models import RecordRestriction
from safecase.access.permissions import Permission
from safecase.cases import selectors
from safecase.cases.choices import Workflow
from safecase.cases.models import Case
from safecase.cases.risk.selectors import current_risk  # the header's current risk (ADR 0012)
from safecase.core.actors import Actor
from safecase.core.urls import url_for

# (key, tab label, URL name); the allegation tab only on an allegation's case.
PARTS: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", "cases:detail"),
    ("risk", "Risk", "cases:case_risk:index"),
    ("referrals", "Referrals", "cases:case_referrals:index"),
    ("allegation", "Allegation", "cases:case_allegations:index"),
    ("investigation", "Investigation", "cases:case_investigations:index"),
    ("decision", "Decision and appeal", "cases:case_decisions:index"),
    ("learning", "Learning", "cases:case_learning:index"),
    ("notes", "Notes and supervision", "cases:case_notes:index"),
    ("tasks", "Tasks", "cases:case_tasks:index"),
)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str
    is_current: bool


@dataclass
class CaseHeader:
    case: Case
    is_restricted: bool
    tabs: list[Tab]
    # The current risk assessment's latest version, once the risk part records one.
    risk: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def case_or_404(
    request: HttpRequest, case_id: Any, perm: Permission, *, own: bool = False, **kwargs: Any
) -> Case:
    """The case, or 404 (missing, another organisation's, restricted to others: one answer).
    ``own``: only the owning organisation's (pages that change a case; a partner with a share
    reads and changes nothing)."""
    actor = request.actor  # type: ignore[attr-defined]
    cases = selectors.cases_visible_to(actor)
    if own:
        cases = cases.filter(organisation_id=actor.organisation_id)
    return access_object(
        actor, cases.select_related("case_type", "organisation"), case_id, perm, **kwargs
    )


def is_restricted(case: Case) -> bool:
    content_type = ContentType.objects.get_for_model(Case)
    return RecordRestriction.objects.filter(
        content_type=content_type, object_id=case.pk.hex
    ).exists()


def _tabs(case: Case, current: str) -> list[Tab]:
    tabs = []
    for key, label, name in PARTS:
        if key == "allegation" and case.case_type.workflow != Workflow.ALLEGATION:
            continue
        try:
            url = url_for(name, case.pk)
        except NoReverseMatch:
            continue  # a part whose pages are not built yet
        tabs.append(Tab(key, label, url, key == current))
    return tabs


def case_header(actor: Actor, case: Case, *, current: str) -> CaseHeader:
    """The header of every case page, in a fixed number of queries (the current risk: one)."""
    return CaseHeader(
        case=case,
        is_restricted=is_restricted(case),
        tabs=_tabs(case, current),
        risk=current_risk(case),
    )


def render_case_page(
    request: HttpRequest,
    case: Case,
    template: str,
    context: dict[str, Any],
    *,
    part: str,
    status: int = 200,
) -> HttpResponse:
    """Render one of the case's pages with its header and tabs (``part`` marks the tab)."""
    actor = request.actor  # type: ignore[attr-defined]
    header = case_header(actor, case, current=part)
    return render(request, template, {"case": case, "header": header, **context}, status=status)
