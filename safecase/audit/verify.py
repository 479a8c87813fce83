"""Recomputing the hash chains to prove the audit trail has not been changed."""

from __future__ import annotations

from dataclasses import dataclass

from safecase.audit.models import AuditEvent, ChainHead
from safecase.audit.recorder import GENESIS_HASH, HASHED_FIELDS, event_hash


@dataclass(frozen=True)
class Break:
    chain: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"chain {self.chain} event seq {self.seq}: {self.problem}"


@dataclass(frozen=True)
class VerifyResult:
    events_checked: int
    chains_checked: int
    first_break: Break | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def verify_chain(chain: str) -> tuple[int, Break | None]:
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    rows = AuditEvent.objects.filter(chain=chain).order_by("seq")
    for event in rows.iterator(chunk_size=2000):
        checked += 1
        if event.seq != expected_seq:
            return checked, Break(chain, expected_seq, f"missing; next present is {event.seq}")
        if event.prev_hash != expected_prev:
            return checked, Break(chain, event.seq, "prev_hash does not match the event before")
        fields = {name: getattr(event, name) for name in HASHED_FIELDS}
        if event_hash(event.prev_hash, fields) != event.hash:
            return checked, Break(chain, event.seq, "content does not match its hash")
        expected_prev = event.hash
        expected_seq += 1
    head = ChainHead.objects.filter(chain=chain).first()
    if head is not None and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        return checked, Break(chain, head.seq, "chain head does not match the last event")
    return checked, None


def verify_all() -> VerifyResult:
    chains = set(ChainHead.objects.values_list("chain", flat=True))
    chains |= set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    total = 0
    for chain in sorted(chains):
        checked, problem = verify_chain(chain)
        total += checked
        if problem is not None:
            return VerifyResult(total, len(chains), problem)
    return VerifyResult(total, len(chains), None)
