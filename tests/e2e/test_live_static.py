"""The live server the browser tests use serves static files as whitenoise does: the letter's
fonts with Access-Control-Allow-Origin, so the sandboxed preview frame may use them."""

from __future__ import annotations

import urllib.request


def test_the_live_server_serves_the_fonts_with_cors(live_server):
    url = f"{live_server.url}/static/fonts/LiberationSerif-Regular.ttf"
    request = urllib.request.Request(url, headers={"Origin": "null"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
