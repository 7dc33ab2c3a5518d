"""The receiving unit's services: accept into the book, refuse, the arrival numbers, a letter
entered from outside the portal and its duplicate warning."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from directives.errors import PermissionDeniedError, TransitionError
from directives.models import Event, IncomingBook, IncomingEntry
from directives.selectors.incoming import receiving_state
from directives.selectors.matrix import matrix_build
from directives.selectors.moves import assignment_moves, dispatch_moves
from directives.services.incoming import dispatch_accept, dispatch_refuse
from directives.services.outside import DuplicateLetterWarning, outside_letter_enter
from directives.workdays import local_today
from recipients import roles
from tests.directives.incoming.conftest import PDF_SCAN
from tests.directives.workspace.data import make_issued
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def scan(name="cv.pdf", data=PDF_SCAN):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def outside(clerk, unit, **overrides):
    fields = {
        "by": clerk,
        "unit": unit,
        "source": IncomingEntry.Source.PAPER,
        "issuer_name": "Sở Tài chính tỉnh Gia Lai",
        "number": "2491",
        "symbol": "STC-BCTC",
        "letter_date": datetime.date(2025, 10, 30),
        "subject": "hướng dẫn quyết toán ngân sách năm 2025",
        "scan": scan(),
    }
    fields.update(overrides)
    return outside_letter_enter(**fields)


def test_the_clerk_accepts_a_letter_into_the_agencys_book(clerk, to_sttt, sttt):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk, note="Chuyển phòng TTBCXB")
    assert (entry.unit, entry.arrival_number, entry.year) == (sttt, 1, local_today().year)
    assert entry.issuer_name == "UBND huyện Chư Păh"
    assert (entry.number, entry.symbol) == ("125", "UBND.CHUPAH-TTBCXB")
    assert entry.letter_date == to_sttt.directive.issued_on
    assert entry.doc_type_name == "Công văn" and entry.note == "Chuyển phòng TTBCXB"
    to_sttt.refresh_from_db()
    assert to_sttt.acknowledged_by == clerk  # the issuer is told of receipt too
    verbs = list(Event.objects.filter(directive=to_sttt.directive).values_list("verb", "unit"))
    assert ("acknowledged", sttt.pk) in verbs and ("incoming_accepted", sttt.pk) in verbs
    assert IncomingBook.objects.get(unit=sttt).last_number == 1


def test_arrival_numbers_follow_each_other_per_unit_and_restart_per_unit(
    clerk, sttt, chupah, press, press_officer
):
    letters = [make_issued(units=[sttt, press], issuing_unit=chupah, tasks=0) for _ in range(3)]
    numbers = [
        dispatch_accept(dispatch=d.dispatches.get(unit=sttt), by=clerk).arrival_number
        for d in letters
    ]
    assert numbers == [1, 2, 3]
    press_entry = dispatch_accept(dispatch=letters[2].dispatches.get(unit=press), by=press_officer)
    assert press_entry.arrival_number == 1  # the press's own book


def test_a_letter_is_accepted_once(clerk, to_sttt):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    with pytest.raises(TransitionError, match="1/"):
        dispatch_accept(dispatch=to_sttt, by=clerk)
    with pytest.raises(TransitionError):
        dispatch_refuse(dispatch=to_sttt, by=clerk, reason="misaddressed")
    assert IncomingEntry.objects.count() == 1


def test_another_units_people_cannot_accept_or_refuse(to_sttt, press_officer, chupah):
    issuer_clerk = UserFactory(unit=chupah, roles=[roles.CLERK])
    for person in (press_officer, issuer_clerk):
        assert not dispatch_moves(dispatch=to_sttt, user=person).accept
        with pytest.raises(PermissionDeniedError):
            dispatch_accept(dispatch=to_sttt, by=person)
        with pytest.raises(PermissionDeniedError):
            dispatch_refuse(dispatch=to_sttt, by=person, reason="misaddressed")
    assert not IncomingEntry.objects.exists() and not IncomingBook.objects.exists()


def test_a_recalled_letter_cannot_be_accepted(clerk, to_sttt):
    directive = to_sttt.directive
    directive.status = directive.Status.RECALLED
    directive.save(update_fields=["status"])
    with pytest.raises(TransitionError, match="thu hồi"):
        dispatch_accept(dispatch=to_sttt, by=clerk)
    assert not IncomingEntry.objects.exists()


def test_refusal_needs_a_reason_and_takes_no_number(to_press, press_officer, press):
    with pytest.raises(ValidationError):
        dispatch_refuse(dispatch=to_press, by=press_officer, reason="")
    with pytest.raises(ValidationError):
        dispatch_refuse(dispatch=to_press, by=press_officer, reason="other", comment="  ")
    assert not IncomingEntry.objects.exists()
    entry = dispatch_refuse(
        dispatch=to_press, by=press_officer, reason="misaddressed", comment="Không thuộc Báo"
    )
    assert entry.is_refused and entry.arrival_number is None
    assert not IncomingBook.objects.filter(unit=press).exists()
    event = Event.objects.get(verb="incoming_refused")
    assert event.unit == press and "Không thuộc Báo" in event.comment
    # The unit does not work on the tasks of a letter it refused.
    assignment = to_press.assignments.get()
    assert (
        assignment_moves(assignment=assignment, user=press_officer)
        == type(assignment_moves(assignment=assignment, user=press_officer))()
    )
    assert not dispatch_moves(dispatch=to_press, user=press_officer).acknowledge


def test_the_issuer_sees_edxml_status_codes(clerk, to_sttt, to_press, press_officer):
    states = {
        r.dispatch.unit.code: r.receiving for r in matrix_build(directive=to_sttt.directive).rows
    }
    assert states["STTTT"].code == "01" and states["BAOGL"].code == "01"
    dispatch_accept(dispatch=to_sttt, by=clerk)
    dispatch_refuse(dispatch=to_press, by=press_officer, reason="invalid_signature")
    states = {
        r.dispatch.unit.code: r.receiving for r in matrix_build(directive=to_sttt.directive).rows
    }
    assert (states["STTTT"].code, states["STTTT"].words) == (
        "03",
        "Đã tiếp nhận vào sổ văn bản đến",
    )
    assert states["BAOGL"].code == "02" and "Chữ ký số không hợp lệ" in states["BAOGL"].detail


def test_status_codes_follow_the_units_tasks(clerk, to_sttt):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    assert receiving_state(to_sttt, entry, ["pending"]).code == "03"
    assert receiving_state(to_sttt, entry, ["in_progress"]).code == "05"
    assert receiving_state(to_sttt, entry, ["done", "pending"]).code == "05"
    assert receiving_state(to_sttt, entry, ["done", "accepted"]).code == "06"
    entry.handler_unit = to_sttt.unit  # distribution inside the unit names a handler
    assert receiving_state(to_sttt, entry, ["pending"]).code == "04"
    undelivered = to_sttt
    undelivered.delivery = undelivered.Delivery.PENDING
    undelivered.seen_at = undelivered.acknowledged_at = None
    assert receiving_state(undelivered, None).code == ""


def test_a_letter_from_outside_takes_the_next_number_with_its_scan(clerk, sttt, to_sttt):
    dispatch_accept(dispatch=to_sttt, by=clerk)
    entry = outside(clerk, sttt)
    assert (entry.arrival_number, entry.source) == (2, "paper")
    assert entry.scan.read() == PDF_SCAN and entry.scan_size == len(PDF_SCAN)
    assert Event.objects.get(incoming_entry=entry, verb="incoming_entered").directive is None


def test_the_same_letter_entered_twice_is_warned_about(clerk, sttt):
    first = outside(clerk, sttt)
    with pytest.raises(DuplicateLetterWarning) as warned:
        # Case, accents, spaces and leading zeros aside, the same letter.
        outside(clerk, sttt, issuer_name="SỞ TÀI CHÍNH TỈNH GIA LAI ", number="02491")
    assert warned.value.existing == [first]
    assert IncomingEntry.objects.count() == 1
    assert IncomingBook.objects.get(unit=sttt).last_number == 1  # no number burnt
    second = outside(clerk, sttt, number="2491", confirm_duplicate=True)
    assert second.arrival_number == 2
    other = outside(clerk, sttt, letter_date=datetime.date(2025, 10, 31))
    assert other.arrival_number == 3  # another date: another letter, no warning


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"scan": SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf")}, "không thuộc loại"),
        ({"scan": SimpleUploadedFile("cv.pdf", b"")}, "rỗng"),
        ({"issuer_name": "  "}, "cơ quan ban hành"),
        ({"letter_date": local_today() + datetime.timedelta(days=1)}, "tương lai"),
        ({"number": "12a"}, "chữ số"),
        ({"source": "portal"}, "giấy"),
    ],
)
def test_bad_outside_entries_change_nothing(clerk, sttt, overrides, message):
    with pytest.raises(ValidationError) as refused:
        outside(clerk, sttt, **overrides)
    assert message in " ".join(refused.value.messages).lower()
    assert not IncomingEntry.objects.exists() and not IncomingBook.objects.exists()


def test_a_too_large_scan_is_refused(clerk, sttt, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", PDF_SCAN + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError):
        outside(clerk, sttt, scan=big)
    assert not IncomingEntry.objects.exists()


def test_only_the_books_keepers_enter_outside_letters(sttt, press, press_officer):
    with pytest.raises(PermissionDeniedError):
        outside(press_officer, sttt)
    assert outside(press_officer, press).arrival_number == 1
