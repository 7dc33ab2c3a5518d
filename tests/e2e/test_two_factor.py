"""Two-factor login in a real browser: a clerk whose unit requires it sets up the app from the
QR page (the inline image passes the CSP), notes the backup codes, and logs in again with one."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from recipients import roles
from tests.factories import UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]
PASSWORD = "Mat-khau-2026"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_a_clerk_sets_up_the_app_and_logs_in_with_a_backup_code(
    live_server, page_factory, screenshot
):
    unit = UnitFactory(code="STTTT", name="Sở Thông tin và Truyền thông", requires_two_factor=True)
    UserFactory(username="vanthu", unit=unit, roles=[roles.CLERK])
    page = page_factory()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    log_in(page, live_server.url, "vanthu")
    expect(page.get_by_role("heading", name="Thiết lập đăng nhập hai bước")).to_be_visible()
    qr = page.get_by_test_id("two-factor-qr")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR image is drawn"
    # Until the app is set up, the menu is hidden and other pages lead back here.
    expect(page.get_by_test_id("profile-link")).to_have_count(0)
    page.goto(f"{live_server.url}/recipients/profile/")
    expect(page.get_by_test_id("two-factor-enrol")).to_be_visible()
    screenshot(page, "two-factor-enrol")

    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    code = f"{totp(base64.b32decode(secret)):06d}"
    page.locator("input[name=otp_token]").fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_text("Đã bật đăng nhập hai bước.")).to_be_visible()
    codes = page.get_by_test_id("backup-code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Tôi đã ghi lại: tiếp tục").click()
    expect(page.get_by_test_id("profile-link")).to_have_count(1)

    page.get_by_role("button", name="Nguyễn Văn An").click()
    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, live_server.url, "vanthu")
    expect(page.get_by_role("heading", name="Đăng nhập hai bước")).to_be_visible()
    page.locator("input[name=otp_token]").fill("000000")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Mã không đúng")).to_be_visible()
    page.locator("input[name=otp_token]").fill(codes[0])
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_test_id("profile-link")).to_have_count(1)
    assert not refused, refused
