"""The handler's side of a received letter, as the Sở's division officer and head use it: the
letter's PDF and attachments from the task page (another unit's are a 404), files with the
handler's report (the head sees them, the issuer only after the head's approval), a letter with
no task handled as a whole (05, then 06 in the issuer's matrix), and the book's "ký nhận"."""

from __future__ import annotations

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directives.models import Assignment, Dispatch, IncomingEntry, ReportFile
from directives.selectors.matrix import matrix_build
from directives.services.distribution import incoming_entry_assign
from directives.services.incoming import dispatch_accept
from recipients import roles
from recipients.models import Unit
from tests.directives.incoming.conftest import PDF_SCAN, with_files
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def press_division(press) -> Unit:
    return UnitFactory(
        code="BAO.PV", name="Phòng Phóng viên", kind=Unit.Kind.DIVISION, parent=press
    )


@pytest.fixture
def stranger(press_division):
    """An officer of another unit's division, handed nothing of the Sở."""
    return UserFactory(unit=press_division, roles=[roles.UNIT_OFFICER])


def code_of(directive, unit) -> str:
    return next(
        r for r in matrix_build(directive=directive).rows if r.dispatch.unit == unit
    ).receiving.code


def test_the_handler_opens_the_letters_pdf_and_attachments_from_the_task_page(
    client, clerk, head, division, division_officer, stranger, press_officer, letter, to_sttt
):
    attachment = with_files(letter)
    pdf_url = reverse("directives:distribution_pdf", args=[letter.pk])
    attachment_url = reverse("directives:distribution_attachment", args=[attachment.pk])
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)

    client.force_login(division_officer)
    # Not handed anything yet: the Sở's letter is not theirs to open.
    assert client.get(pdf_url).status_code == 404
    assert client.get(reverse("directives:distribution_letter", args=[entry.pk])).status_code == 404

    incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    task = Assignment.objects.get(dispatch=to_sttt)
    page = client.get(reverse("directives:distribution_task", args=[task.pk])).content.decode()
    assert pdf_url in page and attachment_url in page
    response = client.get(pdf_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_SCAN
    assert client.get(attachment_url).status_code == 200
    letter_page = client.get(reverse("directives:distribution_letter", args=[entry.pk]))
    assert letter_page.status_code == 200 and pdf_url in letter_page.content.decode()

    # Another unit's people: a 404, whether an officer of the other unit or of its division.
    for other in (stranger, press_officer):
        client.force_login(other)
        for url in (
            pdf_url,
            attachment_url,
            reverse("directives:distribution_task", args=[task.pk]),
            reverse("directives:distribution_letter", args=[entry.pk]),
        ):
            assert client.get(url).status_code == 404, (other.username, url)


def test_the_handlers_files_reach_the_head_and_go_to_the_issuer_on_approval(
    client, clerk, head, division, division_officer, issuer_clerk, letter, to_sttt
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    task = Assignment.objects.get(dispatch=to_sttt)
    report_url = reverse("directives:distribution_report", args=[task.pk])

    client.force_login(division_officer)
    bad = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    client.post(report_url, {"text": "Đã triển khai.", "files": [bad]})
    task.refresh_from_db()
    assert task.head_review == "" and not ReportFile.objects.exists()  # refused, nothing kept

    good = SimpleUploadedFile("bao-cao.pdf", PDF_SCAN, content_type="application/pdf")
    client.post(report_url, {"text": "Đã triển khai.", "files": [good]})
    task.refresh_from_db()
    assert task.head_review == "waiting"
    item = ReportFile.objects.get(assignment=task)
    assert item.to_issuer is False
    file_url = reverse("directives:distribution_report_file", args=[item.pk])
    assert client.get(file_url).status_code == 200

    # The issuer sees nothing of it before the head's approval.
    client.force_login(issuer_clerk)
    assert client.get(reverse("directives:report_file", args=[item.pk])).status_code == 404
    assert client.get(file_url).status_code == 404

    client.force_login(head)
    review = client.get(reverse("directives:distribution_task", args=[task.pk])).content.decode()
    assert file_url in review and "bao-cao.pdf" in review
    assert client.get(file_url).status_code == 200
    client.post(reverse("directives:distribution_approve", args=[task.pk]))
    item.refresh_from_db()
    assert item.to_issuer is True
    after = client.get(reverse("directives:distribution_task", args=[task.pk])).content.decode()
    assert file_url in after  # the unit still sees what it sent

    client.force_login(issuer_clerk)
    page = client.get(reverse("directives:assignment_review", args=[task.pk])).content.decode()
    assert "bao-cao.pdf" in page
    assert client.get(reverse("directives:report_file", args=[item.pk])).status_code == 200


def test_a_report_sent_again_with_files_replaces_the_earlier_ones(
    client, clerk, head, division, division_officer, letter, to_sttt
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    task = Assignment.objects.get(dispatch=to_sttt)
    client.force_login(division_officer)
    first = SimpleUploadedFile("lan-1.pdf", PDF_SCAN, content_type="application/pdf")
    client.post(
        reverse("directives:distribution_report", args=[task.pk]), {"text": "A", "files": [first]}
    )
    client.force_login(head)
    client.post(reverse("directives:distribution_return", args=[task.pk]), {"reason": "Bổ sung"})
    client.force_login(division_officer)
    second = SimpleUploadedFile("lan-2.pdf", PDF_SCAN, content_type="application/pdf")
    client.post(
        reverse("directives:distribution_report", args=[task.pk]), {"text": "B", "files": [second]}
    )
    assert list(ReportFile.objects.values_list("name", flat=True)) == ["lan-2.pdf"]


@pytest.fixture
def notice(sttt, chupah):
    """A letter of Chư Păh to the Sở with no task: for information and to carry out."""
    return make_issued(units=[sttt], issuing_unit=chupah, number=130, tasks=0)


def test_a_letter_with_no_task_is_handled_then_approved_and_the_issuer_sees_06(
    client, clerk, head, division, division_officer, notice, sttt
):
    to_sttt = Dispatch.objects.get(directive=notice, unit=sttt)
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    assert code_of(notice, sttt) == "03"
    incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    assert code_of(notice, sttt) == "04"

    client.force_login(division_officer)
    desk = client.get(reverse("directives:distribution")).content.decode()
    letter_url = reverse("directives:distribution_letter", args=[entry.pk])
    assert letter_url in desk
    page = client.get(letter_url).content.decode()
    assert 'data-testid="letter-start"' in page and 'data-testid="handled-form"' in page
    client.post(reverse("directives:distribution_letter_start", args=[entry.pk]))
    assert code_of(notice, sttt) == "05"

    handled = reverse("directives:distribution_letter_handled", args=[entry.pk])
    response = client.post(handled, {"text": "   "}, follow=True)
    assert "Hãy nói ngắn gọn văn bản đã được xử lý thế nào." in response.content.decode()
    entry.refresh_from_db()
    assert entry.head_review == ""
    client.post(handled, {"text": "Đã phổ biến đến các phòng."})
    entry.refresh_from_db()
    assert entry.head_review == "waiting" and code_of(notice, sttt) == "05"
    # The handler cannot approve their own account.
    client.post(reverse("directives:distribution_letter_approve", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.handled_at is None

    client.force_login(head)
    assert letter_url in client.get(reverse("directives:distribution")).content.decode()
    todo = client.get(reverse("directives:todo")).content.decode()
    assert letter_url in todo and "Đã xử lý trong đơn vị, chờ xem xét" in todo
    client.post(
        reverse("directives:distribution_letter_return", args=[entry.pk]),
        {"reason": "Ghi rõ ngày."},
    )
    entry.refresh_from_db()
    assert entry.head_review == "returned" and code_of(notice, sttt) == "05"

    client.force_login(division_officer)
    client.post(handled, {"text": "Đã phổ biến đến các phòng ngày 01/12."})
    client.force_login(head)
    client.post(reverse("directives:distribution_letter_approve", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.handled_at is not None and entry.handled_approved_by == head
    assert code_of(notice, sttt) == "06"


def test_a_letter_with_tasks_is_not_marked_handled_as_a_whole(
    client, clerk, head, division, division_officer, letter, to_sttt
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    client.force_login(division_officer)
    page = client.get(reverse("directives:distribution_letter", args=[entry.pk])).content.decode()
    assert 'data-testid="handled-form"' not in page and 'data-testid="letter-tasks"' in page
    desk = client.get(reverse("directives:distribution")).content.decode()
    assert 'data-testid="letters-handling"' not in desk and 'data-testid="handling"' in desk
    client.post(reverse("directives:distribution_letter_handled", args=[entry.pk]), {"text": "x"})
    entry.refresh_from_db()
    assert entry.head_review == "" and entry.handler_report == ""


def test_the_books_signed_for_column_shows_who_received_it_and_when(
    client, clerk, head, division, division_officer, letter, to_sttt, sttt, chupah, press
):
    other = make_issued(units=[sttt], issuing_unit=chupah, number=131, tasks=0)
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    unassigned = dispatch_accept(dispatch=Dispatch.objects.get(directive=other), by=clerk)
    incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    book = reverse("directives:incoming_book", args=[sttt.pk])
    client.force_login(clerk)
    assert "Phòng TTBCXB, được giao" in client.get(book).content.decode()

    client.force_login(division_officer)
    client.get(reverse("directives:distribution_letter", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.handler_opened_by == division_officer and entry.handler_opened_at is not None
    opened_on = entry.handler_opened_at

    client.force_login(clerk)
    html = client.get(book).content.decode()
    assert "Nguyễn Lan (Phòng TTBCXB), đã mở" in html or "Lan Nguyễn (Phòng TTBCXB), đã mở" in html

    printed = client.get(reverse("directives:incoming_book_print", args=[sttt.pk])).content.decode()
    # Room for a paper signature only on the line nobody inside the unit received digitally.
    assert printed.count('data-testid="paper-signature"') == 1
    assert "(Phòng TTBCXB), đã mở" in printed

    data = client.get(reverse("directives:incoming_book_xlsx", args=[sttt.pk])).content
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [str(c.value or "") for row in sheet.iter_rows() for c in row]
    assert any("(Phòng TTBCXB), đã mở" in c for c in cells)
    # A second opening does not move the date.
    client.force_login(division_officer)
    client.get(reverse("directives:distribution_letter", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.handler_opened_at == opened_on
    assert IncomingEntry.objects.get(pk=unassigned.pk).handler_opened_at is None


def test_the_heads_letter_page_links_to_the_work_inside_the_unit(
    client, clerk, head, press_officer, letter, to_sttt, to_press
):
    client.force_login(head)
    page = client.get(reverse("directives:inbox_detail", args=[to_sttt.pk])).content.decode()
    assert "vào sổ văn bản đến của đơn vị với số đến tiếp theo" in page  # before any receipt
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    page = client.get(reverse("directives:inbox_detail", args=[to_sttt.pk])).content.decode()
    assert reverse("directives:distribution_letter", args=[entry.pk]) in page
    # An officer who neither heads nor handles anything of it gets no such link.
    dispatch_accept(dispatch=to_press, by=press_officer)
    client.force_login(press_officer)
    page = client.get(reverse("directives:inbox_detail", args=[to_press.pk])).content.decode()
    assert 'data-testid="distribution-letter-link"' not in page


def test_the_issuers_history_shows_the_units_report_only_once_the_head_approves(
    client, clerk, head, division, division_officer, issuer_clerk, letter, to_sttt
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    incoming_entry_assign(entry=entry, by=head, handler_unit=division, note="Ghi chú nội bộ")
    task = Assignment.objects.get(dispatch=to_sttt)
    client.force_login(division_officer)
    client.post(reverse("directives:distribution_report", args=[task.pk]), {"text": "Bản nháp 42"})
    client.force_login(head)
    client.post(
        reverse("directives:distribution_return", args=[task.pk]), {"reason": "Sửa số liệu"}
    )

    client.force_login(issuer_clerk)
    page = client.get(reverse("directives:detail", args=[letter.pk])).content.decode()
    assert 'data-testid="history"' in page and "Đã tiếp nhận vào sổ văn bản đến" in page
    for internal in ("Ghi chú nội bộ", "Bản nháp 42", "Sửa số liệu"):
        assert internal not in page

    client.force_login(division_officer)
    client.post(reverse("directives:distribution_report", args=[task.pk]), {"text": "Bản cuối 43"})
    client.force_login(head)
    client.post(reverse("directives:distribution_approve", args=[task.pk]))
    client.force_login(issuer_clerk)
    page = client.get(reverse("directives:detail", args=[letter.pk])).content.decode()
    assert "Bản cuối 43" in page and "Bản nháp 42" not in page
