"""The operator's commands: creating organisations and partnerships."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safecase.accounts.models import Membership, Organisation, Partnership, User
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.audit.verify import verify_all

pytestmark = pytest.mark.django_db


def test_org_create_makes_the_organisation_and_invites_its_administrator() -> None:
    out = StringIO()
    call_command(
        "org_create",
        name="Brookside Rugby Club",
        type="sport",
        admin_email="Welfare.Officer@Example.invalid",
        admin_name="Wendy Welfare",
        stdout=out,
    )
    organisation = Organisation.objects.get(name="Brookside Rugby Club")
    admin = User.objects.get(email="welfare.officer@example.invalid")
    assert Membership.objects.get(user=admin, organisation=organisation).role_names() == [
        "org_admin"
    ]
    assert "invitation sent" in out.getvalue()
    assert AuditEvent.objects.filter(chain=str(organisation.pk)).count() == 2
    assert verify_all().ok


def test_partnership_create_records_the_agreement_and_members() -> None:
    a = Organisation.objects.create(name="A School", org_type="school")
    b = Organisation.objects.create(name="B Police", org_type="police")
    call_command(
        "partnership_create",
        name="Eastshire MASH",
        purpose="Multi-agency decisions on referrals",
        lawful_basis="UK GDPR 6(1)(e)",
        starts_on="2026-01-01",
        organisation=[str(a.pk), str(b.pk)],
        stdout=StringIO(),
    )
    partnership = Partnership.objects.get(name="Eastshire MASH")
    assert set(partnership.organisations.all()) == {a, b}
    assert AuditEvent.objects.filter(action=AuditAction.PARTNERSHIP_MEMBER_ADDED).count() == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"starts_on": "soon"}, "not a date"),
        ({"starts_on": "2026-02-01", "ends_on": "2026-01-01"}, "cannot end before"),
        ({"starts_on": "2026-01-01", "organisation": ["not-an-id"]}, "No organisation"),
    ],
)
def test_partnership_create_refuses_bad_input(options: dict[str, object], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("partnership_create", name="X", purpose="p", lawful_basis="b", **options)
    assert not Partnership.objects.exists()
