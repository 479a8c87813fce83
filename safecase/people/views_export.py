"""Downloading a person's chronology as CSV or PDF (product P3). Every download is audited.

Each download needs a step-up first (security bar A5): a current code from the user's
authenticator app within the last ``SAFECASE_STEP_UP_MINUTES``, asked for by
``@requires_recent_step_up`` before anything is read (docs/adr/0007-step-up-before-export.md).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from safecase.access.decorators import requires
from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.accounts.step_up import requires_recent_step_up
from safecase.concerns.selectors import ChronologyEntry, person_chronology
from safecase.core.actors import Actor
from safecase.people import exports, selectors
from safecase.people.models import Person


def _person_and_chronology(actor: Actor, person_id: object) -> tuple[Person, list[ChronologyEntry]]:
    # 404 for missing and forbidden alike. No record.viewed event: the export event below is
    # the record of this read, so one download leaves exactly one event.
    person = access_object(
        actor, selectors.people_visible_to(actor), person_id, Permission.PERSON_VIEW
    )
    return person, person_chronology(actor, person)


def _download(data: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # If a browser is persuaded to show the file rather than save it, it runs nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@requires(Permission.PERSON_VIEW)
@require_http_methods(["GET"])
@requires_recent_step_up
def person_chronology_csv(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    person, entries = _person_and_chronology(actor, person_id)
    data = exports.chronology_csv(person, entries)
    # Recorded (and committed) before the file is handed over; if it fails, nothing is sent.
    exports.record_chronology_export(
        actor=actor, person=person, file_format="csv", entries=len(entries)
    )
    return _download(
        data,
        content_type="text/csv; charset=utf-8",
        filename=exports.export_filename(person, "csv"),
    )


@requires(Permission.PERSON_VIEW)
@require_http_methods(["GET"])
@requires_recent_step_up
def person_chronology_pdf(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    person, entries = _person_and_chronology(actor, person_id)
    user = actor.user
    data = exports.chronology_pdf(
        person, entries, generated_by=user.full_name or user.email if user else actor.label
    )
    exports.record_chronology_export(
        actor=actor, person=person, file_format="pdf", entries=len(entries)
    )
    return _download(
        data, content_type="application/pdf", filename=exports.export_filename(person, "pdf")
    )
