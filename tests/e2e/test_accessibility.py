"""Accessibility and phones, in a real browser over the demo province (`loaddemo`).

axe-core (tests/e2e/vendor/axe.min.js, for the tests only, never served) checks every main page
of every role at 1366×768, and the officer's inbox and letter page at 390×844: no critical and
no serious violation (the failure prints each one, with its elements). On the phone the officer
finds the bell in sight, the filters folded away, the subject across the whole row, the unit's
tasks before the letter, and the letter drawn by PDF.js (under the portal's CSP) with its
download link. The officer's path works from the keyboard alone. Screenshots of the phone pages
go to test-artifacts/e2e/ (E2E_ARTIFACTS).
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from playwright.sync_api import Page, expect

from directives.models import Assignment, Directive, Dispatch
from recipients.models import Unit
from tests.e2e.test_story import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow, pytest.mark.timeout(600)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
BLOCKING = ("critical", "serious")


@pytest.fixture
def demo(settings):
    """The demo province and its letters, loaded as `make run` does (DEBUG only while loading:
    the pages are then served as in production)."""
    settings.DEBUG = True
    settings.SIGNER_P12_DIR = ""  # the demo signer's key from the development PKI
    # In a thread of its own: pyHanko signs through asyncio.run, and Playwright's event loop
    # runs in the test's thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(load_demo).result()
    settings.DEBUG = False
    settings.SIGNING_TRUST_ROOTS = [str(Path(settings.DEV_PKI_DIR) / "ca.pem")]
    sample = Directive.objects.get(number=1038, issuing_unit__code="STTTT")
    assert sample.pdf_status == Directive.PdfStatus.READY
    return sample


def load_demo() -> None:
    try:
        call_command("loaddemo", stdout=io.StringIO())
    finally:
        connection.close()


def axe_violations(page: Page) -> list[dict]:
    """Run axe on the page as it stands; the critical and serious violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("() => axe.run(document, {iframes: false, resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(where: str, violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']}")
        for node in v["nodes"][:8]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {node['target']} {node['html'][:160]} -- {summary[:240]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def check_pages(page: Page, site: str, label: str, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        response = page.goto(f"{site}{path}")
        if response is None or response.status != 200:
            found.append(f"{label} {path}: answered {response and response.status}")
            continue
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found.append(describe(f"{label} {path}", violations))
    return found


def main_pages(sample: Directive) -> dict[str, list[str]]:
    """Each demo login's main pages, as its menu offers them."""
    sttt = Unit.objects.get(code="STTTT")
    chupah = Unit.objects.get(code="UBND.CHUPAH")
    draft = Directive.objects.filter(issuing_unit=sttt, status=Directive.Status.DRAFT).first()
    submitted = Directive.objects.filter(
        issuing_unit=sttt, status=Directive.Status.SUBMITTED
    ).first()
    dispatch = Dispatch.objects.get(directive=sample, unit=chupah)
    numbered = Directive.objects.filter(issuing_unit=sttt, status=Directive.Status.NUMBERED).first()
    task = Assignment.objects.filter(dispatch=dispatch).order_by("task__position").first()
    return {
        "chuyenvien": [
            reverse("directives:list"),
            reverse("directives:create"),
            reverse("directives:detail", args=[draft.pk]),
            reverse("recipients:profile"),
        ],
        "lanhdao": [
            reverse("directives:list") + "?box=to_approve",
            reverse("directives:detail", args=[submitted.pk]),
            reverse("directives:detail", args=[numbered.pk]),
        ],
        "vanthu": [
            reverse("home"),
            reverse("directives:list"),
            reverse("directives:detail", args=[sample.pk]),
            reverse("directives:register"),
            reverse("directives:paper_create"),
            reverse("directives:dashboard"),
            reverse("directives:matrix", args=[sample.pk]),
            reverse("directives:todo"),
            reverse("directives:incoming"),
            reverse("directives:notifications"),
            reverse("recipients:directory"),
        ],
        "chupah": [
            reverse("directives:inbox"),
            reverse("directives:inbox_detail", args=[dispatch.pk]),
            reverse("directives:letter_refuse", args=[dispatch.pk]),
            reverse("directives:assignment_report", args=[task.pk]),
            reverse("directives:assignment_extension", args=[task.pk]),
            reverse("directives:incoming"),
            reverse("directives:outside_letter_new", args=[chupah.pk]),
            reverse("directives:distribution"),
            reverse("directives:notifications"),
        ],
        "chupah.truong": [reverse("directives:distribution"), reverse("directives:todo")],
        "quantri": [
            reverse("admin:index"),
            reverse("admin:recipients_unit_changelist"),
            reverse("admin:recipients_unit_change", args=[chupah.pk]),
            reverse("admin:recipients_user_changelist"),
            reverse("admin:recipients_recipientgroup_changelist"),
        ],
    }


def test_every_main_page_of_every_role_has_no_serious_violation(demo, live_server, page_factory):
    site = live_server.url
    found = []
    visitor = page_factory()
    found += check_pages(visitor, site, "signed out", ["/login/", reverse("directives:verify")])
    for username, paths in main_pages(demo).items():
        page = page_factory()
        log_in(page, site, username)
        found += check_pages(page, site, username, paths)
        page.context.close()
    assert not found, "axe found critical or serious violations:\n" + "\n".join(found)


def phone_page(browser) -> Page:
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(20_000)
    return context.new_page()


def test_the_officer_reads_and_acknowledges_on_a_phone(demo, live_server, browser, screenshot):
    site = live_server.url
    page = phone_page(browser)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pdf_requests: list[str] = []
    page.on("request", lambda r: pdf_requests.append(r.url) if "/pdf/" in r.url else None)
    workers: list[str] = []
    page.on("worker", lambda w: workers.append(w.url))
    try:
        log_in(page, site, "chupah")
        page.goto(f"{site}{reverse('directives:inbox')}")

        # The bell is in sight with the menu folded; the filters are folded away.
        expect(page.locator("#notification-bell")).to_be_visible()
        expect(page.locator("#mainnav")).to_be_hidden()
        expect(page.locator("#inbox-filters")).to_be_hidden()
        expect(page.get_by_test_id("filters-toggle")).to_be_visible()
        # The subject takes the row's whole width (the dates and states go below it).
        row = page.get_by_test_id("inbox-row").first
        subject = row.locator(".inbox-subject")
        assert subject.bounding_box()["width"] >= row.bounding_box()["width"] - 40
        found = axe_violations(page)
        screenshot(page, "phone-01-inbox", full_page=False)
        page.get_by_test_id("filters-toggle").click()
        expect(page.locator("#inbox-filters")).to_be_visible()
        screenshot(page, "phone-02-inbox-filters", full_page=False)

        # The letter page: the unit's tasks come before the letter, drawn by PDF.js.
        row.click()
        viewer = page.get_by_test_id("pdf-viewer")
        expect(viewer).to_have_attribute("data-state", "ready", timeout=30_000)
        expect(page.get_by_test_id("pdf-frame")).to_be_hidden()
        # The hidden frame (loading="lazy") fetched nothing: the phone downloads the PDF once.
        assert [u for u in pdf_requests if "inline=1" in u] == [], pdf_requests
        canvases = viewer.locator("canvas")
        assert canvases.count() >= 1
        first = canvases.first.bounding_box()
        assert first["width"] >= 300 and first["height"] > first["width"], first
        # The page is drawn, not blank: some pixels of its canvas are dark (the text).
        assert canvases.first.evaluate(
            """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      let dark = 0; for (let i = 0; i < d.length; i += 4)
                        if (d[i] < 100 && d[i + 1] < 100 && d[i + 2] < 100) dark++;
                      return dark > 1000; }"""
        )
        tasks = page.get_by_test_id("my-tasks")
        assert tasks.bounding_box()["y"] < viewer.bounding_box()["y"]
        expect(page.get_by_test_id("pdf-download")).to_be_visible()
        expect(page.locator("#notification-bell")).to_be_visible()
        found += axe_violations(page)
        screenshot(page, "phone-03-letter", full_page=False)
        viewer.scroll_into_view_if_needed()
        screenshot(page, "phone-04-letter-pdf", full_page=False)
        # PDF.js parsed the letter in its own worker, which the CSP lets start from 'self'.
        assert any("vendor/pdfjs/pdf.worker.min.mjs" in url for url in workers), workers
        assert not [e for e in errors if "Content Security Policy" in e], errors
        assert not found, describe("phone", found)
    finally:
        page.context.close()


def test_the_officer_acknowledges_with_the_keyboard_alone(demo, live_server, page_factory):
    site = live_server.url
    page = page_factory()
    page.goto(f"{site}/login/")
    page.keyboard.press("Tab")  # the skip link first
    focused_name = "document.activeElement && document.activeElement.name"
    for _ in range(30):
        if page.evaluate(focused_name) == "username":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("chupah")
    page.keyboard.press("Tab")
    assert page.evaluate(focused_name) == "password"
    from recipients.demo import DEMO_PASSWORD

    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("input[name=password]")).to_have_count(0)

    page.goto(f"{site}{reverse('directives:inbox')}")
    sample_row = page.get_by_test_id("inbox-row").filter(has_text="1038/STTTT-TTBCXB")
    tab_to(page, sample_row)
    page.keyboard.press("Enter")
    acknowledge = page.get_by_test_id("acknowledge")
    expect(acknowledge).to_be_visible()
    tab_to(page, acknowledge)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("acknowledged")).to_be_visible()
    dispatch = Dispatch.objects.get(directive=demo, unit__code="UBND.CHUPAH")
    assert dispatch.acknowledged_by.username == "chupah"


