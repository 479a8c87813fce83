"""Cases for the synthetic county (``scale.load_county``): benchmark data, not records, made
in bulk beside the concerns, as the triage decisions call for them.

A triage that decides "open a case" opens one (child protection at level 4, child in need at
level 3); "add to an existing case" adds the concern to the child's open case (or opens one);
about a third of early-help decisions open an early-help case. With the county's shape that is
about one case for every five concerns (~200,000 for a million). Each case has the child as
its subject, the organisation's lead as its lead (a deputy as case worker on some), its
concerns, and stage moves along its workflow spaced over the following weeks; most cases older
than four months are closed. Like the rest of the county: no audit events, explicit times, and
the chronology lines written afterwards by the rebuild. The benchmark child (500 concerns) is
left out, so its chronology stays the size the benchmark names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from safecase.cases.choices import CaseStatus, Stage, SubjectRole, TeamRole, Workflow
from safecase.cases.models import (
    Case,
    CaseConcern,
    CaseSequence,
    CaseSubject,
    CaseTeamMember,
    CaseType,
    StageChange,
)
from safecase.concerns.choices import TriageDecision as D
from safecase.concerns.models import Concern

if TYPE_CHECKING:
    from safecase.demo.scale import _Loader, _Org, _Someone

EARLY_HELP_CASES = 0.35
CLOSED_AFTER = timedelta(days=120)
# The path each workflow's cases take, as far as they have gone.
PATHS = {
    Workflow.SHORT: (Stage.REPORTING, Stage.EXTERNAL_REFERRAL, Stage.CLOSED),
    Workflow.STANDARD: (
        Stage.REPORTING,
        Stage.EXTERNAL_REFERRAL,
        Stage.INTERNAL_INVESTIGATION,
        Stage.DECISION,
        Stage.LEARNING,
        Stage.CLOSED,
    ),
}
REASONS = {
    Stage.REPORTING: "Threshold met at triage: the concerns together need a case.",
    Stage.EXTERNAL_REFERRAL: "Referred to children's social care through the front door.",
    Stage.INTERNAL_INVESTIGATION: "Strategy discussion held; our own enquiry agreed.",
    Stage.DECISION: "Enquiries complete; the outcome is for the decision makers.",
    Stage.LEARNING: "Outcome recorded; a short review of what we learnt.",
    Stage.CLOSED: "Plan in place and working; no further role for us.",
}
CASE_MODELS = (Case, CaseSubject, CaseConcern, CaseTeamMember, StageChange)


@dataclass
class _Open:
    pk: Any
    organisation_id: Any


class CaseMaker:
    """Opens the county's cases from its triage decisions, into the loader's buffers."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.types = {
            t.code: (t.pk, t.workflow, t.label)
            for t in CaseType.objects.filter(organisation__isnull=True)
        }
        self.open_by_child: dict[Any, _Open] = {}
        self.numbers: dict[Any, int] = {}
        self.cases = self.case_concerns = self.stage_changes = 0

    def after_triage(
        self, org: _Org, concern: Concern, someone: _Someone, decision: str, level: int
    ) -> None:
        rng = self.loader.rng
        if someone.pk == self.loader.summary.chronology_person_id:
            return
        when = concern.triaged_at
        assert when is not None
        if decision == D.ADD_TO_CASE and someone.pk in self.open_by_child:
            self._link(self.open_by_child[someone.pk], concern, when, "Part of the same picture.")
        elif decision in (D.OPEN_CASE, D.ADD_TO_CASE):
            self._open(org, concern, someone, "child_protection" if level == 4 else "child_in_need")
        elif decision == D.EARLY_HELP and rng.random() < EARLY_HELP_CASES:
            self._open(org, concern, someone, "early_help")

    def _open(self, org: _Org, concern: Concern, someone: _Someone, code: str) -> None:
        loader, rng = self.loader, self.loader.rng
        type_id, workflow, label = self.types[code]
        opened = concern.triaged_at
        assert opened is not None
        number = self.numbers.get(org.row.pk, 0) + 1
        self.numbers[org.row.pk] = number
        lead = org.leads[0]
        case = Case(
            id=loader.uid(),
            organisation_id=org.row.pk,
            reference=f"C-{number:05d}",
            title=f"{someone.name}: {label.lower()}",
            case_type_id=type_id,
            stage=Stage.REPORTING,
            status=CaseStatus.OPEN,
            opened_by=lead,
            opened_at=opened,
            version=1,
            created_at=opened,
            updated_at=opened,
        )
        loader.add(case)
        self.cases += 1
        self._subject(case, someone, opened)
        self._allocate(case, lead, TeamRole.LEAD, opened, "Opened the case.")
        if org.deputies and rng.random() < 0.4:
            self._allocate(case, org.deputies[0], TeamRole.CASE_WORKER, opened, "Allocated.")
        self._link(_Open(case.pk, org.row.pk), concern, opened, "Opened from this concern.")
        self._stages(case, workflow, lead)
        if case.status == CaseStatus.OPEN:
            self.open_by_child[someone.pk] = _Open(case.pk, org.row.pk)
        else:
            self.open_by_child.pop(someone.pk, None)

    def _subject(self, case: Case, someone: _Someone, when: datetime) -> None:
        self.loader.add(
            CaseSubject(
                id=self.loader.uid(),
                organisation_id=case.organisation_id,
                case_id=case.pk,
                person_id=someone.pk,
                role=SubjectRole.SUBJECT,
                added_by=case.opened_by,
                created_at=when,
                updated_at=when,
            )
        )

    def _allocate(self, case: Case, user: Any, role: str, when: datetime, why: str) -> None:
        self.loader.add(
            CaseTeamMember(
                id=self.loader.uid(),
                organisation_id=case.organisation_id,
                case_id=case.pk,
                user=user,
                role=role,
                allocated_at=when,
                allocated_by=case.opened_by,
                reason=why,
                created_at=when,
                updated_at=when,
            )
        )

    def _link(self, case: _Open, concern: Concern, when: datetime, why: str) -> None:
        self.loader.add(
            CaseConcern(
                id=self.loader.uid(),
                organisation_id=case.organisation_id,
                case_id=case.pk,
                concern_id=concern.pk,
                added_by_id=concern.recorded_by_id,
                reason=why,
                created_at=when,
                updated_at=when,
            )
        )
        self.case_concerns += 1

    def _stages(self, case: Case, workflow: str, by: Any) -> None:
        """The opening, then moves along the path spaced days apart, while they are past;
        an old case has mostly reached its end."""
        loader, rng = self.loader, self.loader.rng
        path = PATHS.get(workflow, PATHS[Workflow.STANDARD])
        old = loader.now - case.opened_at > CLOSED_AFTER
        reach = len(path) - 1 if old and rng.random() < 0.85 else rng.randrange(len(path) - 1)
        when, previous = case.opened_at, ""
        for stage in path[: reach + 1]:
            if previous:
                when = when + timedelta(days=rng.randrange(2, 30), hours=rng.randrange(8))
                if when >= loader.now:
                    break
            loader.add(
                StageChange(
                    id=loader.uid(),
                    organisation_id=case.organisation_id,
                    case_id=case.pk,
                    from_stage=previous,
                    to_stage=stage,
                    changed_by=by,
                    reason=REASONS[stage],
                    created_at=when,
                    updated_at=when,
                )
            )
            self.stage_changes += 1
            case.stage, case.updated_at, previous = stage, when, stage
            case.version += 1 if stage != Stage.REPORTING else 0
        if case.stage == Stage.CLOSED:
            case.status, case.closed_at = CaseStatus.CLOSED, case.updated_at

    def finish(self) -> Any:
        """Write each organisation's last case number; the benchmark's case is the first
        organisation's case with the most concerns."""
        CaseSequence.objects.bulk_create(
            [CaseSequence(organisation_id=k, last_number=n) for k, n in self.numbers.items()],
            batch_size=self.loader.batch,
        )
        bench = self.loader.summary.bench_organisation_id
        top = (
            CaseConcern.objects.filter(organisation_id=bench)
            .values("case_id")
            .annotate(n=Count("*"))
            .order_by("-n", "case_id")
            .first()
        )
        return top["case_id"] if top else None
