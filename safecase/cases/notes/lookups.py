"""Finding one note for a page or the API: from the notes the reader may see on this case, or
404, the same answer for a missing note and one kept from the reader (its denial audited, as
access.lookups does for every record). Not access_object: its policy check on the note itself
would refuse a partner who reads the case through a share, which shares the case's notes."""

from __future__ import annotations

import uuid

from django.http import Http404

from safecase.access.permissions import Permission
from safecase.audit import recorder
from safecase.audit.events import AuditAction, Outcome
from safecase.cases.models import Case
from safecase.cases.notes import selectors
from safecase.cases.notes.models import CaseNote
from safecase.core.actors import Actor


def note_or_404(actor: Actor, case: Case, note_id: object) -> CaseNote:
    try:
        pk = uuid.UUID(str(note_id))
    except ValueError:
        raise Http404 from None
    notes = selectors.with_details(selectors.notes_visible_to(actor).filter(case_id=case.pk))
    note = notes.select_related("case__case_type").filter(pk=pk).first()
    if note is None:
        if CaseNote.objects.filter(pk=pk).exists():
            recorder.record_in_own_transaction(
                actor=actor,
                action=AuditAction.ACCESS_DENIED,
                outcome=Outcome.DENIED,
                subject_type=CaseNote._meta.label_lower,
                subject_id=str(pk),
                changes={"permission": str(Permission.CASE_VIEW)},
            )
        raise Http404
    return note
