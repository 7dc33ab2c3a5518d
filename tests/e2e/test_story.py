"""The portal's story in a real browser: the sample letter from draft to an accepted report.

A drafter of the Sở TT&TT writes công văn 1038 with its two tasks, the deputy director approves,
the clerk numbers it, the deputy director signs it with her own key (PIN), the clerk seals and
issues it, a Celery worker adds the agency's signature and delivers it, an officer of Huyện Chư Păh
acknowledges and reports task 1 done with a file, and the clerk accepts the report.
Screenshots of each step go to test-artifacts/e2e/ (the README shows some of them).
"""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from directives.documents.pki import pki_create, signer_certificate_issue
from directives.models import Assignment, Directive, Dispatch
from recipients.demo import DEMO_PASSWORD, demo_recipients_load

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]

SIGNER_PIN = "246810"
SAMPLE_BODY = Path(__file__).parents[1] / "directives" / "pdf" / "sample-letter-body.md"
SUBJECT = "thông tin, tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội"
KINH_GUI = [
    "Các Sở, ban ngành",
    "Ủy ban nhân dân các huyện, thị xã, thành phố",
    "Các cơ quan báo chí địa phương",
    "Văn phòng đại diện, phóng viên thường trú trên địa bàn tỉnh",
]
NOI_NHAN = [
    ("Bộ TT&TT (báo cáo)", "report"),
    ("UBND tỉnh (báo cáo)", "report"),
    ("Ban Tuyên giáo Tỉnh ủy", "info"),
    ("Phòng VH&TT cấp huyện", "info"),
    ("Trung tâm VH, TT&TT cấp huyện", "info"),
    ("Lưu: VT, P.TTBCXB", "archive"),
]


@pytest.fixture
def province(settings, tmp_path, postgres_required, redis_url):
    """The demo province, a signing key, and a live site the worker's links point at."""
    demo_recipients_load()
    pki = pki_create(
        directory=tmp_path / "pki",
        organisation="Sở Thông tin và Truyền thông Gia Lai",
        password="e2e-pass",
    )
    settings.SIGNING_P12 = str(pki.org_p12)
    settings.SIGNING_P12_PASSWORD = pki.password
    settings.SIGNING_P12_DIR = ""
    settings.SIGNING_TRUST_ROOTS = [str(pki.ca_pem)]
    settings.SIGNER_P12_DIR = str(tmp_path / "signers")
    signer_certificate_issue(
        pki,
        directory=tmp_path / "signers",
        username="lanhdao",
        full_name="Lê Thị Thu Hương",
        organisation="Sở Thông tin và Truyền thông Gia Lai",
        pin=SIGNER_PIN,
    )


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("input[name=password]")).to_have_count(0)


def add_row(page: Page, prefix: str) -> str:
    """Click the formset's add button; return the new row's field name prefix."""
    total = page.locator(f"input[name='{prefix}-TOTAL_FORMS']")
    before = int(total.input_value())
    page.locator(f"[data-formset='{prefix}'] [data-add]").click()
    expect(total).to_have_value(str(before + 1))
    return f"{prefix}-{before}"


def write_sample_letter(page: Page) -> None:
    page.locator("[name=subject]").fill(SUBJECT)
    page.locator("[name=body]").fill(SAMPLE_BODY.read_text(encoding="utf-8"))
    page.locator("[name=signing_authority]").select_option("KT")
    page.locator("[name=head_title]").fill("GIÁM ĐỐC")
    page.locator("[name=signer_title]").fill("PHÓ GIÁM ĐỐC")
    page.locator("[name=signer_name]").fill("Lê Thị Thu Hương")
    for group in KINH_GUI:
        row = add_row(page, "addressees")
        page.locator(f"[name='{row}-group']").select_option(label=group)
    for label, purpose in NOI_NHAN:
        row = add_row(page, "copies")
        page.locator(f"[name='{row}-label']").fill(label)
        page.locator(f"[name='{row}-purpose']").select_option(purpose)
    deadline = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    first = add_row(page, "tasks")
    page.locator(f"[name='{first}-title']").fill(
        "Phổ biến, quán triệt Quyết định số 874/QĐ-BTTTT đến toàn thể công chức, viên chức"
    )
    page.locator(f"[name='{first}-deadline']").fill(deadline)
    page.locator(f"[name='{first}-report_required']").check()
    page.locator(f"[name='{first}-groups']").select_option(label=KINH_GUI[:2])
    second = add_row(page, "tasks")
    page.locator(f"[name='{second}-title']").fill(
        "Tuyên truyền, phổ biến Bộ Quy tắc ứng xử trên mạng xã hội"
    )
    page.locator(f"[name='{second}-deadline']").fill(deadline)
    page.locator(f"[name='{second}-groups']").select_option(label=KINH_GUI[2:])


