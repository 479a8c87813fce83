"""A synthetic MASH in bulk: one partnership, its hub, 50 agencies and 100,000 referrals.

``load_hub()`` makes **benchmark data, not records**, in the way ``scale.load_county()`` does
(read its docstring): rows go in through ``bulk.insert_objects`` in batches, each batch in its
own transaction, with ``created_at``/``updated_at`` set explicitly; **no audit events**, no
domain events, no notifications, no tasks, no shares. Foreign keys, constraints and indexes
stay as the application runs them.

What it makes (all invented; the same seed gives the same hub):

- a partnership ("Northshire Safeguarding Partnership") of the hub organisation (children's
  services, hosting the MASH with the default calendar and RAG timescales, one settings
  version) and ``agencies`` agency organisations of every kind (schools, police, health,
  children's social care, probation, housing, others), each a ``HubAgency``;
- staff: in the hub, hub practitioners and a manager; in each agency a lead (refers), a
  practitioner (answers) and an approver (releases). Two of them can sign in, with the demo
  password (``is_demo``, like the county's benchmark lead): ``BENCH_HUB_EMAIL``, a hub
  practitioner, and ``BENCH_AGENCY_EMAIL``, the first police agency's practitioner. Every
  other user has an unusable password;
- ``people`` children in the referring schools (the referrals' subjects);
- ``referrals`` referrals received over ``YEARS`` years: 70% from members, the rest by phone
  or e-mail; rated red ~10%, amber ~35%, green ~45%, blue ~10% (a few re-rated, every rating
  a ``RatingChange``); every rated referral asked 3 to 8 agencies, the due time from the hub's
  own clock (``clock.due_for``); most requests answered (some held first, some late, the late
  waiting ones escalated, a few released ones shared with the referral's other parties), the
  open ones of decided referrals withdrawn; all decided except
  the last weeks' (a few thousand open, the newest not rated yet);
- one **benchmark referral** (``BENCH_REFERRAL_SUBJECT``), open and red, re-rated several
  times, with a request to up to 30 agencies in every state, for the referral page.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from safecase.access.roles import Role
from safecase.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationType,
    Partnership,
    PartnershipMember,
    User,
)
from safecase.core import statistics
from safecase.demo.bulk import insert_objects
from safecase.demo.personas import DEMO_DOMAIN, DEMO_PASSWORD
from safecase.demo.scale import (
    FAMILY_CUM,
    FAMILY_NAMES,
    GIVEN,
    _loading_connection,
    allocate,
    stage_timer,
)
from safecase.partnerships import clock
from safecase.partnerships.choices import (
    PRIORITY,
    AgencyKind,
    Decision,
    Rating,
    ReferralStatus,
    RequestStatus,
    Source,
)
from safecase.partnerships.models import (
    HubAgency,
    HubReferral,
    HubSettings,
    HubSettingsVersion,
    InformationRequest,
    RatingChange,
)
from safecase.partnerships.settings_actions import _values as settings_values
from safecase.people.models import Person, PersonKind

BENCH_HUB_EMAIL = f"bench.hub@{DEMO_DOMAIN}"
BENCH_AGENCY_EMAIL = f"bench.agency@{DEMO_DOMAIN}"
BENCH_REFERRAL_SUBJECT = "Benchmark Child (hub referral page)"
BENCH_REFERRAL_REQUESTS = 30
BATCH = 5_000
YEARS = 2
HUB_STAFF = 12
SHARED = 0.04  # released sections the hub shows to the referral's other parties
SHARED_REASON = "The school needs the police information to plan the child's safety at school."

# fmt: off
# (kind, organisation type, name, share of the agencies, share of member referrals made)
AGENCY_MIX = (
    (AgencyKind.EDUCATION, OrganisationType.SCHOOL, "School", 0.40, 0.55),
    (AgencyKind.POLICE, OrganisationType.POLICE, "Police", 0.10, 0.20),
    (AgencyKind.HEALTH, OrganisationType.HEALTH, "Health", 0.16, 0.15),
    (AgencyKind.CHILDRENS_SOCIAL_CARE, OrganisationType.CHILDRENS_SERVICES,
     "Children's Social Care", 0.08, 0.03),
    (AgencyKind.PROBATION, OrganisationType.OTHER, "Probation", 0.06, 0.02),
    (AgencyKind.HOUSING, OrganisationType.OTHER, "Housing", 0.10, 0.02),
    (AgencyKind.OTHER, OrganisationType.CHARITY, "Youth Service", 0.10, 0.03),
)
# How likely the hub is to ask an agency of each kind (relative).
ASK_WEIGHT = {
    AgencyKind.POLICE: 10, AgencyKind.HEALTH: 9, AgencyKind.EDUCATION: 7,
    AgencyKind.CHILDRENS_SOCIAL_CARE: 6, AgencyKind.PROBATION: 2, AgencyKind.HOUSING: 3,
    AgencyKind.OTHER: 2,
}
RATING_MIX = {Rating.RED: 10, Rating.AMBER: 35, Rating.GREEN: 45, Rating.BLUE: 10}
# Minutes from receipt to the first rating (mean), and from the rating to the requests.
RATE_AFTER = {Rating.RED: 25, Rating.AMBER: 90, Rating.GREEN: 240, Rating.BLUE: 300}
ASK_AFTER = {Rating.RED: 10, Rating.AMBER: 40, Rating.GREEN: 120, Rating.BLUE: 180}
DECISIONS = {
    Rating.RED: ((Decision.STRATEGY_DISCUSSION, 70), (Decision.CHILD_IN_NEED, 25),
                 (Decision.EARLY_HELP, 5)),
    Rating.AMBER: ((Decision.CHILD_IN_NEED, 45), (Decision.EARLY_HELP, 35),
                   (Decision.STRATEGY_DISCUSSION, 10), (Decision.OTHER_SERVICE, 10)),
    Rating.GREEN: ((Decision.EARLY_HELP, 50), (Decision.NO_FURTHER_ACTION, 30),
                   (Decision.OTHER_SERVICE, 20)),
    Rating.BLUE: ((Decision.NO_FURTHER_ACTION, 70), (Decision.OTHER_SERVICE, 30)),
}
RATIONALES = {
    Decision.STRATEGY_DISCUSSION: "Risk of significant harm: strategy discussion today with "
    "police, health and the school.",
    Decision.CHILD_IN_NEED: "Needs are unmet and the family agrees: child in need assessment.",
    Decision.EARLY_HELP: "Emerging needs, family engaged: early help through the school.",
    Decision.NO_FURTHER_ACTION: "Agencies' information explains the concern; no further action.",
    Decision.OTHER_SERVICE: "Needs are best met by the family support service; referred there.",
}
RATING_WHY = {
    Rating.RED: "Injury disclosed and an unknown adult in the household: immediate risk.",
    Rating.AMBER: "Repeated neglect indicators and missed appointments: risk of harm.",
    Rating.GREEN: "Single concern, family known to be engaging: no immediate risk.",
    Rating.BLUE: "Information only: no additional need identified.",
}
SUMMARIES = (
    "{name} arrived at school with bruising on both forearms and said an adult at home grabbed "
    "them.",
    "{name} has missed eleven days this term; the family did not answer calls or a home visit.",
    "{name}'s mother called: her new partner shouts at {name} and she is frightened of him.",
    "Police attended a domestic incident at {name}'s address overnight; {name} was present.",
    "{name} disclosed to the school nurse that they are self-harming and do not feel safe.",
    "A neighbour reports {name} is often left alone in the evenings with a younger sibling.",
    "{name} was found with an older adult they met online, far from home, late at night.",
)
QUESTIONS = (
    "What do you know of the child, the parents and the adults in the household?",
    "Any call-outs, cautions or open investigations at the address?",
    "Attendance, presentation and any concerns recorded this year?",
    "Any health appointments missed, injuries seen or conditions we should know about?",
)
ANSWERS = (
    "Known to us: two call-outs to the address this year (verbal argument, no offences). "
    "No markers on the child.",
    "Not known to us.",
    "Attendance 84% this year; presentation often unkempt; two concerns recorded by the DSL.",
    "Missed the last two health visitor appointments; growth on the 9th centile; no injuries.",
    "The mother's partner has a caution for assault (2019). No open investigations.",
)
# fmt: on


@dataclass
class HubSummary:
    """What was loaded, how long each stage took, and where the benchmark's targets are."""

    organisations: int = 0
    users: int = 0
    people: int = 0
    referrals: int = 0
    open_referrals: int = 0
    unrated: int = 0
    ratings: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    requests_late: int = 0
    rating_changes: int = 0
    hub_id: Any = None
    hub_organisation_id: Any = None
    bench_hub_user_id: Any = None
    bench_agency_user_id: Any = None
    bench_referral_id: Any = None
    bench_referral_requests: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Agency:
    row: HubAgency
    org: Organisation
    kind: str
    lead: User
    practitioner: User
    approver: User
    children: list[tuple[uuid.UUID, str]] = field(default_factory=list)


