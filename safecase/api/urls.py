from django.urls import path

from safecase.api.v1 import (
    accounts,
    alerts,
    attachments,
    case_allegations,
    case_decisions,
    case_investigations,
    case_learning,
    case_notes,
    case_referrals,
    case_risk,
    case_tasks,
    cases,
    concerns,
    hub,
    known_to,
    people,
    schema,
    sharing,
    transfers,
    triage,
    webhooks,
)

app_name = "api"

urlpatterns = [
    path("me", accounts.MeApi.as_view(), name="me"),
    path("organisations", accounts.OrganisationListApi.as_view(), name="organisations"),
    path("memberships", accounts.MembershipListApi.as_view(), name="memberships"),
    path("tokens", accounts.TokenListCreateApi.as_view(), name="tokens"),
    path("tokens/<uuid:token_id>/revoke", accounts.TokenRevokeApi.as_view(), name="token_revoke"),
    # People
    path("people", people.PersonListCreateApi.as_view(), name="people"),
    path("people/<uuid:person_id>", people.PersonApi.as_view(), name="person"),
    path(
        "people/<uuid:person_id>/identifiers",
        people.PersonIdentifierCreateApi.as_view(),
        name="person_identifiers",
    ),
    path(
        "people/<uuid:person_id>/chronology",
        people.PersonChronologyApi.as_view(),
        name="person_chronology",
    ),
    # Concerns
    path("categories", concerns.CategoryListApi.as_view(), name="categories"),
    path("concerns", concerns.ConcernCreateApi.as_view(), name="concerns"),
    path("concerns/mine", concerns.MyConcernListApi.as_view(), name="my_concerns"),
    path("concerns/queue", triage.TriageQueueApi.as_view(), name="triage_queue"),
    path("concerns/<uuid:concern_id>", concerns.ConcernApi.as_view(), name="concern"),
    path(
        "concerns/<uuid:concern_id>/submit",
        concerns.ConcernSubmitApi.as_view(),
        name="concern_submit",
    ),
    path(
        "concerns/<uuid:concern_id>/addenda",
        concerns.ConcernAddendumCreateApi.as_view(),
        name="concern_addenda",
    ),
    path(
        "concerns/<uuid:concern_id>/triage",
        triage.ConcernTriageApi.as_view(),
        name="concern_triage",
    ),
    path(
        "concerns/<uuid:concern_id>/people/<uuid:concern_person_id>/link",
        triage.ConcernPersonLinkApi.as_view(),
        name="concern_person_link",
    ),
    path(
        "concerns/<uuid:concern_id>/actions",
        triage.ConcernActionCreateApi.as_view(),
        name="concern_actions",
    ),
    path(
        "concerns/<uuid:concern_id>/attachments",
        attachments.ConcernAttachmentListCreateApi.as_view(),
        name="concern_attachments",
    ),
    path(
        "concerns/<uuid:concern_id>/attachments/<uuid:attachment_id>/download",
        attachments.ConcernAttachmentDownloadApi.as_view(),
        name="concern_attachment_download",
    ),
    path("alerts", alerts.AlertListApi.as_view(), name="alerts"),
    path("alerts/<uuid:alert_id>/review", alerts.AlertReviewApi.as_view(), name="alert_review"),
    path("actions/mine", triage.MyActionListApi.as_view(), name="my_actions"),
    path(
        "actions/<uuid:action_id>/complete",
        triage.ActionCompleteApi.as_view(),
        name="action_complete",
    ),
    # Cases (issue 4)
    path("cases", cases.CaseListCreateApi.as_view(), name="cases"),
    path("cases/<uuid:case_id>", cases.CaseApi.as_view(), name="case"),
    path("cases/<uuid:case_id>/stage", cases.CaseStageApi.as_view(), name="case_stage"),
    path(
        "cases/<uuid:case_id>/allocations",
        cases.CaseAllocationApi.as_view(),
        name="case_allocations",
    ),
    path(
        "cases/<uuid:case_id>/concerns", cases.CaseConcernCreateApi.as_view(), name="case_concerns"
    ),
    path(
        "cases/<uuid:case_id>/subjects", cases.CaseSubjectCreateApi.as_view(), name="case_subjects"
    ),
    path("schema/", schema.SchemaApi.as_view(), name="schema"),
    path("docs/", schema.SchemaDocs.as_view(), name="docs"),
    # The parts of a case (issue 4), each under cases/<case_id>/.
    *case_risk.urlpatterns,
    *case_referrals.urlpatterns,
    *case_tasks.urlpatterns,
    *case_investigations.urlpatterns,
    *case_decisions.urlpatterns,
    *case_allegations.urlpatterns,
    *case_learning.urlpatterns,
    *case_notes.urlpatterns,
    # Multi-agency working (issue 5).
    *hub.urlpatterns,
    *sharing.urlpatterns,
    *known_to.urlpatterns,
    *transfers.urlpatterns,
    *webhooks.urlpatterns,
]
