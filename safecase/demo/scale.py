"""A synthetic county in bulk: organisations, staff, people, concerns, triage and actions.

``load_county()`` makes **benchmark data, not records**. It writes rows in batches of 5,000
(``bulk.insert_objects``: one INSERT run for many rows), each batch in its own transaction,
so a million concerns load in minutes. It does not go through the actions, so:

- **no audit events are written** for anything it makes (organisations, users, people, concerns,
  triages, actions, alerts). The audit trail of these organisations starts empty and
  ``audit_verify`` still passes; what users do afterwards (signing in, viewing a person) is
  audited as usual;
- no background tasks are queued (pattern evaluation, urgent notifications) and no search index
  entries are written (run the search reindex command afterwards where search is installed);
- ``created_at``/``updated_at`` are set explicitly to plausible past times: ``auto_now`` and
  ``auto_now_add`` are suspended on the loaded models while the loader runs, and restored after
  (``_explicit_timestamps``). Nothing else is turned off: foreign keys, constraints, indexes and
  SQLite's durability settings stay as the application runs them.

Names are invented from a few syllables; the same seed gives the same county. The user
``bench.lead@demo.safecase.invalid`` (demo password, ``is_demo``) leads the first organisation,
"Northshire School 001", which holds one child with exactly 500 concerns (fewer in a small
county: ``chronology_concerns``) for the chronology benchmark. Every other user has an unusable
password. Shape: concerns per child follow a Zipf curve (most children have one or two, a few
have hundreds); ~5% of concerns wait in their organisation's queue (all of the last two days,
many of the last four weeks, a few older ones); the rest are triaged, some decisions not to refer
with a second triage at their review, and ~3% have an action.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from safecase.access.roles import Role
from safecase.accounts.models import Membership, MembershipRole, Organisation, User
from safecase.cases import chronology as case_chronology
from safecase.concerns import chronology
from safecase.concerns.choices import NOT_REFERRED, ActionStatus, ConcernKind, ConcernStatus
from safecase.concerns.choices import PersonRole as Involved
from safecase.concerns.choices import TriageDecision as D
from safecase.concerns.models import (
    Category,
    Concern,
    ConcernAction,
    ConcernPerson,
    PatternAlert,
    PatternKind,
    Triage,
)
from safecase.concerns.patterns import normalise
from safecase.core import statistics
from safecase.demo.bulk import insert_objects
from safecase.demo.personas import DEMO_DOMAIN, DEMO_PASSWORD
from safecase.demo.scale_cases import CASE_MODELS, CaseMaker
from safecase.people.models import ChronologyItem, Person, PersonKind

BENCH_LEAD_EMAIL = f"bench.lead@{DEMO_DOMAIN}"
CHRONOLOGY_CONCERNS = 500
# The benchmark school needs 4 × 500 concerns about children (1% are about adults).
BENCH_MIN_CONCERNS = 2_100
BATCH = 5_000
YEARS = 3
UNTRIAGED_OLD = 0.04  # concerns older than four weeks still waiting; with the recent ones ~5%
SECOND_TRIAGE = 0.15  # old decisions not to refer whose review has its own triage row
ACTION_SHARE = 0.03

# --- The county's vocabulary (all invented) ---------------------------------------------------
# fmt: off
COUNTY = "Northshire"
# (type, name, share of organisations, relative size)
ORG_TYPES = (
    ("school", "School", 0.62, 1.0),
    ("sport", "Club", 0.30, 0.35),
    ("childrens_services", "Children's Services", 0.03, 3.0),
    ("police", "Police", 0.02, 2.0),
    ("health", "Health", 0.03, 1.5),
)
GIVEN = (
    ("Al", "Bri", "Ca", "Da", "El", "Fi", "Ga", "Ha", "Is", "Jo", "Ka", "Li", "Ma", "Ni"),
    ("den", "ra", "lie", "ron", "na", "mi", "lo", "ris", "ty", "van", "la", "nor"),
)
FAMILY = (
    ("Ash", "Bram", "Cor", "Dun", "Elm", "Fen", "Gor", "Hal", "Ket", "Lang", "Mor", "Pen"),
    ("ford", "ley", "ton", "wick", "by", "field", "more", "well", "shaw", "croft"),
)
FAMILY_NAMES = [a + b for a in FAMILY[0] for b in FAMILY[1]]  # "Ashford" is the most common
# Zipf-Mandelbrot: the commonest name is ~2.5% of people (Smith is ~1.3% in England).
FAMILY_CUM = list(accumulate(1 / (k + 20) for k in range(len(FAMILY_NAMES))))
GENDERS = {"female": 48, "male": 48, "other": 1, "not_known": 3}
FLAGS = {"send": 40, "eal": 25, "young_carer": 10, "child_in_need": 10, "looked_after": 8,
         "cp_plan": 7}
# How often each default category is chosen; a category added later gets 1.
CATEGORY_WEIGHTS = {
    "emotional": 12, "neglect": 12, "mental_health": 12, "bullying": 10, "online": 8,
    "physical": 8, "child_on_child": 7, "self_harm": 6, "domestic_abuse": 6, "missing": 4,
    "other": 4, "sexual": 3, "young_carer": 3, "cce": 2, "cse": 2, "substance_misuse": 2,
    "radicalisation": 0.5, "honour_based": 0.3, "modern_slavery": 0.3, "fgm": 0.2,
}
PLACES = {
    "school": ("Playground", "Classroom", "Dining hall", "Main entrance", "Toilets", "Corridor",
               "School bus", "Changing rooms", "Library", "Online, out of school"),
    "sport": ("Changing rooms", "Pitch", "Clubhouse", "Car park", "Away match", "Minibus",
              "Team group chat"),
    "other": ("Home visit", "Office", "Clinic", "Street", "Family home", "Phone call"),
}
RECORDER_ROLES = {
    "school": ("Form tutor", "Teaching assistant", "Head of year", "Midday supervisor"),
    "sport": ("Coach", "Welfare officer", "Volunteer"),
    "other": ("Social worker", "Police officer", "School nurse", "Health visitor"),
}
HOURS = (7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15, 16, 17, 18, 20, 22)
FACTS = (
    "{name} arrived at {place} without a coat and said they had not eaten since lunch yesterday.",
    "I saw a bruise about 3 cm across on {name}'s left forearm at {place}; it was purple and oval.",
    "{name} was crying at {place} and said an older pupil had taken their phone and posted photos.",
    "{name} fell asleep twice at {place} and said they were up late looking after their mum.",
    "At {place}, {name} told me someone at home shouts at them and they do not want to go home.",
    "{name} had cuts on their wrist which they covered with a sleeve when I came into {place}.",
    "{name} was collected late from {place} for the third time this month by an unknown adult.",
    "{name} showed me messages from an adult they met online asking to meet them alone.",
    "{name} has been absent for five days with no contact; the family did not answer calls.",
    "I overheard {name} at {place} saying they had been given money to carry a parcel.",
)
OWN_WORDS = ("There wasn't any food.", "He said I'd get in trouble if I told.",
             "I don't want to go home tonight.", "Mum was poorly again so I made tea.",
             "They keep messaging me at night.", "It was an accident, I fell.",
             "Please don't tell my dad.")
OPINIONS = ("This seems out of character.", "I think this may be part of a pattern.",
            "They seemed frightened.", "I am worried about the adult who collected them.")
IMMEDIATE = ("Reassured them and told the safeguarding lead straight away.",
             "Gave them breakfast from the breakfast club.",
             "Kept them with me until the lead arrived.")
RAG = {1: "green", 2: "green", 3: "amber", 4: "red"}
DECISIONS = {
    1: (D.NO_FURTHER_ACTION, D.MONITOR),
    2: (D.MONITOR, D.EARLY_HELP),
    3: (D.EARLY_HELP, D.REFER_EXTERNALLY, D.OPEN_CASE),
    4: (D.REFER_EXTERNALLY, D.OPEN_CASE, D.ADD_TO_CASE),
}
RISKS = ("Low immediate risk.", "Some risk; needs watching.", "Significant risk of harm.",
         "Risk of significant harm now.")
RATIONALES: dict[str, str] = {
    D.NO_FURTHER_ACTION: "Explained by the family and consistent with what we know; no concerns.",
    D.MONITOR: "Single low-level indicator; monitor and speak with the family this week.",
    D.EARLY_HELP: "Needs are emerging and the family agrees to support; early help assessment.",
    D.REFER_EXTERNALLY: "Threshold for children's social care met; referred to the front door.",
    D.OPEN_CASE: "Several concerns together show a pattern; a case brings the work together.",
    D.ADD_TO_CASE: "Part of the open case's picture; added there for the case worker.",
}
THRESHOLDS = ("Level 3 (child in need) not met on this alone.",
              "Level 2 met; level 3 considered and not met.")
ACTIONS = ("Phone the parent about breakfast club", "Speak with the form tutor",
           "Check attendance for the last month", "Ask the school nurse to see them",
           "Follow up with the club welfare officer")
# Models whose created_at/updated_at the loader sets itself.
TIMESTAMPED: tuple[type[models.Model], ...] = (
    Organisation, Membership, Person, Concern, ConcernPerson, Triage, ConcernAction, PatternAlert,
    *CASE_MODELS,
)
# fmt: on


@dataclass
class CountySummary:
    """What was loaded, how long each stage took, and where the benchmark's targets are."""

    organisations: int = 0
    users: int = 0
    people: int = 0
    concerns: int = 0
    untriaged: int = 0
    concern_people: int = 0
    category_links: int = 0
    triages: int = 0
    actions: int = 0
    alerts: int = 0
    cases: int = 0
    case_concerns: int = 0
    stage_changes: int = 0
    bench_case_id: Any = None
    bench_lead_id: Any = None
    bench_organisation_id: Any = None
    chronology_person_id: Any = None
    chronology_concerns: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def chronology_concerns(child_concerns: int) -> int:
    """The benchmark child's concerns: 500, or a quarter of the organisation's concerns about
    children when it has fewer than 2,000 (so a small county stays plausible)."""
    return max(1, min(CHRONOLOGY_CONCERNS, child_concerns // 4))


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` into whole numbers that add up exactly."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    for i in sorted(range(len(weights)), key=lambda i: counts[i] - shares[i])[
        : total - sum(counts)
    ]:
        counts[i] += 1
    return counts


def zipf_counts(total: int, n: int) -> list[int]:
    """``total`` over ``n`` people, the k-th most concerned getting about 1/k of the first."""
    return allocate(total, [1 / (k + 1) for k in range(n)])


@contextmanager
def _explicit_timestamps() -> Iterator[None]:
    """Let bulk_create keep the created_at/updated_at given (auto_now would replace them)."""
    fields = [
        f
        for model in TIMESTAMPED
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


@contextmanager
def _loading_connection() -> Iterator[None]:
    """SQLite: a 256 MB page cache for this connection while loading (random UUID keys touch
    pages all over each index), restored afterwards. PostgreSQL needs nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


@contextmanager
def _line_indexes_built_after() -> Iterator[None]:
    """Write the chronology lines of a freshly loaded county with their table's indexes
    dropped, and build the indexes afterwards from the finished table. Each index leads with a
    random UUID (person, source, case), so inserting millions of lines into live indexes
    touches pages all over them once they outgrow the cache; building each from the full table
    is one sort. Every index comes back."""
    # The statements only, run here: a schema editor cannot be entered inside a transaction
    # on SQLite (the tests load counties inside theirs), but these statements can.
    editor = connection.schema_editor(collect_sql=True)
    editor.deferred_sql = []  # what entering it would have set; nothing is deferred here
    # The unique (person, source) key stays: SQLite keeps it inside the table's definition,
    # and it is what skips a line written twice.
    keys = list(ChronologyItem._meta.indexes)
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute(str(key.remove_sql(ChronologyItem, editor)))
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and connection.in_atomic_block:
                # PostgreSQL builds no index on a table with deferred foreign-key checks still
                # pending in the transaction: run them now (they pass or the load fails here).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for key in keys:
                cursor.execute(str(key.create_sql(ChronologyItem, editor)))


@dataclass(frozen=True)
class _Someone:
    pk: uuid.UUID
    name: str
    details: str


@dataclass
class _Org:
    row: Organisation
    weight: float
    leads: list[User] = field(default_factory=list)
    deputies: list[User] = field(default_factory=list)
    reporters: list[User] = field(default_factory=list)
    children: list[_Someone] = field(default_factory=list)
    adults: list[_Someone] = field(default_factory=list)


class _Loader:
    def __init__(self, *, seed: int, batch: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
        self.batch = batch
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.start = self.now - timedelta(days=365 * YEARS)
        self.summary = CountySummary()
        self.buffers: dict[Any, list[models.Model]] = {}
        self.category_ids: list[int] = []
        self.category_cum: list[float] = []
        self.through: Any = Concern.categories.through
        self.cases: CaseMaker | None = None
        self.last_decision = ""

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def category(self) -> int:
        return self.rng.choices(self.category_ids, cum_weights=self.category_cum)[0]

    def name(self) -> tuple[str, str]:
        rng = self.rng
        given = rng.choice(GIVEN[0]) + rng.choice(GIVEN[1])
        return given, rng.choices(FAMILY_NAMES, cum_weights=FAMILY_CUM)[0]

    def add(self, obj: models.Model) -> None:
        self.buffers.setdefault(type(obj), []).append(obj)

    def flush(self, *, force: bool = False) -> None:
        """Write what is buffered, parents first, in one transaction."""
        if not force and len(self.buffers.get(Concern, ())) < self.batch:
            return
        with transaction.atomic():
            model: Any
            for model in (
                Person,
                Concern,
                self.through,
                ConcernPerson,
                Triage,
                ConcernAction,
                *CASE_MODELS,
            ):
                rows = self.buffers.pop(model, [])
                if rows:
                    insert_objects(model, rows)

    # --- organisations, staff and people -------------------------------------------------------

    def organisations(self, n: int) -> list[_Org]:
        orgs: list[_Org] = []
        kinds = allocate(n, [share for _, _, share, _ in ORG_TYPES])
        for (org_type, label, _, size), count in zip(ORG_TYPES, kinds, strict=True):
            for number in range(1, count + 1):
                made = self.start - timedelta(days=self.rng.randrange(30, 400))
                row = Organisation(
                    id=self.uid(),
                    name=f"{COUNTY} {label} {number:03d}",
                    org_type=org_type,
                    created_at=made,
                    updated_at=made,
                )
                # The first is the benchmark's school: a large secondary.
                weight = 2.0 if not orgs else size * self.rng.lognormvariate(0, 0.5)
                orgs.append(_Org(row, weight))
        Organisation.objects.bulk_create([o.row for o in orgs], batch_size=self.batch)
        self.summary.organisations = len(orgs)
        self.summary.bench_organisation_id = orgs[0].row.pk
        return orgs

    def staff(self, orgs: list[_Org]) -> None:
        """A lead, a deputy and three to five reporters in each organisation."""
        users: list[User] = []
        memberships: list[Membership] = []
        roles: list[MembershipRole] = []
        unusable = make_password(None)  # "!" + random: no password matches it
        for number, org in enumerate(orgs, start=1):
            plan = [("lead", Role.LEAD, org.leads), ("deputy", Role.DEPUTY_LEAD, org.deputies)]
            plan += [(f"reporter{k}", Role.REPORTER, org.reporters) for k in range(3 + number % 3)]
            for local, role, into in plan:
                bench = number == 1 and role == Role.LEAD
                joined = org.row.created_at + timedelta(days=self.rng.randrange(60))
                user = User(
                    id=self.uid(),
                    email=BENCH_LEAD_EMAIL if bench else f"{local}.{number:03d}@{DEMO_DOMAIN}",
                    full_name="Bea Bench-Lead" if bench else " ".join(self.name()),
                    password=make_password(DEMO_PASSWORD) if bench else unusable,
                    is_demo=bench,
                    date_joined=joined,
                )
                membership = Membership(
                    id=self.uid(),
                    user=user,
                    organisation=org.row,
                    created_at=joined,
                    updated_at=joined,
                )
                users.append(user)
                memberships.append(membership)
                roles.append(MembershipRole(membership=membership, role=role))
                into.append(user)
                if bench:
                    self.summary.bench_lead_id = user.pk
        with transaction.atomic():
            User.objects.bulk_create(users, batch_size=self.batch)
            Membership.objects.bulk_create(memberships, batch_size=self.batch)
            MembershipRole.objects.bulk_create(roles, batch_size=self.batch)
        self.summary.users = len(users)

    def people(self, org: _Org, count: int) -> None:
        """The organisation's children, and a few adults who are the subject of a concern."""
        rng = self.rng
        adults = count // 50
        for i in range(count):
            adult = i >= count - adults
            given, family = self.name()
            if adult:
                born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 40))
            else:
                born = date(2008, 1, 1) + timedelta(days=rng.randrange(365 * 13 + 3))
            made = self.start - timedelta(days=rng.randrange(365))
            person = Person(
                id=self.uid(),
                organisation=org.row,
                kind=PersonKind.ADULT_CONCERNED if adult else PersonKind.CHILD,
                given_names=given,
                family_name=family,
                date_of_birth=born,
                gender=rng.choices(list(GENDERS), list(GENDERS.values()))[0],
                flags=[] if adult else self.flags(),
                created_by=org.leads[0],
                created_at=made,
                updated_at=made,
            )
            self.add(person)
            someone = _Someone(person.pk, f"{given} {family}", self.details(org, born, adult))
            (org.adults if adult else org.children).append(someone)
        self.summary.people += count

    def flags(self) -> list[str]:
        roll = self.rng.random()
        if roll < 0.8:
            return []
        picked = self.rng.choices(list(FLAGS), list(FLAGS.values()), k=1 if roll < 0.95 else 2)
        return sorted(set(picked))

    def details(self, org: _Org, born: date, adult: bool) -> str:
        age = self.today.year - born.year
        if adult:
            return self.rng.choice(("Coach", "Volunteer", "Teaching assistant", "Caretaker"))
        if org.row.org_type == "school":
            return f"Year {min(13, max(1, age - 5))}"
        if org.row.org_type == "sport":
            return f"U{age + 1}s"
        return f"Born {born:%d/%m/%Y}"

    # --- concerns ------------------------------------------------------------------------------

    def concerns(self, org: _Org, total: int, *, anchor: bool) -> None:
        low_level = round(total * 0.01) if org.adults else 0
        about_children = total - low_level
        if anchor and len(org.children) > 1:
            first = chronology_concerns(about_children)
            counts = [first, *zipf_counts(about_children - first, len(org.children) - 1)]
            self.summary.chronology_person_id = org.children[0].pk
            self.summary.chronology_concerns = first
        else:
            counts = zipf_counts(about_children, len(org.children))
        subjects = [(c, True) for c, n in zip(org.children, counts, strict=True) for _ in range(n)]
        subjects += [(org.adults[i % len(org.adults)], False) for i in range(low_level)]
        usual = {c.pk: self.category() for c in org.children}
        top = org.children[0].pk
        top_recent: list[tuple[datetime, uuid.UUID]] = []
        for someone, is_child in subjects:
            concern = self.concern(org, someone, is_child)
            picked = {self.category()}
            if is_child and self.rng.random() < 0.5:
                picked.add(usual[someone.pk])  # a child's concerns tend to be alike
            if self.rng.random() < 0.2:
                picked.add(self.category())
            for category_id in sorted(picked):
                self.add(self.through(concern_id=concern.pk, category_id=category_id))
            self.summary.category_links += len(picked)
            if someone.pk == top:
                top_recent.append((concern.submitted_at, concern.pk))  # type: ignore[arg-type]
            self.flush()
        self.summary.concerns += total
        if len(top_recent) >= 3:
            self.alert(org, org.children[0], sorted(top_recent)[-3:])

    def concern(self, org: _Org, someone: _Someone, is_child: bool) -> Concern:
        rng = self.rng
        kind = org.row.org_type if org.row.org_type in PLACES else "other"
        day = self.start + timedelta(days=rng.random() * 365 * YEARS)
        happened = day.replace(hour=rng.choice(HOURS), minute=rng.randrange(60), second=0)
        happened = min(happened, self.now - timedelta(minutes=30))
        submitted = min(self.now, happened + timedelta(minutes=5 + rng.expovariate(1 / 180)))
        age = self.now - submitted
        if age < timedelta(days=2):
            waiting = True
        elif age < timedelta(days=28):
            waiting = rng.random() < 0.4
        else:
            waiting = rng.random() < UNTRIAGED_OLD
        place = rng.choice(PLACES[kind])
        concern = Concern(
            id=self.uid(),
            organisation=org.row,
            kind=ConcernKind.CHILD if is_child else ConcernKind.LOW_LEVEL_ADULT,
            status=ConcernStatus.SUBMITTED,
            recorded_by=rng.choice(org.reporters + org.deputies),
            recorder_role=rng.choice(RECORDER_ROLES[kind]),
            is_urgent=rng.random() < 0.04,
            happened_at=happened,
            happened_at_approximate=rng.random() < 0.1,
            location=place,
            fact=rng.choice(FACTS).format(name=someone.name.split()[0], place=place.lower()),
            own_words=rng.choice(OWN_WORDS) if rng.random() < 0.45 else "",
            opinion=rng.choice(OPINIONS) if rng.random() < 0.3 else "",
            immediate_actions=rng.choice(IMMEDIATE) if rng.random() < 0.6 else "",
            submitted_at=submitted,
            is_significant=rng.random() < 0.03,
            version=2,
            created_at=submitted - timedelta(minutes=rng.randrange(2, 40)),
            updated_at=submitted,
        )
        if waiting:
            self.summary.untriaged += 1
            if age > timedelta(hours=24):
                concern.escalated_at = submitted + timedelta(hours=24)
        # The team links the name to the record at triage; half the waiting ones are linked.
        linked = (
            not waiting or rng.random() < 0.5 or someone.pk == self.summary.chronology_person_id
        )
        self.person_named(concern, someone.name, someone.details, someone.pk if linked else None)
        if rng.random() < 0.08:
            self.person_named(concern, " ".join(self.name()), "Was there", None, Involved.OTHER)
        if not waiting:
            level = self.triage(org, concern)
            if is_child and self.cases is not None:
                self.cases.after_triage(org, concern, someone, self.last_decision, level)
        self.add(concern)
        return concern

    def person_named(
        self,
        concern: Concern,
        name: str,
        details: str,
        person: uuid.UUID | None,
        role: str = Involved.SUBJECT,
    ) -> None:
        self.add(
            ConcernPerson(
                id=self.uid(),
                organisation_id=concern.organisation_id,
                concern_id=concern.pk,
                name_as_recorded=name,
                details_as_recorded=details,
                role=role,
                person_id=person,
                created_at=concern.created_at,
                updated_at=concern.created_at,
            )
        )
        self.summary.concern_people += 1

    def triage(self, org: _Org, concern: Concern) -> int:
        """Triage the concern (a second triage at its review for some decisions not to refer);
        the level of need, and in ``last_decision`` the first decision."""
        rng = self.rng
        assert concern.submitted_at is not None
        when = min(self.now, concern.submitted_at + timedelta(hours=rng.expovariate(1 / 20)))
        level = rng.choices((1, 2, 3, 4), (30, 35, 22, 13))[0]
        self.last_decision = rng.choice(DECISIONS[level])
        review = self.triage_row(org, concern, when, level, self.last_decision)
        if review is not None and review >= self.today - timedelta(days=7):
            concern.review_due_on = review  # due soon, or back in the queue now (T5)
        elif review is not None and rng.random() < SECOND_TRIAGE:
            when = datetime.combine(review, datetime.min.time(), UTC) + timedelta(hours=10)
            self.triage_row(org, concern, when, level, D.NO_FURTHER_ACTION)
        concern.triaged_at = concern.updated_at = when
        concern.version = 3
        if rng.random() < ACTION_SHARE:
            self.action(org, concern, when)
        return level

    def triage_row(
        self, org: _Org, concern: Concern, when: datetime, level: int, decision: str
    ) -> date | None:
        rng = self.rng
        not_referred = decision in NOT_REFERRED
        review = (when + timedelta(days=28)).date() if not_referred else None
        self.add(
            Triage(
                id=self.uid(),
                organisation_id=concern.organisation_id,
                concern_id=concern.pk,
                triaged_by=rng.choice(org.leads + org.deputies),
                level_of_need=level,
                rag=RAG[level] if rng.random() < 0.8 else rng.choice(("red", "amber", "green")),
                initial_risk=RISKS[level - 1],
                decision=decision,
                rationale=RATIONALES[decision],
                threshold_considered=rng.choice(THRESHOLDS) if not_referred else "",
                review_on=review,
                created_at=when,
                updated_at=when,
            )
        )
        self.summary.triages += 1
        return review

    def action(self, org: _Org, concern: Concern, when: datetime) -> None:
        due = (when + timedelta(days=7)).date()
        done = due < self.today and self.rng.random() < 0.95
        self.add(
            ConcernAction(
                id=self.uid(),
                organisation_id=concern.organisation_id,
                concern_id=concern.pk,
                description=self.rng.choice(ACTIONS),
                owner=self.rng.choice(org.deputies + org.reporters),
                due_on=due,
                status=ActionStatus.DONE if done else ActionStatus.OPEN,
                completed_at=when + timedelta(days=self.rng.randrange(1, 8)) if done else None,
                created_by=org.leads[0],
                created_at=when,
                updated_at=when,
            )
        )
        self.summary.actions += 1

    def alert(self, org: _Org, child: _Someone, recent: list[tuple[datetime, uuid.UUID]]) -> None:
        """An open pattern alert about the organisation's first child, in its lead's queue."""
        self.flush(force=True)
        alert = PatternAlert.objects.create(
            id=self.uid(),
            organisation=org.row,
            kind=PatternKind.REPEATED_ABOUT_PERSON,
            key=f"person:{normalise(child.name)}",
            summary=f"{len(recent)} recent concerns about {child.name}",
            created_at=recent[-1][0],
            updated_at=recent[-1][0],
        )
        through: Any = PatternAlert.concerns.through
        through.objects.bulk_create(
            through(patternalert_id=alert.pk, concern_id=pk) for _, pk in recent
        )
        self.summary.alerts += 1


def stage_timer(seconds: dict[str, float], say: Callable[[str], None]) -> Callable[[str], None]:
    """``lap(stage)`` records in ``seconds`` the time since the previous lap (or since this
    call) under the stage's name, and says it."""
    began = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal began
        seconds[stage] = round(time.perf_counter() - began, 2)
        began = time.perf_counter()
        say(f"  {stage}: {seconds[stage]} s")

    return lap


def load_county(
    *,
    organisations: int = 250,
    people: int = 150_000,
    concerns: int = 1_000_000,
    seed: int = 7,
    batch: int = BATCH,
    analyze: bool = True,
    progress: Callable[[str], None] | None = None,
) -> CountySummary:
    """Load a synthetic county in bulk: benchmark data, not records (no audit events; see the
    module docstring). Refuses a database that already holds one. Ends with ANALYZE
    (``analyze``), as autovacuum would after a bulk load on PostgreSQL."""
    if organisations < 1 or people < organisations or concerns < 0:
        raise ValueError("Give at least one organisation and one person per organisation.")
    if User.objects.filter(email=BENCH_LEAD_EMAIL).exists():
        raise ValueError(f"A county is already loaded here ({BENCH_LEAD_EMAIL} exists).")
    say = progress or (lambda message: None)
    loader = _Loader(seed=seed, batch=batch)
    summary = loader.summary
    lap = stage_timer(summary.seconds, say)
    with _explicit_timestamps(), _loading_connection():
        rows = Category.objects.filter(organisation__isnull=True, is_active=True)
        for pk, code in rows.order_by("position").values_list("id", "code"):
            loader.category_ids.append(pk)
            weight = CATEGORY_WEIGHTS.get(code, 1.0)
            loader.category_cum.append((loader.category_cum or [0.0])[-1] + weight)
        orgs = loader.organisations(organisations)
        loader.staff(orgs)
        lap("organisations and staff")
        weights = [o.weight for o in orgs]
        # One person per organisation at least; the benchmark's school gets enough concerns
        # for its 500-concern child (2,000) whenever the county has them.
        head_count = [n + 1 for n in allocate(people - len(orgs), weights)]
        first = allocate(concerns, weights)[0]
        first = min(concerns, max(first, min(BENCH_MIN_CONCERNS, concerns // 4)))
        per_org = [first, *allocate(concerns - first, weights[1:])]
        for org, count in zip(orgs, head_count, strict=True):
            loader.people(org, count)
            if len(loader.buffers.get(Person, ())) >= batch:
                loader.flush(force=True)
        loader.flush(force=True)
        lap("people")
        loader.cases = CaseMaker(loader)
        for index, (org, count) in enumerate(zip(orgs, per_org, strict=True)):
            loader.concerns(org, count, anchor=index == 0)
            if index % 25 == 24:
                say(f"  {index + 1} of {len(orgs)} organisations")
        loader.flush(force=True)
        summary.bench_case_id = loader.cases.finish()
        summary.cases = loader.cases.cases
        summary.case_concerns = loader.cases.case_concerns
        summary.stage_changes = loader.cases.stage_changes
        lap("concerns, triage, actions and cases")
        # The rows above bypassed the actions that keep the chronology lines: write them now.
        with _line_indexes_built_after():
            chronology.rebuild()
            case_chronology.rebuild()
        lap("chronology")
    if analyze:
        statistics.analyze()
        lap("analyze")
    summary.seconds["total"] = round(sum(summary.seconds.values()), 2)
    return summary
