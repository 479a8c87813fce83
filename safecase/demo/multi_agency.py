"""The demo's multi-agency working (issue 5): each part's own builder, in an order that makes
sense of the story (the police's webhook first, so the hub's requests to the police are
delivered to it; the MASH referral before the child moves school and the file is sent)."""

from __future__ import annotations

from safecase.api.webhooks.demo import build_demo_webhooks
from safecase.demo.personas import DemoWorld
from safecase.partnerships.demo import build_demo_hub
from safecase.partnerships.knownto.demo import build_demo_known_to
from safecase.partnerships.transfers.demo import build_demo_transfers
from safecase.sharing.demo import build_demo_sharing


def build_demo_multi_agency(world: DemoWorld) -> None:
    build_demo_webhooks(world)
    build_demo_known_to(world)
    build_demo_hub(world)
    build_demo_sharing(world)
    build_demo_transfers(world)
