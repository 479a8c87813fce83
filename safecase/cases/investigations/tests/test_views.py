"""The investigation's pages: forms that work without JavaScript, bad input answered with the
form and nothing saved, a stale form with the conflict, opinion labelled as opinion, and the
report PDF as an export (step-up first, audited)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from conftest import DemoWorld, client_for
from safecase.accounts.tests.stepping_up import mark_stepped_up
from safecase.audit.events import AuditAction
from safecase.audit.models import AuditEvent
from safecase.cases.investigations import report, selectors
from safecase.cases.investigations.models import (
    CustodyEntry,
    EvidenceItem,
    Finding,
    Interview,
    InterviewAddendum,
    Investigation,
)
from safecase.cases.investigations.tests.helpers import (
    allegation_case,
    evidence,
    finding,
    interview,
    open_investigation,
)

pytestmark = pytest.mark.django_db


def _base(case_id: object) -> str:
    return f"/cases/{case_id}/investigation/"


def _local(days: int = 0, hours: int = 0) -> str:
    when = timezone.localtime() + timedelta(days=days, hours=hours)
    return when.strftime("%Y-%m-%dT%H:%M")


def test_the_page_offers_to_open_an_investigation(world: DemoWorld) -> None:
    case = allegation_case(world)
    response = client_for(world.users["lead"]).get(_base(case.pk))
    assert response.status_code == 200
    assert b"No investigation has been opened" in response.content
    assert b"Open the investigation" in response.content
    # The tab of the part is marked as the current one.
    assert [t.key for t in response.context["header"].tabs if t.is_current] == ["investigation"]


def test_opening_through_the_form(world: DemoWorld) -> None:
    case = allegation_case(world)
    client = client_for(world.users["lead"])
    assert client.get(_base(case.pk) + "edit/").status_code == 200
    data = {
        "terms_of_reference": "Establish what happened after practice.",
        "plan": "Interview Alex, Sam and the coach.",
        "investigator": str(world.users["case_worker"].pk),
        "reason": "The allegation meets the threshold.",
    }
    bad = client.post(_base(case.pk) + "edit/", {**data, "plan": ""})
    assert bad.status_code == 422 and not Investigation.objects.exists()
    assert b"There is a problem" in bad.content
    response = client.post(_base(case.pk) + "edit/", data)
    assert response.status_code == 302 and response["Location"] == _base(case.pk)
    assert Investigation.objects.get().investigator == world.users["case_worker"]


def test_a_stale_change_answers_409_and_changes_nothing(world: DemoWorld) -> None:
    inv = open_investigation(world)
    client = client_for(world.users["lead"])
    data = {
        "terms_of_reference": inv.terms_of_reference,
        "plan": "A new plan.",
        "investigator": str(inv.investigator_id),
        "status": "in_progress",
        "reason": "Interviews start.",
        "version": inv.version,
    }
    assert client.post(_base(inv.case_id) + "edit/", data).status_code == 302
    stale = client.post(_base(inv.case_id) + "edit/", {**data, "plan": "Old form."})
    assert stale.status_code == 409
    assert b"changed since you opened it" in stale.content
    assert Investigation.objects.get().plan == "A new plan."


def test_recording_an_interview_and_its_addendum(world: DemoWorld) -> None:
    inv = open_investigation(world)
    client = client_for(world.users["lead"])
    url = _base(inv.case_id) + "interviews/new/"
    assert client.get(url).status_code == 200
    data = {
        "interviewee_name": "Sam Example-Witness",
        "role": "witness",
        "held_at": _local(hours=-3),
        "interviewer": str(world.users["case_worker"].pk),
        "summary": "Sam saw the coach hold Alex's arm by the lockers.",
        "interviewer_opinion": "Sam seemed certain.",
    }
    future = client.post(url, {**data, "held_at": _local(days=1)})
    assert future.status_code == 422 and b"cannot be in the future" in future.content
    missing = client.post(url, {**data, "summary": ""})
    assert missing.status_code == 422
    assert not Interview.objects.exists()
    assert client.post(url, data).status_code == 302
    held = Interview.objects.get()
    page = client.get(_base(inv.case_id)).content.decode()
    assert "Summary (fact)" in page and "Opinion</strong> Interviewer's view" in page
    add = _base(inv.case_id) + f"interviews/{held.pk}/addendum/"
    assert client.post(add, {"reason": "", "text": "More."}).status_code == 422
    assert client.post(add, {"reason": "Sam phoned.", "text": "At 17:10."}).status_code == 302
    assert InterviewAddendum.objects.get().interview == held


def test_adding_evidence_with_a_file_custody_and_a_finding(world: DemoWorld) -> None:
    inv = open_investigation(world)
    client = client_for(world.users["lead"])
    url = _base(inv.case_id) + "evidence/new/"
    data = {
        "item": "Session register",
        "source": "Club administrator",
        "obtained_on": timezone.localdate().isoformat(),
    }
    fake = SimpleUploadedFile("register.pdf", b"just text, not a PDF\n")
    refused = client.post(url, {**data, "file": fake})
    assert refused.status_code == 422 and b"do not match its .pdf" in refused.content
    assert not EvidenceItem.objects.exists()
    upload = SimpleUploadedFile("register.txt", b"Register (synthetic)\n")
    assert client.post(url, {**data, "file": upload}).status_code == 302
    item = EvidenceItem.objects.get()
    page = client.get(_base(inv.case_id)).content.decode()
    assert item.sha256 in page
    custody = _base(inv.case_id) + f"evidence/{item.pk}/custody/"
    entry = {"from_whom": "Admin", "to_whom": "Cass", "purpose": "File.", "transferred_at": ""}
    assert client.post(custody, entry).status_code == 422
    assert client.post(custody, {**entry, "transferred_at": _local(hours=-1)}).status_code == 302
    assert CustodyEntry.objects.count() == 1
    found = _base(inv.case_id) + "findings/new/"
    fact = {"kind": "established_fact", "text": "Alex attended practice."}
    assert client.post(found, fact).status_code == 422  # no basis
    assert client.post(found, {**fact, "evidence": [str(item.pk)]}).status_code == 302
    assert list(Finding.objects.get().basis_evidence.all()) == [item]


def test_a_case_worker_may_work_on_it_and_another_organisation_gets_404(world: DemoWorld) -> None:
    inv = open_investigation(world)
    assert client_for(world.users["case_worker"]).get(_base(inv.case_id)).status_code == 200
    assert client_for(world.users["other_org"]).get(_base(inv.case_id)).status_code == 404
    assert client_for(world.users["reporter"]).get(_base(inv.case_id)).status_code == 403


# --- The report ---------------------------------------------------------------------------


def _report(inv: Investigation) -> str:
    return _base(inv.case_id) + "report.pdf"


def test_the_report_needs_a_step_up_first(world: DemoWorld) -> None:
    inv = open_investigation(world)
    response = client_for(world.users["lead"]).get(_report(inv))
    assert response.status_code == 302 and response["Location"].startswith("/account/step-up/")
    assert not AuditEvent.objects.filter(action=AuditAction.INVESTIGATION_REPORT_EXPORTED)


def test_the_report_is_a_pdf_and_audited(world: DemoWorld) -> None:
    inv = open_investigation(world)
    held = interview(world, inv)
    evidence(world, inv)
    finding(world, inv, held)
    client = client_for(world.users["lead"])
    mark_stepped_up(client)
    response = client.get(_report(inv))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    [event] = AuditEvent.objects.filter(action=AuditAction.INVESTIGATION_REPORT_EXPORTED)
    assert event.changes == {
        "investigation": str(inv.pk),
        "interviews": 1,
        "evidence": 1,
        "findings": 1,
    }


def test_the_report_holds_every_part_with_the_sha256(world: DemoWorld) -> None:
    inv = open_investigation(world)
    held = interview(world, inv)
    item = evidence(world, inv)
    finding(world, inv, held)
    view = selectors.investigation_view(inv)
    data = report.investigation_pdf(inv.case, view, generated_by="Lena Lead", compress=False)
    assert data.startswith(b"%PDF")
    # The unicode font stores glyph ids, not text; check the content through its text layer.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = " ".join(text.split())
    for expected in (
        "Terms of reference",
        "Plan",
        "Interviews and statements (1)",
        "Summary (fact)",
        "OPINION",
        "Evidence register (1)",
        "Established fact (1)",
        "Allegation (not established) (0)",
    ):
        assert expected in flat, expected
    assert item.sha256 in flat.replace(" ", "")


def test_the_report_is_not_for_a_partner_with_a_share(world: DemoWorld) -> None:
    inv = open_investigation(world)
    for persona, status in (("other_org", 404), ("reporter", 403)):
        client = client_for(world.users[persona])
        mark_stepped_up(client)
        assert client.get(_report(inv)).status_code == status


def test_every_read_of_the_page_is_audited(world: DemoWorld) -> None:
    inv = open_investigation(world)
    before = AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED).count()
    assert client_for(world.users["deputy"]).get(_base(inv.case_id)).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.RECORD_VIEWED).count() == before + 1


def test_a_restricted_cases_report_is_for_its_named_people_only(world: DemoWorld) -> None:
    from safecase.cases.investigations import actions
    from safecase.cases.tests.helpers import restricted_case, second_lead

    case = restricted_case(world, "case_worker")
    inv = actions.investigation_open(
        actor=second_lead(world),
        case=case,
        terms_of_reference="Establish what happened.",
        plan="Interview.",
        investigator=world.users["case_worker"],
        reason="Threshold met.",
    )
    for persona, status in (("case_worker", 200), ("deputy", 200), ("lead", 404)):
        client = client_for(world.users[persona])
        mark_stepped_up(client)
        assert client.get(_report(inv)).status_code == status, persona
