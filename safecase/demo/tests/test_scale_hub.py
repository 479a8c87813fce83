"""The hub loader at a tiny size: counts, the mix, the queue, and the benchmark referral's page."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.db.models import F, Q

from conftest import client_for  # the real sign-in form, MFA marked done
from safecase.accounts.models import Membership, Organisation, PartnershipMember, User
from safecase.audit.models import AuditEvent
from safecase.core.actors import Actor
from safecase.demo.personas import DEMO_PASSWORD
from safecase.demo.scale_hub import (
    BENCH_AGENCY_EMAIL,
    BENCH_HUB_EMAIL,
    BENCH_REFERRAL_SUBJECT,
    HubSummary,
    load_hub,
)
from safecase.partnerships import selectors
from safecase.partnerships.choices import AgencyKind, ReferralStatus, RequestStatus
from safecase.partnerships.models import (
    HubAgency,
    HubReferral,
    HubSettings,
    HubSettingsVersion,
    InformationRequest,
    RatingChange,
)
from safecase.people.models import Person

pytestmark = pytest.mark.django_db


def _load_tiny() -> HubSummary:
    return load_hub(agencies=12, referrals=600, people=100)


def _actor(email: str) -> Actor:
    user = User.objects.get(email=email)
    membership = Membership.objects.get(user=user)
    return Actor(
        user=user, organisation=membership.organisation, roles=frozenset(membership.role_names())
    )


def test_it_loads_exactly_what_was_asked_and_writes_no_audit_events() -> None:
    summary = _load_tiny()

    hub = HubSettings.objects.get()
    assert hub.pk == summary.hub_id and hub.organisation_id == summary.hub_organisation_id
    assert HubSettingsVersion.objects.filter(hub=hub, version=1).exists()
    assert Organisation.objects.count() == summary.organisations == 13
    assert PartnershipMember.objects.filter(partnership=hub.partnership).count() == 13
    assert HubAgency.objects.filter(hub=hub).count() == 12
    assert set(HubAgency.objects.values_list("kind", flat=True)) >= {
        AgencyKind.EDUCATION,
        AgencyKind.POLICE,
        AgencyKind.HEALTH,
    }
    assert Person.objects.count() == summary.people == 100
    # 600 and the benchmark referral.
    assert HubReferral.objects.count() == summary.referrals == 601
    assert InformationRequest.objects.count() == summary.requests
    assert RatingChange.objects.count() == summary.rating_changes
    opened = HubReferral.objects.filter(status=ReferralStatus.OPEN)
    assert opened.count() == summary.open_referrals
    assert opened.filter(rating="").count() == summary.unrated
    assert 0 < summary.open_referrals < summary.referrals // 2
    # Every rated referral asked 3 to 8 agencies (its own 30 at most for the benchmark one).
    rated = HubReferral.objects.exclude(rating="").exclude(subject_name=BENCH_REFERRAL_SUBJECT)
    assert not rated.filter(requests__isnull=True).exists()
    assert not HubReferral.objects.filter(rating="", requests__isnull=False).exists()
    # Decided ones are decided, with nothing left waiting; requests keep their agency's org.
    decided = HubReferral.objects.filter(status=ReferralStatus.DECIDED)
    assert not decided.filter(Q(decision="") | Q(decided_at__isnull=True)).exists()
    assert not InformationRequest.objects.filter(
        referral__status=ReferralStatus.DECIDED, status=RequestStatus.OPEN
    ).exists()
    assert not InformationRequest.objects.exclude(
        agency__agency_organisation=F("agency_organisation")
    ).exists()
    assert not InformationRequest.objects.filter(
        Q(status=RequestStatus.RELEASED) & (Q(released_at__isnull=True) | Q(answer=""))
    ).exists()
    # Blue has no target; the others have a due time after the request.
    assert not InformationRequest.objects.filter(referral__rating="blue", due_at__isnull=False)
    assert not InformationRequest.objects.filter(
        due_at__isnull=False, due_at__lte=F("requested_at")
    ).exists()
    # Only the two benchmark users can sign in.
    assert sorted(User.objects.filter(is_demo=True).values_list("email", flat=True)) == sorted(
        [BENCH_AGENCY_EMAIL, BENCH_HUB_EMAIL]
    )
    assert check_password(DEMO_PASSWORD, User.objects.get(email=BENCH_HUB_EMAIL).password)
    assert not any(u.has_usable_password() for u in User.objects.exclude(is_demo=True))
    assert AuditEvent.objects.count() == 0


def test_the_mix_is_plausible_at_a_few_thousand() -> None:
    summary = load_hub(agencies=20, referrals=3000, people=200)
    shares = {k: v / sum(summary.ratings.values()) for k, v in summary.ratings.items()}
    assert 0.05 < shares["red"] < 0.16 and 0.28 < shares["amber"] < 0.42
    assert 0.38 < shares["green"] < 0.52 and 0.05 < shares["blue"] < 0.16
    assert 0.03 < summary.requests_late / summary.requests < 0.4
    assert InformationRequest.objects.filter(escalated_at__isnull=False).exists()
    shared = InformationRequest.objects.filter(shared_at__isnull=False)
    assert shared.exists()
    assert not shared.exclude(status=RequestStatus.RELEASED).exists()
    assert not shared.filter(shared_at__lt=F("released_at")).exists()


def test_the_hub_queue_lists_the_open_referrals_most_urgent_first() -> None:
    summary = _load_tiny()
    actor = _actor(BENCH_HUB_EMAIL)
    page = selectors.hub_queue(actor, cursor=None, size=1000)
    assert {r.pk for r in page.items} == set(
        HubReferral.objects.filter(status=ReferralStatus.OPEN).values_list("pk", flat=True)
    )
    assert len(page.items) == summary.open_referrals
    priorities = [r.priority for r in page.items]
    assert priorities == sorted(priorities)
    bench = next(r for r in page.items if r.pk == summary.bench_referral_id)
    assert bench.requests_total == summary.bench_referral_requests == 12


def test_the_benchmark_referral_page_renders_for_the_hub_and_the_agency() -> None:
    summary = _load_tiny()
    for email in (BENCH_HUB_EMAIL, BENCH_AGENCY_EMAIL):
        User.objects.filter(email=email).update(is_demo=False)  # an ordinary sign-in, as tests do
    hub = client_for(User.objects.get(email=BENCH_HUB_EMAIL))
    page = hub.get(f"/hub/referrals/{summary.bench_referral_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert BENCH_REFERRAL_SUBJECT in html
    assert html.count('aria-labelledby="section-') == summary.bench_referral_requests
    assert "Rating history" in html
    assert hub.get("/hub/").status_code == 200

    # The benchmark agency user's agency is one of those asked: it sees the referral.
    agency = client_for(User.objects.get(email=BENCH_AGENCY_EMAIL))
    assert InformationRequest.objects.filter(
        referral_id=summary.bench_referral_id,
        agency_organisation__memberships__user__email=BENCH_AGENCY_EMAIL,
    ).exists()
    assert agency.get(f"/hub/referrals/{summary.bench_referral_id}/").status_code == 200


def test_a_second_load_is_refused() -> None:
    _load_tiny()
    with pytest.raises(ValueError, match="already loaded"):
        _load_tiny()
