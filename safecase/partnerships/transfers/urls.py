"""Pages of Record transfer (mounted at /transfers/)."""

from django.urls import path

from safecase.partnerships.transfers import views

app_name = "transfers"

urlpatterns = [
    path("sent/", views.outbox, name="outbox"),
    path("received/", views.inbox, name="inbox"),
    path("send/<uuid:person_id>/", views.send, name="send"),
    path("seal/<uuid:person_id>/", views.export, name="seal"),
    path("one-time-link/<uuid:person_id>/", views.download_link, name="one_time_link"),
    path("sent/<uuid:transfer_id>/", views.sent, name="sent"),
    path("sent/<uuid:transfer_id>/resend/", views.resend, name="resend"),
    path("sent/<uuid:transfer_id>/file.pdf", views.sent_pdf, name="sent_pdf"),
    path("sent/<uuid:transfer_id>/bundle.json", views.sent_bundle, name="sent_bundle"),
    path("received/<uuid:transfer_id>/", views.received, name="received"),
    path("received/<uuid:transfer_id>/accept/", views.accept, name="accept"),
    path("received/<uuid:transfer_id>/reject/", views.reject, name="reject"),
    path("people/<uuid:person_id>/", views.person_files, name="person_files"),
    path("files/<uuid:file_id>/", views.received_file, name="file"),
    path("files/<uuid:file_id>/file.pdf", views.received_file_pdf, name="file_pdf"),
    # Public: the receiver without Safecase (a random token, a code, once).
    path("download/<str:token>/", views.download, name="download"),
]
