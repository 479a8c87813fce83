"""The demo's sharing: a case note and a chronology extract shared with the police, consent
not sought with a reason; built twice, it changes nothing."""

from __future__ import annotations

import pytest

from conftest import DemoWorld, actor_for
from safecase.access.models import Consent, ShareGrant
from safecase.demo.concerns import build_demo_concerns
from safecase.sharing import selectors
from safecase.sharing.demo import build_demo_sharing
from safecase.sharing.models import ChronologyExtract

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("with_concerns", [True, False])
def test_the_demo_shares_a_note_and_an_extract_with_the_police(
    world: DemoWorld, with_concerns: bool
) -> None:
    if with_concerns:
        build_demo_concerns(world)
    build_demo_sharing(world)
    build_demo_sharing(world)
    grants = ShareGrant.objects.all()
    assert grants.count() == 2
    assert {g.consent for g in grants} == {Consent.NOT_SOUGHT}
    assert all(g.consent_override_reason for g in grants)
    assert ChronologyExtract.objects.count() == 1
    police = actor_for(world, "partner_with_share")
    kinds = {row.kind.code for row in selectors.shared_with_us_page(police, cursor=None).items}
    assert kinds == {"case_note", "chronology_extract"}
