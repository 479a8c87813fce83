"""The demo transfer: built through the real actions, about the demo's story child, idempotent."""

from __future__ import annotations

import pytest

from conftest import DemoWorld, actor_for
from safecase.concerns.models import Concern
from safecase.partnerships.transfers.choices import TransferStatus
from safecase.partnerships.transfers.demo import build_demo_transfers
from safecase.partnerships.transfers.models import ReceivedFile, Transfer
from safecase.partnerships.transfers.tests.helpers import child
from safecase.people.models import Person

pytestmark = pytest.mark.django_db


def test_a_demo_child_with_concerns_moves_school_with_receipt_confirmed(world: DemoWorld) -> None:
    riley = child(world)  # a child with a concern, its triage and chronology
    Person.objects.filter(pk=riley.pk).update(given_names="Riley", family_name="Sample-Pupil")
    transfer = build_demo_transfers(world)
    assert transfer is not None and transfer.person_id == riley.pk
    assert transfer.status == TransferStatus.ACCEPTED and transfer.receipt_confirmed_at
    assert transfer.viewed_at is not None
    received = ReceivedFile.objects.get(transfer=transfer)
    assert received.organisation == world.organisations["primary"]
    assert received.bundle["concerns"][0]["fact"]
    assert build_demo_transfers(world) == transfer
    assert Transfer.objects.count() == 1
    assert Concern.objects.exists()


def test_without_the_demo_children_a_new_child_moves(world: DemoWorld) -> None:
    transfer = build_demo_transfers(world)
    assert transfer is not None and transfer.status == TransferStatus.ACCEPTED
    assert transfer.person is not None and transfer.person.family_name == "Moving-Example"
    assert build_demo_transfers(world) == transfer
    assert actor_for(world, "lead")
