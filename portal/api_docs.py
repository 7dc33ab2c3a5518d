"""ReDoc at /api/docs/redoc/ under the portal's CSP: drf-spectacular's view, with a template
that has no inline script or style of its own, and this response's nonce allowed for the
<style> elements ReDoc writes (its `nonce` option puts the nonce on them). ReDoc's search runs
in a web worker that it makes from a blob: URL (its bundled lunr index): this page alone
allows blob: workers. Nothing else of the policy changes, and only on this page."""

from __future__ import annotations

from csp.constants import NONCE
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"

    @extend_schema(exclude=True)  # a page about the API, not part of it (as the parent's get)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response.data["csp_nonce"] = str(request.csp_nonce)
        # django-csp's csp_update, for this response only
        response._csp_update = {"style-src": [NONCE], "worker-src": ["blob:"]}
        return response