def tab_to(page: Page, target, limit: int = 80) -> None:
    """Press Tab until the target has the focus, and check the focus is visible there."""
    handle = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", handle):
            outline = page.evaluate(
                "el => { const s = getComputedStyle(el); return s.outlineStyle !== 'none' ||"
                " s.boxShadow !== 'none'; }",
                handle,
            )
            assert outline, "the focused element shows no focus ring"
            return
    raise AssertionError(f"Tab never reached {target}")


def test_an_autocomplete_box_built_after_the_page_loaded_is_named_by_its_label(
    demo, live_server, page_factory
):
    """select2 builds the admin's autocomplete boxes in a jQuery ready callback, which can run
    after the window's load event; a box built then is still named by its field's label."""
    page = page_factory()
    log_in(page, live_server.url, "quantri")
    chupah = Unit.objects.get(code="UBND.CHUPAH")
    page.goto(f"{live_server.url}{reverse('admin:recipients_unit_change', args=[chupah.pk])}")
    page.wait_for_load_state("load")
    page.evaluate(
        "() => { const $ = django.jQuery;"
        " $('#id_parent').select2('destroy').djangoAdminSelect2(); }"
    )
    box = page.locator("#id_parent + .select2 .select2-selection")
    expect(box).to_have_attribute("aria-labelledby", "id_parent-label")
    assert not axe_violations(page), describe("rebuilt parent box", axe_violations(page))
