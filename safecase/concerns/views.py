"""Recording a concern, reading it, adding to it, and the lead's queue and triage."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safecase.access.decorators import requires
from safecase.access.lookups import access_object
from safecase.access.permissions import Permission
from safecase.access.policy import can
from safecase.accounts.models import Membership, User
from safecase.cases import selectors as case_selectors
from safecase.concerns import actions, body_map, patterns, selectors
from safecase.concerns.choices import TriageDecision
from safecase.concerns.forms import (
    ActionForm,
    AddendumForm,
    ConcernForm,
    LinkPersonForm,
    TriageForm,
)
from safecase.concerns.models import Attachment, Concern, PatternAlert
from safecase.concerns.quality import hints_for
from safecase.core.errors import Conflict, DomainError
from safecase.core.files import attachment_response
from safecase.core.pagination import keyset_page
from safecase.people.selectors import people_visible_to


def _category_choices(request: HttpRequest) -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in selectors.categories_for(request.actor)]  # type: ignore[attr-defined]


def _form_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@requires(Permission.CONCERN_RECORD)
@require_http_methods(["GET", "POST"])
def concern_record(request: HttpRequest, concern_id: str | None = None) -> HttpResponse:
    """One page for a new concern or the actor's own draft: save as a draft, or submit."""
    actor = request.actor  # type: ignore[attr-defined]
    concern = None
    if concern_id is not None:
        concern = access_object(
            actor, selectors.drafts_of(actor), concern_id, Permission.CONCERN_RECORD
        )
    choices = _category_choices(request)
    if request.method == "POST":
        form = ConcernForm(request.POST, category_choices=choices)
    else:
        initial = ConcernForm.initial_for(concern) if concern else {}
        form = ConcernForm(initial=initial, category_choices=choices)
    hints = []
    status = 200
    if request.method == "POST" and request.headers.get("X-Autosave") == "1":
        return _autosave(request, form, concern)
    upload = request.FILES.get("attachment")
    too_big = request.method == "POST" and int(request.META.get("CONTENT_LENGTH") or 0) > (
        settings.SAFECASE_MAX_UPLOAD_BYTES + 256 * 1024
    )
    if too_big:
        # The upload handler drops a file over the limit; say so rather than lose it silently.
        form.add_error("attachment", "This file is larger than the limit of 10 MB.")
    if request.method == "POST" and form.is_valid():
        kwargs = form.action_kwargs()
        hints = hints_for(
            fact=kwargs["fact"],
            own_words=kwargs["own_words"],
            happened_at=kwargs["happened_at"],
            location=kwargs["location"],
            names=[p["name"] for p in kwargs["people"]],
        )
        try:
            concern = actions.concern_save_draft(
                actor=actor, concern=concern, version=form.cleaned_data.get("version"), **kwargs
            )
            if upload is not None:
                actions.attachment_add(
                    actor=actor, concern=concern, name=upload.name or "", data=upload.read()
                )
            if "submit" in request.POST:
                concern = actions.concern_submit(
                    actor=actor, concern=concern, version=concern.version
                )
                messages.success(
                    request,
                    "Thank you. Your concern has been sent to the safeguarding lead"
                    + (" and they have been told it is urgent." if concern.is_urgent else "."),
                )
                return redirect("concerns:detail", concern_id=concern.pk)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except DomainError as exc:
            _form_error(form, exc)
            if concern is not None:
                # The draft was saved; keep working on it with its new version.
                return _draft_page(request, form, concern, hints, 422)
        else:
            messages.success(request, "Draft saved. Only you can see it until you submit it.")
            return redirect("concerns:edit", concern_id=concern.pk)
    if form.errors and status == 200:
        status = 422
    return _draft_page(request, form, concern, hints, status)


