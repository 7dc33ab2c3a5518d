"""The API's docs in a browser under the portal's CSP: Swagger UI and ReDoc draw the schema
from the portal's own files, and the browser reports no refused script, style or font."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from recipients import roles
from tests.factories import UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

PASSWORD = "Mat-khau-2026"


def _signed_in(live_server, page) -> None:
    UserFactory(username="chuyenvien", unit=UnitFactory(code="STTTT"), roles=[roles.DRAFTER])
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("chuyenvien")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Văn bản").first).to_be_visible()


def _refusals(page) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else 0)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def test_redoc_draws_the_schema_under_the_csp(live_server, page_factory):
    page = page_factory()
    _signed_in(live_server, page)
    refused = _refusals(page)
    page.goto(f"{live_server.url}/api/docs/redoc/")
    # The schema is made on request: on a busy machine it takes a few seconds.
    expect(page.locator("h1").first).to_contain_text("Directive portal API", timeout=30000)
    expect(page.get_by_text("/api/v1/incoming/{id}/assign/").first).to_be_attached()
    # Every <style> carries the response's nonce: ReDoc's own, and the bundled scrollbar's,
    # which the bundle writes before ReDoc knows the nonce (refused then, so redoc-init.js
    # writes it again with the nonce); both apply.
    styles = page.locator("style")
    assert styles.count() >= 2
    assert page.evaluate("Array.from(document.querySelectorAll('style')).every(s => s.nonce)")
    menu = page.locator(".menu-content").first
    assert menu.evaluate("e => getComputedStyle(e).position") in ("sticky", "fixed")
    rail = page.locator(".ps__rail-y").first
    assert rail.evaluate("e => getComputedStyle(e).position") == "absolute"  # the .ps rules
    # Nothing else is refused but ReDoc's attribution logo from its CDN: no script, no style
    # left out, and nothing leaves the portal.
    others = [
        r
        for r in refused
        if not r.startswith("Applying inline style") and "cdn.redoc.ly/redoc/logo" not in r
    ]
    assert others == []


def test_redocs_search_finds_an_operation_under_the_csp(live_server, page_factory):
    """The search box (its index in a blob: worker, which this page's CSP alone allows) finds
    an operation by a word of its path, and the browser refuses nothing for it."""
    page = page_factory()
    _signed_in(live_server, page)
    refused = _refusals(page)
    page.goto(f"{live_server.url}/api/docs/redoc/")
    # The schema is made on request: on a busy machine it takes a few seconds.
    expect(page.locator("h1").first).to_contain_text("Directive portal API", timeout=30000)
    search = page.get_by_placeholder("Search...")
    expect(search).to_be_visible()
    search.fill("handlers")
    # ReDoc names an operation by its id: the two `handlers/` operations are found.
    results = page.locator("[data-role='search:results'] li")
    expect(results.filter(has_text="handlers_list").first).to_be_visible(timeout=15000)
    assert results.count() >= 2
    assert [r for r in refused if "worker" in r.lower() or "blob:" in r] == []
    others = [
        r
        for r in refused
        if not r.startswith("Applying inline style") and "cdn.redoc.ly/redoc/logo" not in r
    ]
    assert others == []


def test_swagger_ui_draws_the_schema_without_a_csp_refusal(live_server, page_factory):
    page = page_factory()
    _signed_in(live_server, page)
    refused = _refusals(page)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title").first).to_contain_text("Directive portal API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert refused == []
