from django.urls import path

from safecase.api.v1 import accounts, schema

app_name = "api"

urlpatterns = [
    path("me", accounts.MeApi.as_view(), name="me"),
    path("organisations", accounts.OrganisationListApi.as_view(), name="organisations"),
    path("memberships", accounts.MembershipListApi.as_view(), name="memberships"),
    path("tokens", accounts.TokenListCreateApi.as_view(), name="tokens"),
    path("tokens/<uuid:token_id>/revoke", accounts.TokenRevokeApi.as_view(), name="token_revoke"),
    path("schema/", schema.SchemaApi.as_view(), name="schema"),
    path("docs/", schema.SchemaDocs.as_view(), name="docs"),
]