def _autosave(request: HttpRequest, form: ConcernForm, concern: Concern | None) -> HttpResponse:
    """Save the draft quietly while someone types (R7). Files are only sent with the buttons."""
    if concern is not None and concern.is_submitted:
        return JsonResponse({"saved": False, "reason": "submitted"}, status=409)
    if not form.is_valid():
        return JsonResponse({"saved": False, "reason": "invalid"}, status=422)
    try:
        concern = actions.concern_save_draft(
            actor=request.actor,  # type: ignore[attr-defined]
            concern=concern,
            version=form.cleaned_data.get("version"),
            **form.action_kwargs(),
        )
    except Conflict:
        return JsonResponse({"saved": False, "reason": "changed elsewhere"}, status=409)
    except DomainError as exc:
        return JsonResponse({"saved": False, "reason": exc.message}, status=422)
    return JsonResponse(
        {
            "saved": True,
            "version": concern.version,
            "edit_url": reverse("concerns:edit", kwargs={"concern_id": concern.pk}),
            "saved_at": timezone.localtime(concern.updated_at).strftime("%H:%M"),
        }
    )


def _draft_page(
    request: HttpRequest, form: ConcernForm, concern: Concern | None, hints: list[Any], status: int
) -> HttpResponse:
    if concern is not None and form.is_bound:
        concern.refresh_from_db()
        data = form.data.copy()
        data["version"] = str(concern.version)
        form.data = data
    if not hints and concern is not None:
        hints = hints_for(
            fact=concern.fact,
            own_words=concern.own_words,
            happened_at=concern.happened_at,
            location=concern.location,
            names=[p.name_as_recorded for p in concern.people.all()],
        )
    return render(
        request,
        "concerns/concern_form.html",
        {
            "form": form,
            "concern": concern,
            "hints": hints,
            "attachments": list(concern.attachments.order_by("created_at")) if concern else [],
        },
        status=status,
    )