def test_sample_letter_from_draft_to_accepted_report(
    province, live_server, page_factory, screenshot, celery_worker_thread, tmp_path
):
    site = live_server.url

    # 1. The drafter writes the letter; the live preview shows it as it will be printed.
    drafter = page_factory()
    log_in(drafter, site, "chuyenvien")
    drafter.goto(f"{site}/directives/new/")
    write_sample_letter(drafter)
    preview = drafter.frame_locator("[data-testid=preview-frame]")
    expect(preview.get_by_text("Kính gửi", exact=False).first).to_be_visible()
    screenshot(drafter, "01-drafter-writes-the-letter")
    drafter.locator("[name=body]").scroll_into_view_if_needed()
    screenshot(drafter, "01-drafter-preview", full_page=False)
    drafter.get_by_test_id("save-draft").click()
    expect(drafter.get_by_test_id("subject")).to_contain_text(SUBJECT)
    directive = Directive.objects.get(subject=SUBJECT)
    assert directive.status == Directive.Status.DRAFT
    assert directive.addressees.count() == 4 and directive.tasks.count() == 2
    signer_option = drafter.locator("select[name=signer] option", has_text="Thu Hương")
    drafter.locator("select[name=signer]").select_option(signer_option.get_attribute("value"))
    drafter.get_by_test_id("submit").click()
    expect(drafter.locator(".badge-status").first).to_have_text("Chờ ký duyệt")

    # 2. The signer approves.
    signer = page_factory()
    log_in(signer, site, "lanhdao")
    signer.goto(f"{site}/directives/{directive.pk}/")
    screenshot(signer, "02-signer-reviews")
    signer.get_by_test_id("approve").click()
    expect(signer.locator(".badge-status").first).to_have_text("Đã duyệt")

    # 3. The clerk numbers it; the signer signs it with her key; the clerk seals and issues it,
    # and the worker adds the agency's signature and delivers while the page watches.
    clerk = page_factory()
    log_in(clerk, site, "vanthu")
    clerk.goto(f"{site}/directives/{directive.pk}/")
    clerk.get_by_test_id("number").click()
    expect(clerk.get_by_test_id("confirm-modal-question")).to_contain_text(
        "Cấp số 01/STTTT-TTBCXB, ngày "
    )
    clerk.get_by_test_id("confirm-modal-yes").click()
    expect(clerk.locator(".badge-status").first).to_have_text("Đã cấp số, chờ lãnh đạo ký số")
    signer.reload()
    signer.locator("input[name=pin]").fill(SIGNER_PIN)
    signer.get_by_test_id("sign").click()
    expect(signer.locator(".badge-status").first).to_have_text(
        "Lãnh đạo đã ký số, chờ văn thư đóng dấu"
    )
    clerk.reload()
    clerk.get_by_test_id("issue").click()
    directive.refresh_from_db()
    asked = clerk.get_by_test_id("confirm-modal-question")
    expect(asked).to_contain_text(f"Ban hành số {directive.number_symbol} đến ")
    question = asked.inner_text()
    clerk.get_by_test_id("confirm-modal-yes").click()
    expect(clerk.locator(".badge-status").first).to_have_text("Đã ban hành")
    expect(clerk.locator(f"#pdf-status-{directive.pk}")).to_have_attribute(
        "data-status", "ready", timeout=90_000
    )
    directive.refresh_from_db()
    assert directive.pdf_status == Directive.PdfStatus.READY and directive.number == 1
    assert (
        question
        == f"Ban hành số {directive.number_symbol} đến {directive.dispatches.count()} đơn vị?"
    )
    with directive.pdf.open("rb") as handle:
        assert handle.read().count(b"/ByteRange") == 2, "the signer's and the agency's signatures"
    clerk.reload()
    expect(clerk.get_by_test_id("pdf-frame")).to_be_visible()
    screenshot(clerk, "03-clerk-issued-and-signed")

    # 4. The officer of Huyện Chư Păh finds it at the top of the inbox and acknowledges.
    officer = page_factory()
    log_in(officer, site, "chupah")
    officer.goto(f"{site}/inbox/")
    top = officer.get_by_test_id("inbox-row").first
    expect(top).to_contain_text(directive.number_symbol)
    screenshot(officer, "04-officer-inbox", full_page=False)
    top.click()
    expect(officer.get_by_test_id("pdf-frame")).to_be_visible()
    officer.get_by_test_id("acknowledge").click()
    expect(officer.get_by_test_id("acknowledged")).to_be_visible()

    # 5. ... and reports task 1 done with a file.
    officer.get_by_test_id("task-1").get_by_test_id("report-link").click()
    report = tmp_path / "bao-cao-chu-pah.pdf"
    from weasyprint import HTML

    HTML(string="<h1>Báo cáo kết quả phổ biến Quyết định 874</h1>").write_pdf(report)
    officer.locator("[name=text]").fill(
        "UBND huyện Chư Păh đã tổ chức phổ biến đến 100% công chức, viên chức ngày 28/6/2021."
    )
    officer.locator("input[type=file][name=files]").set_input_files(str(report))
    screenshot(officer, "05-officer-reports-task-1", full_page=False)
    officer.get_by_test_id("submit-report").click()
    expect(officer.get_by_test_id("task-1").get_by_test_id("task-status")).to_contain_text(
        "Hoàn thành"
    )

    # 6. The clerk's matrix shows Chư Păh acknowledged and task 1 done; the clerk accepts.
    clerk.goto(f"{site}/tracking/{directive.pk}/")
    row = clerk.locator("tr[data-unit='UBND.CHUPAH']")
    expect(row.locator("td").nth(1)).to_contain_text("Đã xác nhận")
    # Column 2 is the receiving status (edXML code); the first task follows.
    expect(row.locator("td").nth(3)).to_contain_text("Hoàn thành")
    screenshot(clerk, "06-clerk-matrix")
    screenshot(clerk, "06-clerk-matrix-top", full_page=False)
    row.locator("td").nth(3).locator("a").click()
    expect(clerk.get_by_test_id("report-text")).to_contain_text("100% công chức")
    clerk.get_by_test_id("accept").click()
    expect(clerk.get_by_test_id("assignment-status")).to_contain_text("Đã chấp nhận")
    screenshot(clerk, "07-clerk-accepts-the-report")

    dispatch = Dispatch.objects.get(directive=directive, unit__code="UBND.CHUPAH")
    assert dispatch.acknowledged_by.username == "chupah"
    assert dispatch.acknowledged_pdf_sha256 == directive.pdf_sha256
    accepted = Assignment.objects.get(dispatch=dispatch, task__position=1)
    assert accepted.status == Assignment.Status.ACCEPTED
    assert accepted.files.count() == 1


