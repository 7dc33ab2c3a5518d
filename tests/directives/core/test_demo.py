"""`manage.py loaddemo` adds the sample letter, issued and signed, and a directive on each desk;
running it again adds nothing."""

from __future__ import annotations

import datetime
import io
from io import BytesIO

import pytest
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader

from directives.models import Assignment, Directive, Dispatch, Event, Notification

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

    statuses = set(Directive.objects.exclude(pk=sample.pk).values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "approved", "numbered"}
    submitted = Directive.objects.get(status="submitted")
    assert submitted.signer.username == "lanhdao" and submitted.doc_type == "KH"
