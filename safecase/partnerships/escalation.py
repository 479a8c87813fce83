"""The sweep that escalates late information requests, once each: ``manage.py
hub_escalate_late`` (schedule it every 15 minutes) or the ``hub_escalate_late_task`` task."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from safecase.core.actors import Actor
from safecase.core.errors import DomainError
from safecase.partnerships.request_actions import request_escalate
from safecase.partnerships.selectors import late_requests

BATCH = 500


def escalate_late_requests(now: datetime | None = None) -> int:
    """Escalate every request late at ``now``; returns how many. Each in its own transaction,
    so one failure does not undo the others, and a re-run escalates nothing twice."""
    actor = Actor.system("hub_escalate_late")
    done = 0
    for request in list(late_requests(now or timezone.now())[:BATCH]):
        try:
            request_escalate(actor=actor, request=request)
        except DomainError:
            continue  # answered or escalated meanwhile
        done += 1
    return done


@task()
def hub_escalate_late_task() -> int:
    return escalate_late_requests()