def test_chu_pahs_letter_handled_inside_the_so(
    province, live_server, page_factory, screenshot, tmp_path
):
    """UBND huyện Chư Păh's letter to the Sở walks the receiving side: the Sở's clerk accepts
    it into the incoming book, the Sở's head assigns it to Phòng TTBCXB, whose officer opens the
    letter's PDF from the task page and reports with a file, the head approves, and Chư Păh's
    matrix shows 01 → 03 → 04 → 05 → 06."""
    from django.core.files.base import ContentFile
    from weasyprint import HTML

    from recipients import roles
    from recipients.models import Unit
    from tests.directives.workspace.data import make_issued
    from tests.factories import UserFactory

    site = live_server.url
    sttt, chupah = Unit.objects.get(code="STTTT"), Unit.objects.get(code="UBND.CHUPAH")
    letter = make_issued(
        units=[sttt],
        issuing_unit=chupah,
        number=7,
        tasks=1,
        subject="báo cáo kết quả tuyên truyền Bộ Quy tắc ứng xử trên mạng xã hội",
    )
    pdf_bytes = HTML(string="<h1>Công văn 7/UBND-VHTT</h1>").write_pdf()
    letter.pdf.save("7-UBND-VHTT.pdf", ContentFile(pdf_bytes), save=False)
    letter.pdf_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    letter.save(update_fields=["pdf", "pdf_sha256"])
    dispatch = Dispatch.objects.get(directive=letter, unit=sttt)
    issuer_clerk = UserFactory(unit=chupah, roles=[roles.CLERK], username="chupah.vanthu2")
    issuer_clerk.set_password(DEMO_PASSWORD)
    issuer_clerk.save()
    issuer = page_factory()
    log_in(issuer, site, issuer_clerk.username)

    def receiving_status(expected: str) -> None:
        issuer.goto(f"{site}/tracking/{letter.pk}/")
        cell = issuer.locator("tr[data-unit='STTTT'] [data-testid=receiving-status]")
        expect(cell).to_contain_text(expected)

    receiving_status("01")

    # 1. The Sở's clerk accepts it into the Sở's incoming book: arrival number 1.
    clerk = page_factory()
    log_in(clerk, site, "vanthu")
    clerk.goto(f"{site}/inbox/{dispatch.pk}/")
    clerk.get_by_test_id("accept").click()
    expect(clerk.get_by_test_id("accepted")).to_contain_text("1/")
    screenshot(clerk, "08-so-clerk-accepts-chu-pahs-letter", full_page=False)
    receiving_status("03")

    # 2. The Sở's head assigns it to Phòng TTBCXB.
    head = page_factory()
    log_in(head, site, "stttt.truong")
    head.goto(f"{site}/distribution/")
    head.get_by_test_id("to-assign").get_by_role("link").first.click()
    form = head.get_by_test_id("hand-over-form")
    form.locator("select[name=handler]").select_option(label="Phòng Thông tin - Báo chí - Xuất bản")
    form.locator("[name=note]").fill("Phòng TTBCXB tổng hợp, báo cáo.")
    screenshot(head, "09-so-head-assigns", full_page=False)
    form.locator("button[type=submit]").click()
    expect(head.get_by_test_id("to-assign")).to_have_count(0)
    receiving_status("04")

    # 3. The division's officer opens the task, its PDF, starts and reports with a file.
    handler = page_factory()
    log_in(handler, site, "ttbcxb")
    handler.goto(f"{site}/distribution/")
    handler.get_by_test_id("handling").get_by_role("link").first.click()
    pdf_link = handler.get_by_test_id("handler-pdf")
    expect(pdf_link).to_be_visible()
    pdf = handler.request.get(site + pdf_link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    handler.get_by_test_id("start").click()
    receiving_status("05")
    report = tmp_path / "bao-cao-ttbcxb.pdf"
    HTML(string="<h1>Báo cáo của Phòng TTBCXB</h1>").write_pdf(report)
    form = handler.get_by_test_id("handler-report-form")
    form.locator("[name=text]").fill("Phòng TTBCXB đã tổng hợp, đề nghị lãnh đạo Sở duyệt.")
    form.locator("input[type=file][name=files]").set_input_files(str(report))
    screenshot(handler, "10-division-reports-to-the-head", full_page=False)
    form.locator("button[type=submit]").click()
    expect(handler.get_by_test_id("handler-files")).to_contain_text("bao-cao-ttbcxb.pdf")

    # 4. The head reviews the report and its file, and approves: Chư Păh sees 06.
    head.goto(f"{site}/distribution/")
    head.get_by_test_id("to-review").get_by_role("link").first.click()
    expect(head.get_by_test_id("handler-report")).to_contain_text("đã tổng hợp")
    expect(head.get_by_test_id("handler-files")).to_contain_text("bao-cao-ttbcxb.pdf")
    head.get_by_test_id("head-approve").click()
    expect(head.get_by_test_id("head-approve")).to_have_count(0)
    receiving_status("06")
    screenshot(issuer, "11-chu-pah-matrix-shows-06", full_page=False)
    task = Assignment.objects.get(dispatch=dispatch)
    assert task.status == Assignment.Status.DONE
    assert list(task.files.values_list("to_issuer", flat=True)) == [True]
