"""Fixtures for the API tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import actor_for
from safecase.accounts import auth_actions
from safecase.demo.personas import DemoWorld


@pytest.fixture
def api(world: DemoWorld) -> Callable[[str], Client]:
    """A client for a persona, authenticated by a personal token made with MFA."""
    clients: dict[str, Client] = {}

    def client_for(persona: str) -> Client:
        if persona not in clients:
            _, secret = auth_actions.api_token_create(
                actor=actor_for(world, persona), name="tests", days=30, with_mfa=True
            )
            clients[persona] = Client(headers={"authorization": f"Bearer {secret}"})
        return clients[persona]

    return client_for
