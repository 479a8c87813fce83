"""The demo transfer: built through the real actions, idempotent."""

from __future__ import annotations

import pytest

from conftest import DemoWorld
from safecase.partnerships.transfers.choices import TransferStatus
from safecase.partnerships.transfers.demo import build_demo_transfers
from safecase.partnerships.transfers.models import ReceivedFile, Transfer

pytestmark = pytest.mark.django_db


def test_the_demo_child_moved_school_with_receipt_confirmed(world: DemoWorld) -> None:
    transfer = build_demo_transfers(world)
    assert transfer is not None
    assert transfer.status == TransferStatus.ACCEPTED and transfer.receipt_confirmed_at
    assert transfer.viewed_at is not None
    received = ReceivedFile.objects.get(transfer=transfer)
    assert received.organisation == world.organisations["primary"]
    assert received.bundle["concerns"][0]["own_words"].startswith("Mum is poorly")
    assert build_demo_transfers(world) == transfer
    assert Transfer.objects.count() == 1
