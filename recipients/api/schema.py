"""How the schema describes the token authentication (registered when the API's URLs load)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from recipients.api.authentication import ApiTokenAuthentication


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's word for the token: HTTP bearer."""

    target_class = ApiTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
