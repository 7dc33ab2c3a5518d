"""URL map of the directives app; each concern's view module declares its own patterns."""

from directives.views import (
    distribution,
    documents,
    drafting,
    exchange,
    handling,
    inbox,
    incoming,
    notices,
    pki,
    register,
    todo,
    tracking,
)

app_name = "directives"

urlpatterns = [
    *drafting.urlpatterns,
    *register.urlpatterns,
    *documents.urlpatterns,
    *notices.urlpatterns,
    *inbox.urlpatterns,
    *incoming.urlpatterns,
    *distribution.urlpatterns,
    *handling.urlpatterns,
    *tracking.urlpatterns,
    *todo.urlpatterns,
    *exchange.urlpatterns,  # another portal posts its edXML messages
    *pki.urlpatterns,  # seals: the development CA's CRL
]
