"""An office PC's English Chromium (locale en-US, Accept-Language en-US) reads the portal in
Vietnamese; the person who presses "EN" reads English, also after signing out and in again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from recipients import roles
from tests.factories import UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

PASSWORD = "Mat-khau-2026"


def test_an_english_browser_reads_vietnamese_until_the_person_picks_english(
    live_server, page_factory
):
    UserFactory(username="vanthu", unit=UnitFactory(code="STTTT"), roles=[roles.CLERK])
    page = page_factory("en-US")
    assert page.evaluate("navigator.language") == "en-US"
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator("input[name=username]").fill("vanthu")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("link", name="Văn bản").first).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    page.get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Directives").first).to_be_visible()
    # Signed out, the login page stays in the language picked; signed in again, too.
    page.locator("[data-bs-toggle=dropdown]").last.click()
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("input[name=username]").fill("vanthu")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
