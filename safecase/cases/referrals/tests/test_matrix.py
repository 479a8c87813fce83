"""The permission matrix for the referral pages and API (issue 4), with the supervisor.

Riverside holds a case shared with the police (Parveen may read its referrals, change nothing)
and a case restricted to the deputy and the case worker (an allegation against the lead): Lena
Lead, though the lead, gets 404 for its referrals like everyone else not named, the auditor
403 (no case permission at all). POSTs carry stale versions or bad input, so every persona
meets the same state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import DemoWorld, actor_for  # the demo world, as the fixtures build it
from safecase.access.actions import share_grant
from safecase.cases.models import Case
from safecase.cases.referrals.models import ExternalReferral
from safecase.cases.referrals.tests.helpers import make_referral
from safecase.cases.tests.helpers import open_case, restricted_case
from tests.matrix import PERSONAS_WITH_SUPERVISOR, Endpoint, run_matrix

pytestmark = pytest.mark.django_db

TEAM = ("lead", "deputy", "case_worker")
OTHER_LEADS = ("other_org", "primary_lead")
PARTNERS = ("partner_with_share", "partner_without")
VIEWERS = dict.fromkeys((*TEAM, "supervisor", *PARTNERS, *OTHER_LEADS), 200)
CONFIGURERS = dict.fromkeys(("lead", *OTHER_LEADS), 200)
STALE = 999
Url = Callable[[DemoWorld], str]


def _case(world: DemoWorld, word: str) -> Case:
    return Case.objects.get(organisation=world.organisations["secondary"], title__contains=word)


def _page(word: str, suffix: str = "") -> Url:
    return lambda w: f"/cases/{_case(w, word).pk}/referrals/{suffix}"


def _referral_page(word: str, suffix: str) -> Url:
    def url(w: DemoWorld) -> str:
        case = _case(w, word)
        referral = ExternalReferral.objects.get(case=case)
        return f"/cases/{case.pk}/referrals/{referral.pk}/{suffix}"

    return url


def _api(word: str, suffix: str = "") -> Url:
    def url(w: DemoWorld) -> str:
        case = _case(w, word)
        if suffix:
            referral = ExternalReferral.objects.get(case=case)
            return f"/api/v1/cases/{case.pk}/referrals/{referral.pk}/{suffix}"
        return f"/api/v1/cases/{case.pk}/referrals"

    return url


def _managers(status: int) -> dict[str, int]:
    return {**dict.fromkeys(TEAM, status), **dict.fromkeys(OTHER_LEADS, 404)}


SHARED_READ = {**dict.fromkeys((*TEAM, "supervisor"), 200), "partner_with_share": 200}
SHARED_READ |= {"partner_without": 404, **dict.fromkeys(OTHER_LEADS, 404)}
RESTRICTED_READ = {"deputy": 200, "case_worker": 200, "lead": 404, "supervisor": 404}
RESTRICTED_READ |= dict.fromkeys((*PARTNERS, *OTHER_LEADS), 404)
RESPONSE = {"response": "Strategy discussion (synthetic).", "outcome": "Strategy discussion"}

ENDPOINTS = [
    Endpoint("referrals of the shared case", "GET", _page("Shared"), 403, SHARED_READ),
    Endpoint("record a referral (form)", "GET", _page("Shared", "new/"), 403, _managers(200)),
    Endpoint(
        "record a referral without an agency",
        "POST",
        _page("Shared", "new/"),
        403,
        _managers(422),
        data={"agency": "", "made_on": "1/1/2026", "made_time": "10:00", "method": "phone"},
    ),
    Endpoint(
        "record a response (form)",
        "GET",
        _referral_page("Shared", "response/"),
        403,
        _managers(200),
    ),
    Endpoint(
        "record a response from a stale form",
        "POST",
        _referral_page("Shared", "response/"),
        403,
        _managers(409),
        data={**RESPONSE, "received_on": "1/12/2026", "version": STALE},
    ),
    Endpoint("escalate (form)", "GET", _referral_page("Shared", "escalate/"), 403, _managers(200)),
    Endpoint(
        "escalate without saying to whom",
        "POST",
        _referral_page("Shared", "escalate/"),
        403,
        _managers(422),
        data={"escalated_to": "", "reason": "No reply.", "version": 1},
    ),
    Endpoint("overdue responses", "GET", lambda w: "/cases/referrals/overdue/", 403, VIEWERS),
    Endpoint("agency settings", "GET", lambda w: "/cases/referrals/agencies/", 403, CONFIGURERS),
    Endpoint(
        "agency settings with a bad deadline",
        "POST",
        lambda w: "/cases/referrals/agencies/",
        403,
        dict.fromkeys(CONFIGURERS, 422),
        data={"code": "lado", "version": 0, "label": "LADO", "response_working_days": 0},
    ),
    # W11: the restricted case, for the named people only; the lead is not named.
    Endpoint(
        "referrals of the restricted case", "GET", _page("senior member"), 403, RESTRICTED_READ
    ),
    Endpoint(
        "record a response on the restricted case (form)",
        "GET",
        _referral_page("senior member", "response/"),
        403,
        {"deputy": 200, "case_worker": 200, "lead": 404, **dict.fromkeys(OTHER_LEADS, 404)},
    ),
    # The API: the same answers; a change without If-Match is 428 once it would be allowed.
    Endpoint("api referrals of the shared case", "GET", _api("Shared"), 403, SHARED_READ, api=True),
    Endpoint(
        "api record a referral without a body",
        "POST",
        _api("Shared"),
        403,
        _managers(400),
        api=True,
    ),
    Endpoint(
        "api response without If-Match",
        "POST",
        _api("Shared", "response"),
        403,
        _managers(428),
        data=RESPONSE,
        api=True,
    ),
    Endpoint(
        "api escalation without If-Match",
        "POST",
        _api("Shared", "escalations"),
        403,
        _managers(428),
        api=True,
    ),
    Endpoint(
        "api overdue responses",
        "GET",
        lambda w: "/api/v1/cases/referrals/overdue",
        403,
        VIEWERS,
        api=True,
    ),
    Endpoint(
        "api referrals of the restricted case",
        "GET",
        _api("senior member"),
        403,
        RESTRICTED_READ,
        api=True,
    ),
    Endpoint(
        "api response on the restricted case without If-Match",
        "POST",
        _api("senior member", "response"),
        403,
        {"deputy": 428, "case_worker": 428, "lead": 404, **dict.fromkeys(OTHER_LEADS, 404)},
        api=True,
    ),
]


def test_permission_matrix_for_the_referral_pages(world: DemoWorld) -> None:
    shared = open_case(world, title="Shared: Jamie Example-Child, neglect (synthetic)")
    share_grant(
        actor=actor_for(world, "lead"),
        record=shared,
        to_organisation=world.organisations["police"],
        purpose="Joint enquiry (synthetic).",
        lawful_basis="Children Act 1989 s.47",
    )
    make_referral(world, shared, "police", made_at=timezone.now() - timedelta(days=6))
    secret = restricted_case(world, "case_worker")
    make_referral(world, secret, persona="case_worker", made_at=timezone.now() - timedelta(days=6))
    assert run_matrix(world, ENDPOINTS, PERSONAS_WITH_SUPERVISOR) == []


def test_the_overdue_list_never_shows_or_counts_the_restricted_case(world: DemoWorld) -> None:
    from conftest import client_for

    secret = restricted_case(world, "case_worker")
    make_referral(world, secret, persona="case_worker", made_at=timezone.now() - timedelta(days=6))
    for persona in ("lead", "supervisor", "deputy"):
        rows = client_for(world.users[persona]).get("/cases/referrals/overdue/").context["rows"]
        assert len(rows) == (1 if persona == "deputy" else 0), persona
    api = client_for(world.users["lead"]).get("/api/v1/cases/referrals/overdue").json()
    assert api == []
    home = client_for(world.users["lead"]).get("/")
    assert b"Referral responses overdue" in home.content and b"None." in home.content
