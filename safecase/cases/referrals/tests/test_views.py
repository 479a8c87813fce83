"""The referral pages: record a referral, its response, an escalation; bad input re-renders
with a clear message (422) and saves nothing; a stale form answers 409; the overdue list and
the agency settings; the home panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import (
    DemoWorld,  # the demo world, as the fixtures build it
    client_for,
)
from safecase.cases.casetasks.models import CaseTask
from safecase.cases.referrals.choices import ReferralStatus
from safecase.cases.referrals.models import ExternalReferral, ReferralAgency
from safecase.cases.referrals.tests.helpers import agency, make_referral, overdue_referral
from safecase.cases.tests.helpers import open_case

pytestmark = pytest.mark.django_db


def _form(**overrides: str) -> dict[str, str]:
    made = timezone.localtime() - timedelta(hours=2)
    return {
        "agency": str(agency("police").pk),
        "made_on": made.strftime("%d/%m/%Y"),
        "made_time": made.strftime("%H:%M"),
        "method": "phone",
        "contact_name": "PC Example (synthetic)",
        "contact_details": "101",
        "their_reference": "NP-77",
        "summary": "Shared the disclosure.",
        "follow_up_on": "",
        **overrides,
    }


def test_recording_a_referral_through_the_page(world: DemoWorld) -> None:
    case = open_case(world)
    lead = client_for(world.users["lead"])
    page = lead.get(f"/cases/{case.pk}/referrals/")
    assert page.status_code == 200 and b"Record a referral" in page.content
    assert lead.get(f"/cases/{case.pk}/referrals/new/").status_code == 200
    response = lead.post(f"/cases/{case.pk}/referrals/new/", _form())
    assert response.status_code == 302
    referral = ExternalReferral.objects.get(case=case)
    assert referral.their_reference == "NP-77" and referral.agency.code == "police"
    assert CaseTask.objects.filter(source_id=referral.pk).exists()
    page = lead.get(f"/cases/{case.pk}/referrals/")
    assert b"NP-77" in page.content and b"Record the response" in page.content


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"made_on": (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y")}, b"future"),
        ({"made_on": "31/02/2026"}, b"day/month/year"),
        ({"made_time": "25:99"}, b"hours and minutes"),
        ({"agency": ""}, b"This field is required"),
        ({"agency": "4242"}, b"Select a valid choice"),
        ({"method": "pigeon"}, b"Select a valid choice"),
    ],
)
def test_bad_referrals_are_refused_with_a_message(
    world: DemoWorld, overrides: dict[str, str], message: bytes
) -> None:
    case = open_case(world)
    response = client_for(world.users["lead"]).post(
        f"/cases/{case.pk}/referrals/new/", _form(**overrides)
    )
    assert response.status_code == 422
    assert message in response.content and b"There is a problem" in response.content
    assert not ExternalReferral.objects.exists()


def test_recording_the_response_and_a_stale_form(world: DemoWorld) -> None:
    case = open_case(world)
    referral = make_referral(world, case)
    lead = client_for(world.users["lead"])
    url = f"/cases/{case.pk}/referrals/{referral.pk}/response/"
    assert lead.get(url).status_code == 200
    data = {
        "response": "Strategy discussion tomorrow (synthetic).",
        "received_on": timezone.localdate().strftime("%d/%m/%Y"),
        "outcome": "Strategy discussion",
        "their_reference": "LADO-5",
    }
    stale = lead.post(url, {**data, "version": referral.version + 3})
    assert stale.status_code == 409 and b"changed since you opened it" in stale.content
    assert lead.post(url, {**data, "received_on": "yesterday", "version": 1}).status_code == 422
    assert lead.post(url, {**data, "version": referral.version}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RESPONDED and referral.their_reference == "LADO-5"


def test_escalating_an_overdue_referral_and_the_overdue_list(world: DemoWorld) -> None:
    case = open_case(world)
    referral = overdue_referral(world, case)
    lead = client_for(world.users["lead"])
    listed = lead.get("/cases/referrals/overdue/")
    assert listed.status_code == 200 and case.reference.encode() in listed.content
    home = lead.get("/")
    assert b"Referral responses overdue" in home.content
    url = f"/cases/{case.pk}/referrals/{referral.pk}/escalate/"
    assert lead.get(url).status_code == 200
    empty = lead.post(url, {"escalated_to": "", "reason": "", "version": 1})
    assert empty.status_code == 422
    done = lead.post(
        url,
        {"escalated_to": "LADO team manager", "reason": "No call back.", "version": 1},
    )
    assert done.status_code == 302
    page = lead.get(f"/cases/{case.pk}/referrals/")
    assert b"LADO team manager" in page.content


def test_the_agency_settings_page(world: DemoWorld) -> None:
    lead = client_for(world.users["lead"])
    page = lead.get("/cases/referrals/agencies/")
    assert page.status_code == 200 and b"Prevent / Channel" in page.content
    saved = lead.post(
        "/cases/referrals/agencies/",
        {
            "code": "childrens_social_care",
            "version": 0,
            "label": "Northshire MASH",
            "response_working_days": 2,
            "is_active": "on",
        },
    )
    assert saved.status_code == 302
    own = ReferralAgency.objects.get(organisation=world.organisations["secondary"])
    assert own.label == "Northshire MASH" and own.response_working_days == 2
    bad = lead.post(
        "/cases/referrals/agencies/",
        {"code": "lado", "version": 0, "label": "LADO", "response_working_days": 0},
    )
    assert bad.status_code == 422
    stale = lead.post(
        "/cases/referrals/agencies/",
        {
            "code": "childrens_social_care",
            "version": 0,
            "label": "MASH",
            "response_working_days": 4,
        },
    )
    assert stale.status_code == 409
    added = lead.post(
        "/cases/referrals/agencies/",
        {"code": "", "version": 0, "label": "Youth offending team", "response_working_days": 5},
    )
    assert added.status_code == 302
    assert client_for(world.users["deputy"]).get("/cases/referrals/agencies/").status_code == 403
