from django.urls import include, path

urlpatterns = [
    path("", include("safecase.web.urls")),
    path("", include("safecase.accounts.urls")),
    path("audit/", include("safecase.audit.urls")),
    path("people/", include("safecase.people.urls")),
    path("concerns/", include("safecase.concerns.urls")),
    path("cases/", include("safecase.cases.urls")),
    path("hub/", include("safecase.partnerships.urls")),
    path("known-to/", include("safecase.partnerships.knownto.urls")),
    path("transfers/", include("safecase.partnerships.transfers.urls")),
    path("sharing/", include("safecase.sharing.urls")),
    path("webhooks/", include("safecase.api.webhooks.urls")),
    path("search/", include("safecase.insight.urls")),
    path("notifications/", include("safecase.notifications.urls")),
    path("api-tokens/", include("safecase.api.urls_web")),
    path("api/v1/", include("safecase.api.urls")),
]

handler403 = "safecase.web.errors.permission_denied"
handler404 = "safecase.web.errors.page_not_found"
handler500 = "safecase.web.errors.server_error"