@requires(Permission.CONCERN_VIEW_OWN)
@require_http_methods(["GET"])
def concern_detail(request: HttpRequest, concern_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    concern = access_object(
        actor,
        selectors.with_details(selectors.concerns_visible_to(actor)),
        concern_id,
        Permission.CONCERN_VIEW_OWN,
        log_view=True,
    )
    return _detail_page(request, concern)


def _detail_page(
    request: HttpRequest, concern: Concern, *, status: int = 200, **forms: Any
) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    may_triage = can(actor, Permission.CONCERN_TRIAGE, concern)
    context: dict[str, Any] = {
        "concern": concern,
        "marks": body_map.for_display(concern.body_map),
        "addenda": concern.addenda.select_related("author").order_by("created_at"),
        "attachments": concern.attachments.select_related("uploaded_by").order_by("created_at"),
        "triages": concern.triages.select_related(
            "triaged_by", "organisation__safeguarding_settings"
        ).order_by("-created_at"),
        "actions": concern.actions.select_related("owner").order_by("due_on"),
        "may_triage": may_triage,
        "addendum_form": forms.get("addendum_form") or AddendumForm(),
        "may_case": can(actor, Permission.CASE_MANAGE)
        and concern.organisation_id == actor.organisation_id,
    }
    if can(actor, Permission.CASE_VIEW):
        context["cases"] = case_selectors.cases_of_concern(actor, concern)
    if may_triage:
        context["action_form"] = forms.get("action_form") or ActionForm(owners=_owners(request))
        context["people_choices"] = list(
            people_visible_to(actor)
            .filter(organisation_id=concern.organisation_id)
            .order_by("family_name", "given_names")[:200]
        )
    return render(request, "concerns/concern_detail.html", context, status=status)


def _owners(request: HttpRequest) -> list[tuple[str, str]]:
    actor = request.actor  # type: ignore[attr-defined]
    members = (
        Membership.objects.filter(organisation_id=actor.organisation_id, is_active=True)
        .select_related("user")
        .order_by("user__full_name")[:500]
    )
    return [(str(m.user_id), m.user.full_name or m.user.email) for m in members]


def _visible_concern(request: HttpRequest, concern_id: str, perm: Permission) -> Concern:
    actor = request.actor  # type: ignore[attr-defined]
    return access_object(actor, selectors.concerns_visible_to(actor), concern_id, perm)


@requires(Permission.CONCERN_RECORD)
@require_POST
def concern_addendum(request: HttpRequest, concern_id: str) -> HttpResponse:
    concern = _visible_concern(request, concern_id, Permission.CONCERN_VIEW_OWN)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            actions.concern_add_addendum(actor=request.actor, concern=concern, **form.cleaned_data)  # type: ignore[attr-defined]
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Addendum added. The original record is unchanged.")
            return redirect("concerns:detail", concern_id=concern.pk)
    return _detail_page(request, concern, status=422, addendum_form=form)


@requires(Permission.CONCERN_TRIAGE)
@require_POST
def concern_link_person(request: HttpRequest, concern_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    concern = _visible_concern(request, concern_id, Permission.CONCERN_TRIAGE)
    form = LinkPersonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a person to link.")
        return redirect("concerns:detail", concern_id=concern.pk)
    named = concern.people.filter(pk=form.cleaned_data["concern_person"]).first()
    person = None
    if form.cleaned_data["person"]:
        person = people_visible_to(actor).filter(pk=form.cleaned_data["person"]).first()
        if person is None:
            messages.error(request, "That person record was not found.")
            return redirect("concerns:detail", concern_id=concern.pk)
    if named is None:
        messages.error(request, "That name is not part of this concern.")
        return redirect("concerns:detail", concern_id=concern.pk)
    try:
        actions.concern_link_person(actor=actor, concern_person=named, person=person)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Linked." if person else "Link removed.")
    return redirect("concerns:detail", concern_id=concern.pk)


@requires(Permission.CONCERN_TRIAGE)
@require_POST
def concern_action_create(request: HttpRequest, concern_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    concern = _visible_concern(request, concern_id, Permission.CONCERN_TRIAGE)
    form = ActionForm(request.POST, owners=_owners(request))
    if form.is_valid():
        owner = User.objects.filter(pk=form.cleaned_data["owner"]).first()
        try:
            if owner is None:
                raise DomainError("Choose who will do it.", field="owner")
            actions.action_create(
                actor=actor,
                concern=concern,
                description=form.cleaned_data["description"],
                owner=owner,
                due_on=form.cleaned_data["due_on"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Action set.")
            return redirect("concerns:detail", concern_id=concern.pk)
    return _detail_page(request, concern, status=422, action_form=form)


@requires(Permission.CONCERN_TRIAGE)
@require_http_methods(["GET", "POST"])
def concern_triage(request: HttpRequest, concern_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    concern = access_object(
        actor,
        selectors.with_details(selectors.concerns_visible_to(actor)),
        concern_id,
        Permission.CONCERN_TRIAGE,
    )
    form = TriageForm(
        request.POST or None,
        initial={"version": concern.version, "review_on": selectors.default_review_date()},
        level_choices=selectors.safeguarding_settings_for(actor.organisation_id).level_choices(),
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.concern_triage(actor=actor, concern=concern, **data)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return _after_triage(request, concern, data["decision"])
    if form.errors and status == 200:
        status = 422
    return render(
        request,
        "concerns/triage_form.html",
        {"form": form, "concern": concern, "marks": body_map.for_display(concern.body_map)},
        status=status,
    )


def _after_triage(request: HttpRequest, concern: Concern, decision: str) -> HttpResponse:
    """Back to the queue; or, for "open a case" and "add to an existing case", on to doing it
    (T4), for those who may manage cases."""
    actor = request.actor  # type: ignore[attr-defined]
    if can(actor, Permission.CASE_MANAGE):
        if decision == TriageDecision.OPEN_CASE:
            messages.success(request, "Triage recorded. Now open the case.")
            return redirect(f"{reverse('cases:open')}?concern={concern.pk}")
        if decision == TriageDecision.ADD_TO_CASE:
            messages.success(request, "Triage recorded. Now choose the case.")
            return redirect("cases:concern_to_case", concern_id=concern.pk)
    messages.success(request, "Triage recorded.")
    return redirect("concerns:queue")


@requires(Permission.CONCERN_TRIAGE)
@require_http_methods(["GET"])
def triage_queue(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    page = selectors.triage_queue_page(actor, cursor=request.GET.get("after"))
    alerts = selectors.open_alerts(actor)
    # Each alert's summary as this reader may see it: the stored one counts every concern behind
    # the alert, some of which they may not open. Shown only, never saved.
    patterns.prefetch_for_summaries(alerts)
    for alert in alerts:
        alert.summary = patterns.summary_for(alert, alert.visible_concerns)
    return render(
        request, "concerns/queue.html", {"page": page, "rows": page.items, "alerts": alerts}
    )


@requires(Permission.CONCERN_TRIAGE)
@require_POST
def alert_review(request: HttpRequest, alert_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    alert = access_object(
        actor,
        PatternAlert.objects.filter(
            organisation_id=actor.organisation_id,
            pk__in=[a.pk for a in selectors.open_alerts(actor)],
        ),
        alert_id,
        Permission.CONCERN_TRIAGE,
    )
    try:
        actions.pattern_alert_review(actor=actor, alert=alert, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Alert reviewed.")
    return redirect("concerns:queue")


@requires(Permission.CONCERN_RECORD)
@require_http_methods(["GET"])
def my_concerns(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    page = keyset_page(
        selectors.my_concerns(actor), key=("-created_at", "id"), cursor=request.GET.get("after")
    )
    actions_page = keyset_page(selectors.actions_of(actor), key=("due_on", "id"), cursor=None)
    return render(request, "concerns/my_concerns.html", {"page": page, "my_actions": actions_page})


@requires(Permission.ORG_VIEW)
@require_POST
def action_complete(request: HttpRequest, action_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    action = access_object(
        actor, selectors.actions_completable_by(actor), action_id, Permission.ORG_VIEW
    )
    try:
        actions.action_complete(actor=actor, action=action)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Action marked as done.")
    if request.POST.get("back") == "concern":
        return redirect("concerns:detail", concern_id=action.concern_id)
    return redirect("concerns:mine")


@requires(Permission.CONCERN_RECORD)
@require_http_methods(["GET"])
def attachment_download(request: HttpRequest, attachment_id: str) -> HttpResponse:
    """Decrypt and send a file to someone who may see its concern (or its draft's author)."""
    actor = request.actor  # type: ignore[attr-defined]
    visible = selectors.concerns_visible_to(actor) | selectors.drafts_of(actor)
    attachment = access_object(
        actor,
        Attachment.objects.filter(concern__in=visible.values("pk")),
        attachment_id,
        Permission.CONCERN_RECORD,
    )
    try:
        data = actions.attachment_read(actor=actor, attachment=attachment)
    except Conflict as exc:  # not scanned yet, or quarantined: never served
        context = {"attachment": attachment, "message": exc.message}
        return render(request, "concerns/attachment_unavailable.html", context, status=409)
    return attachment_response(data, filename=attachment.display_name, mime=attachment.mime)


@requires(Permission.CONCERN_TRIAGE)
@require_POST
def concern_significance(request: HttpRequest, concern_id: str) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    concern = _visible_concern(request, concern_id, Permission.CONCERN_TRIAGE)
    try:
        actions.concern_mark_significant(
            actor=actor, concern=concern, significant=request.POST.get("significant") == "1"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    back = request.POST.get("person")
    if back:
        return (
            redirect(f"/people/{back}/#chronology")
            if _is_uuid(back)
            else redirect("concerns:queue")
        )
    return redirect("concerns:detail", concern_id=concern.pk)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
