"""`manage.py loaddemo` adds the sample letter, issued and signed, and a directive on each desk;
running it again adds nothing."""

from __future__ import annotations

import datetime
import io
from io import BytesIO

import pytest
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader

from directives.models import Assignment, Directive, Dispatch, Event, Notification, Register
from directives.selectors.scope import dispatches_visible_to
from directives.workdays import local_today
from recipients.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Directive, Event, Dispatch, Assignment, Notification)
    )


@pytest.fixture
def demo_settings(settings, tmp_path):
    settings.DEBUG = True
    settings.DEV_PKI_DIR = tmp_path / "pki"
    settings.SIGNER_P12_DIR = ""  # as in `make run`: the signer's key from the dev PKI


def test_loaddemo_twice_adds_the_demo_directives_once(demo_settings):
    out = io.StringIO()
    call_command("loaddemo", stdout=out)
    first = counts()
    call_command("loaddemo", stdout=io.StringIO())

    assert counts() == first
    sample = Directive.objects.get(number=1038)
    assert sample.number_symbol == "1038/STTTT-TTBCXB"
    assert (sample.issued_on, sample.register_year) == (datetime.date(2021, 6, 24), 2021)
    assert (sample.signing_authority, sample.head_title, sample.signer_title) == (
        "KT",
        "GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
    )
    assert sample.signer_name == "Lê Thị Thu Hương" and sample.signer.username == "lanhdao"
    assert [a.printed_label for a in sample.addressees.all()] == [
        "Các Sở, ban ngành",
        "Ủy ban nhân dân các huyện, thị xã, thành phố",
        "Các cơ quan báo chí địa phương",
        "Văn phòng đại diện, phóng viên thường trú trên địa bàn tỉnh",
    ]
    assert [t.deadline for t in sample.tasks.all()] == [
        datetime.date(2021, 7, 15),
        datetime.date(2021, 7, 31),
    ]
    assert sample.dispatches.filter(unit__code="UBND.CHUPAH").exists()
    assert sample.dispatches.filter(unit__code="BTTTT").exists()
    assert not sample.dispatches.filter(unit__code="STTTT").exists()
    assert Assignment.objects.filter(task__directive=sample).count() > 40
    verbs = list(sample.events.values_list("verb", flat=True))
    assert verbs[:6] == ["created", "submitted", "approved", "numbered", "signed", "issued"]
    assert sample.pdf_status == Directive.PdfStatus.READY and sample.pdf_sha256
    with sample.pdf.open("rb") as handle:
        signatures = PdfFileReader(BytesIO(handle.read())).embedded_signatures
    assert [s.field_name for s in signatures] == ["ChuKyNguoiKy", "ChuKySo"]
    assert "Lê Thị Thu Hương" in signatures[0].signer_cert.subject.human_friendly
    assert "1038/STTTT-TTBCXB" in out.getvalue()

    sttt_letters = Directive.objects.filter(issuing_unit__code="STTTT").exclude(pk=sample.pk)
    statuses = set(sttt_letters.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "approved", "numbered"}
    submitted = Directive.objects.get(status="submitted")
    assert submitted.signer.username == "lanhdao" and submitted.doc_type == "KH"


def test_the_demo_issues_from_two_units_one_letter_to_the_other(demo_settings):
    """UBND huyện Chư Păh issues from its own register with its own people and keys, writing
    "UBND" like the province's committee; its report goes to the Sở, whose sample letter went
    to Chư Păh; its normative decision waits for its clerk, for its normative register."""
    call_command("loaddemo", stdout=io.StringIO())
    report = Directive.objects.get(issuing_unit__code="UBND.CHUPAH", status="issued")
    assert report.number_symbol == "01/UBND-VHTT"
    assert report.register_year == local_today().year
    assert report.drafter.username == "chupah.chuyenvien"
    assert report.signer.username == "chupah.lanhdao"
    numbered_by = report.events.get(verb="numbered").actor.username
    assert numbered_by == "chupah.vanthu"
    assert list(report.dispatches.values_list("unit__code", flat=True)) == ["STTTT"]
    assert Dispatch.objects.filter(
        directive__issuing_unit__code="STTTT", unit__code="UBND.CHUPAH"
    ).exists()
    assert report.pdf_status == Directive.PdfStatus.READY
    with report.pdf.open("rb") as handle:
        signatures = PdfFileReader(BytesIO(handle.read())).embedded_signatures
    names = [s.signer_cert.subject.human_friendly for s in signatures]
    assert "Nguyễn Văn Quang" in names[0] and "Ủy ban nhân dân huyện Chư Păh" in names[1]
    decision = Directive.objects.get(issuing_unit__code="UBND.CHUPAH", status="approved")
    assert decision.is_normative and decision.issuing_unit.has_normative_register
    assert Register.objects.filter(unit__code="UBND.CHUPAH", kind="general").get().last_number == 1
    # Each clerk's desk: the Sở's clerk cannot number Chư Păh's decision; Chư Păh's can.
    from directives.selectors.moves import directive_moves

    vanthu, chupah_clerk = (User.objects.get(username=n) for n in ("vanthu", "chupah.vanthu"))
    assert not directive_moves(directive=decision, user=vanthu).number
    assert directive_moves(directive=decision, user=chupah_clerk).number
    # The Sở's inbox gets the report.
    stttt = User.objects.get(username="stttt")
    assert dispatches_visible_to(stttt).filter(directive=report).exists()