class _HubLoader:
    def __init__(self, *, seed: int, batch: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
        self.batch = batch
        self.now = timezone.now()
        self.start = self.now - timedelta(days=365 * YEARS)
        self.summary = HubSummary()
        self.buffers: dict[Any, list[models.Model]] = {}
        self.users: list[User] = []
        self.memberships: list[Membership] = []
        self.roles: list[MembershipRole] = []
        self.unusable = make_password(None)
        self.hub_staff: list[User] = []
        self.agencies: list[_Agency] = []
        self.hub: HubSettings | None = None
        self.kind_weights: dict[str, float] = {}
        self.ask_cum: list[float] = []

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def name(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN[0]) + rng.choice(GIVEN[1])
        return f"{given} {rng.choices(FAMILY_NAMES, cum_weights=FAMILY_CUM)[0]}"

    def add(self, obj: models.Model) -> None:
        self.buffers.setdefault(type(obj), []).append(obj)

    def flush(self, *, force: bool = False) -> None:
        if not force and len(self.buffers.get(HubReferral, ())) < self.batch:
            return
        with transaction.atomic():
            for model in (Person, HubReferral, RatingChange, InformationRequest):
                rows = self.buffers.pop(model, [])
                if rows:
                    insert_objects(model, rows)

    # --- organisations, staff, hub -------------------------------------------------------------

    def organisation(self, name: str, org_type: str, made: datetime) -> Organisation:
        return Organisation(
            id=self.uid(), name=name, org_type=org_type, created_at=made, updated_at=made
        )

    def user(
        self, org: Organisation, email: str, role: str, *, bench: bool = False, name: str = ""
    ) -> User:
        joined = org.created_at + timedelta(days=self.rng.randrange(60))
        user = User(
            id=self.uid(),
            email=email,
            full_name=name or self.name(),
            password=make_password(DEMO_PASSWORD) if bench else self.unusable,
            is_demo=bench,
            date_joined=joined,
        )
        membership = Membership(
            id=self.uid(), user=user, organisation=org, created_at=joined, updated_at=joined
        )
        self.users.append(user)
        self.memberships.append(membership)
        self.roles.append(MembershipRole(membership=membership, role=role))
        return user

    def setup(self, agencies: int) -> None:
        rng = self.rng
        made = self.start - timedelta(days=120)
        hub_org = self.organisation(
            "Northshire Children's Services (MASH)", OrganisationType.CHILDRENS_SERVICES, made
        )
        kinds = allocate(agencies, [share for *_, share, _ in AGENCY_MIX])
        orgs: list[tuple[Organisation, str]] = []
        for (kind, org_type, label, _, _), count in zip(AGENCY_MIX, kinds, strict=True):
            for number in range(1, count + 1):
                org = self.organisation(f"Northshire {label} {number:02d}", org_type, made)
                orgs.append((org, kind))
        insert_objects(Organisation, [hub_org, *(o for o, _ in orgs)])
        partnership = Partnership(
            id=self.uid(),
            name="Northshire Safeguarding Partnership",
            purpose="Multi-agency safeguarding hub: sharing what each agency knows about a child "
            "referred, to decide the right response quickly.",
            lawful_basis="UK GDPR Art. 6(1)(e) and Art. 9(2)(g); Children Act 1989 s17 and s47",
            agreement_reference="NSP-ISA-2024",
            starts_on=made.date(),
            created_at=made,
            updated_at=made,
        )
        insert_objects(Partnership, [partnership])
        insert_objects(
            PartnershipMember,
            [
                PartnershipMember(
                    id=self.uid(),
                    partnership=partnership,
                    organisation=org,
                    joined_on=made.date(),
                    created_at=made,
                    updated_at=made,
                )
                for org in [hub_org, *(o for o, _ in orgs)]
            ],
        )
        hub = HubSettings(
            id=self.uid(),
            organisation=hub_org,
            partnership=partnership,
            created_at=made,
            updated_at=made,
        )
        insert_objects(HubSettings, [hub])
        insert_objects(
            HubSettingsVersion,
            [
                HubSettingsVersion(
                    id=self.uid(),
                    organisation=hub_org,
                    hub=hub,
                    version=1,
                    values=settings_values(hub),
                    reason="The partnership's MASH (synthetic benchmark data).",
                    created_at=made,
                    updated_at=made,
                )
            ],
        )
        self.hub = hub
        self.summary.hub_id = hub.pk
        self.summary.hub_organisation_id = hub_org.pk
        bench_hub = self.user(
            hub_org, BENCH_HUB_EMAIL, Role.HUB_PRACTITIONER, bench=True, name="Hal Bench-Hub"
        )
        self.summary.bench_hub_user_id = bench_hub.pk
        self.hub_staff = [bench_hub]
        for k in range(1, HUB_STAFF):
            self.hub_staff.append(
                self.user(hub_org, f"hub{k:02d}@{DEMO_DOMAIN}", Role.HUB_PRACTITIONER)
            )
        self.user(hub_org, f"hub.manager@{DEMO_DOMAIN}", Role.HUB_MANAGER)
        rows = []
        for number, (org, kind) in enumerate(orgs, start=1):
            bench = kind == AgencyKind.POLICE and self.summary.bench_agency_user_id is None
            practitioner = self.user(
                org,
                BENCH_AGENCY_EMAIL if bench else f"agency{number:02d}@{DEMO_DOMAIN}",
                Role.AGENCY_PRACTITIONER,
                bench=bench,
                name="Aggie Bench-Agency" if bench else "",
            )
            if bench:
                self.summary.bench_agency_user_id = practitioner.pk
            row = HubAgency(
                id=self.uid(),
                organisation=hub_org,
                hub=hub,
                agency_organisation=org,
                kind=kind,
                created_at=made,
                updated_at=made,
            )
            rows.append(row)
            self.agencies.append(
                _Agency(
                    row=row,
                    org=org,
                    kind=kind,
                    lead=self.user(org, f"lead{number:02d}@{DEMO_DOMAIN}", Role.LEAD),
                    practitioner=practitioner,
                    approver=self.user(
                        org, f"approver{number:02d}@{DEMO_DOMAIN}", Role.AGENCY_APPROVER
                    ),
                )
            )
        insert_objects(HubAgency, rows)
        with transaction.atomic():
            User.objects.bulk_create(self.users, batch_size=self.batch)
            insert_objects(Membership, self.memberships)
            MembershipRole.objects.bulk_create(self.roles, batch_size=self.batch)
        self.summary.organisations = 1 + len(orgs)
        self.summary.users = len(self.users)
        self.kind_weights = {kind: share for kind, *_, share in AGENCY_MIX}
        total = 0.0
        for agency in self.agencies:
            total += ASK_WEIGHT[agency.kind] * rng.uniform(0.6, 1.4)
            self.ask_cum.append(total)

    def people(self, count: int) -> None:
        """Children of the schools (every referring agency when there is no school)."""
        rng = self.rng
        schools = [a for a in self.agencies if a.kind == AgencyKind.EDUCATION] or self.agencies
        for i in range(count):
            agency = schools[i % len(schools)]
            name = self.name()
            given, family = name.split(" ", 1)
            made = self.start - timedelta(days=rng.randrange(365))
            person = Person(
                id=self.uid(),
                organisation=agency.org,
                kind=PersonKind.CHILD,
                given_names=given,
                family_name=family,
                date_of_birth=date(2008, 1, 1) + timedelta(days=rng.randrange(365 * 13)),
                gender=rng.choice(("female", "male", "female", "male", "not_known")),
                created_by=agency.lead,
                created_at=made,
                updated_at=made,
            )
            self.add(person)
            agency.children.append((person.pk, name))
            if len(self.buffers[Person]) >= self.batch:
                self.flush(force=True)
        self.summary.people = count
        self.flush(force=True)

    # --- referrals -----------------------------------------------------------------------------

    def referrer(self) -> _Agency:
        kind = self.rng.choices(list(self.kind_weights), list(self.kind_weights.values()))[0]
        same = [a for a in self.agencies if a.kind == kind] or self.agencies
        return self.rng.choice(same)

    def referrals(self, total: int) -> None:
        rng = self.rng
        span = (self.now - self.start).total_seconds()
        # Received times in order, so the last weeks' open ones are the newest.
        moments = sorted(rng.random() for _ in range(total))
        for fraction in moments:
            received = self.start + timedelta(seconds=span * fraction)
            self.referral(received)
            self.flush()
        self.flush(force=True)

    def referral(self, received: datetime, *, bench: bool = False) -> HubReferral:
        rng = self.rng
        assert self.hub is not None
        age = self.now - received
        roll = rng.random()
        source = Source.MEMBER if roll < 0.7 else Source.PHONE if roll < 0.9 else Source.EMAIL
        referrer = self.referrer() if source == Source.MEMBER else None
        if referrer is not None and referrer.children:
            _, subject = rng.choice(referrer.children)
        else:
            subject = self.name()
        if bench:
            subject = BENCH_REFERRAL_SUBJECT
        if age < timedelta(days=3):
            is_open = True
        elif age < timedelta(days=30):
            is_open = rng.random() < 0.6
        else:
            is_open = rng.random() < 0.005
        rated = not is_open or age > timedelta(hours=20) or rng.random() < 0.5
        rating = rng.choices(list(RATING_MIX), list(RATING_MIX.values()))[0] if rated else ""
        if bench:
            is_open, rated, rating = True, True, Rating.RED
        creator = referrer.lead if referrer is not None else rng.choice(self.hub_staff)
        referral = HubReferral(
            id=self.uid(),
            organisation_id=self.hub.organisation_id,
            hub=self.hub,
            referring_organisation=referrer.org if referrer is not None else None,
            source=source,
            caller="" if referrer else f"{self.name()} ({rng.choice(('parent', 'neighbour'))})",
            subject_name=subject,
            summary=rng.choice(SUMMARIES).format(name=subject.split()[0]),
            received_at=received,
            created_by=creator,
            rating=rating,
            priority=PRIORITY[rating],
            status=ReferralStatus.OPEN if is_open else ReferralStatus.DECIDED,
            created_at=received,
            updated_at=received,
            version=1,
        )
        last = received
        if rated:
            last = self.rate(referral, rating, bench=bench)
            last = self.ask(referral, last, bench=bench)
        if is_open:
            self.summary.open_referrals += 1
            self.summary.unrated += not rated
        else:
            decided = min(self.now, last + timedelta(hours=rng.expovariate(1 / 6)))
            decisions = DECISIONS[Rating(rating)]
            decision = rng.choices([d for d, _ in decisions], [w for _, w in decisions])[0]
            referral.decision = decision
            referral.decision_rationale = RATIONALES[decision]
            referral.decided_at = referral.updated_at = decided
            referral.decided_by = rng.choice(self.hub_staff)
            referral.version += 1
        if rating:
            self.summary.ratings[str(rating)] = self.summary.ratings.get(str(rating), 0) + 1
        self.summary.referrals += 1
        self.add(referral)
        return referral

    def rate(self, referral: HubReferral, rating: str, *, bench: bool) -> datetime:
        """The rating history: one rating, sometimes a first one changed (several for the
        benchmark referral). Returns when the referral was last rated."""
        rng = self.rng
        when = referral.received_at + timedelta(minutes=5 + rng.expovariate(1 / RATE_AFTER[rating]))
        when = min(when, self.now - timedelta(minutes=1))
        steps = [rating]
        if bench:
            steps = [Rating.GREEN, Rating.AMBER, Rating.GREEN, Rating.AMBER, Rating.RED]
        elif rng.random() < 0.12:
            steps = [rng.choice([r for r in RATING_MIX if r != rating]), rating]
        previous = ""
        for k, step in enumerate(steps):
            at = when + timedelta(minutes=45 * k)
            self.add(
                RatingChange(
                    id=self.uid(),
                    organisation_id=referral.organisation_id,
                    referral_id=referral.pk,
                    from_rating=previous,
                    to_rating=step,
                    rationale=RATING_WHY[Rating(step)],
                    changed_by=rng.choice(self.hub_staff),
                    created_at=at,
                    updated_at=at,
                )
            )
            previous = step
            referral.version += 1
        self.summary.rating_changes += len(steps)
        referral.rated_at = min(self.now, when + timedelta(minutes=45 * (len(steps) - 1)))
        referral.updated_at = referral.rated_at
        assert self.hub is not None
        referral.work_at_once = rating == Rating.RED and clock.out_of_hours(
            self.hub, referral.rated_at
        )
        return referral.rated_at

    def pick_agencies(self, count: int, *, bench: bool = False) -> list[_Agency]:
        chosen: dict[uuid.UUID, _Agency] = {}
        if bench:  # the benchmark agency user's own agency is asked about the bench referral
            first = next(a for a in self.agencies if a.practitioner.email == BENCH_AGENCY_EMAIL)
            chosen[first.org.pk] = first
        count = min(count, len(self.agencies))
        while len(chosen) < count:
            agency = self.rng.choices(self.agencies, cum_weights=self.ask_cum)[0]
            chosen.setdefault(agency.org.pk, agency)
        return list(chosen.values())

    def ask(self, referral: HubReferral, rated: datetime, *, bench: bool) -> datetime:
        """Requests to 3 to 8 agencies, sent together (as request_send does), with the due time
        from the hub's clock, answered or not. Returns the last answer's time."""
        rng = self.rng
        assert self.hub is not None
        rating = referral.rating
        sent = min(self.now, rated + timedelta(minutes=1 + rng.expovariate(1 / ASK_AFTER[rating])))
        due = clock.due_for(self.hub, rating, sent)
        count = BENCH_REFERRAL_REQUESTS if bench else rng.randint(3, 8)
        question = rng.choice(QUESTIONS)
        asker = rng.choice(self.hub_staff)
        # How long answers take: most inside the timescale, ~15% after it.
        allowed = (due - sent) if due is not None else timedelta(hours=72)
        last = sent
        decided = referral.status == ReferralStatus.DECIDED
        agencies = self.pick_agencies(count, bench=bench)
        for index, agency in enumerate(agencies):
            late = rng.random() < 0.15
            took = allowed * (rng.uniform(1.05, 2.5) if late else rng.uniform(0.05, 0.95))
            answered = sent + took
            held = rng.random() < 0.3
            released = answered + timedelta(minutes=rng.randrange(10, 180) if held else 0)
            request = InformationRequest(
                id=self.uid(),
                organisation_id=referral.organisation_id,
                referral_id=referral.pk,
                agency=agency.row,
                agency_organisation=agency.org,
                question=question,
                requested_at=sent,
                requested_by=asker,
                due_at=due,
                created_at=sent,
                updated_at=sent,
            )
            if bench:
                state = ("released", "released", "held", "open")[index % 4]
            elif decided:
                state = "released" if rng.random() < 0.92 else "withdrawn"
            elif released <= self.now:
                state = "released"
            elif answered <= self.now:
                state = "held"
            else:
                state = "open"
            if state in ("released", "held"):
                request.answer = rng.choice(ANSWERS)
                request.answered_at = min(answered, self.now)
                request.answered_by = agency.practitioner
                request.status = RequestStatus.HELD
                request.version = 2
                request.updated_at = request.answered_at
            if state == "released":
                request.status = RequestStatus.RELEASED
                request.released_at = min(released, self.now)
                request.released_by = agency.approver if held else agency.practitioner
                request.version = 3 if held else 2
                request.updated_at = request.released_at
                last = max(last, request.released_at)
                if (bench and index == 0) or rng.random() < SHARED:
                    # The hub showed it to the referral's other agencies and the referrer.
                    shared = request.released_at + timedelta(minutes=rng.randrange(5, 60))
                    shared = min(shared, self.now) if bench else shared
                    if shared <= self.now:
                        request.shared_at = request.updated_at = shared
                        request.shared_reason = SHARED_REASON
                        request.version += 1
            elif state == "withdrawn":
                request.status = RequestStatus.WITHDRAWN
                request.version = 2
            done = request.released_at or self.now
            if due is not None and done > due and state != "withdrawn":
                self.summary.requests_late += 1
                # The sweep escalated it once, minutes after its due time, while it waited.
                escalated = due + timedelta(minutes=rng.randrange(1, 15))
                request.escalated_at = escalated if escalated <= self.now else None
            self.add(request)
        self.summary.requests += len(agencies)
        return last


def load_hub(
    *,
    agencies: int = 50,
    referrals: int = 100_000,
    people: int | None = None,
    seed: int = 7,
    batch: int = BATCH,
    analyze: bool = True,
    progress: Callable[[str], None] | None = None,
) -> HubSummary:
    """Load a synthetic hub in bulk: benchmark data, not records (no audit events; see the
    module docstring). ``people`` defaults to a fifth of ``referrals``. Refuses a database that
    already holds one. Ends with ANALYZE (``analyze``)."""
    if agencies < 1 or referrals < 0:
        raise ValueError("Give at least one agency.")
    if User.objects.filter(email=BENCH_HUB_EMAIL).exists():
        raise ValueError(f"A hub is already loaded here ({BENCH_HUB_EMAIL} exists).")
    loader = _HubLoader(seed=seed, batch=batch)
    summary = loader.summary
    lap = stage_timer(summary.seconds, progress or (lambda message: None))
    with _loading_connection():
        loader.setup(agencies)
        lap("partnership, hub, agencies and staff")
        loader.people(max(50, referrals // 5) if people is None else people)
        lap("people")
        loader.referrals(referrals)
        # The benchmark referral: received this morning, worked since.
        bench = loader.referral(loader.now - timedelta(hours=6), bench=True)
        loader.flush(force=True)
        summary.bench_referral_id = bench.pk
        summary.bench_referral_requests = min(BENCH_REFERRAL_REQUESTS, agencies)
        lap("referrals, ratings and requests")
    if analyze:
        statistics.analyze()
        lap("analyze")
    summary.seconds["total"] = round(sum(summary.seconds.values()), 2)
    return summary
