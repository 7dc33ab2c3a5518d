"""An incoming edXML letter's other files (besides its signed PDF) are kept with the entry when
the upload checks accept them, as for a file a person uploads, and downloaded from the entry's
page by the book's keepers only; a file the checks refuse is named, not kept, and the letter
enters the book all the same."""

from __future__ import annotations

import hashlib
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from directives.exchange import edxml
from directives.models import Event, IncomingAttachment
from directives.services.exchange_in import edxml_message_receive
from recipients import roles
from tests.directives.exchange.conftest import OUR_ORGAN, letter_to, signed
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = "Biểu tổng hợp quyết toán"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def entry(sttt, signed_pdf):
    files = (
        edxml.EdxmlAttachment("2491-STC-BCTC.pdf", "application/pdf", signed_pdf),
        edxml.EdxmlAttachment("bieu-tong-hop.xlsx", XLSX, workbook(), "Biểu 01"),
        edxml.EdxmlAttachment("bieu-tong-hop.xlsx.p7s", "application/pkcs7-signature", b"0\x82"),
    )
    result = edxml_message_receive(data=signed(letter_to(OUR_ORGAN, signed_pdf, attachments=files)))
    assert result.entry is not None, result.reason
    return result.entry


def test_the_other_files_the_checks_accept_are_kept_with_the_entry(entry):
    [kept] = IncomingAttachment.objects.filter(entry=entry)
    assert (kept.name, kept.description, kept.content_type) == (
        "bieu-tong-hop.xlsx",
        "Biểu 01",
        XLSX,
    )
    assert kept.size == len(kept.file.read()) and kept.size > 0
    kept.file.seek(0)
    assert kept.sha256 == hashlib.sha256(kept.file.read()).hexdigest()
    event = Event.objects.get(incoming_entry=entry, verb="incoming_edxml")
    [left] = event.data["attachments_not_kept"]
    assert left["name"] == "bieu-tong-hop.xlsx.p7s" and left["reason"]


def test_the_book_keeper_downloads_a_file_another_unit_cannot(entry, sttt, client):
    kept = IncomingAttachment.objects.get(entry=entry)
    keeper = UserFactory(unit=sttt, roles=[roles.CLERK, roles.UNIT_OFFICER])
    client.force_login(keeper)
    page = client.get(reverse("directives:incoming_entry", args=[entry.pk])).content.decode()
    url = reverse("directives:incoming_entry_attachment", args=[entry.pk, kept.pk])
    assert url in page and 'data-testid="entry-files-not-kept"' in page
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == kept.sha256
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"

    outsider = UserFactory(unit=UnitFactory(code="SOTC"), roles=[roles.CLERK, roles.UNIT_OFFICER])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(keeper)
    wrong = reverse("directives:incoming_entry_attachment", args=[entry.pk, kept.pk + 999])
    assert client.get(wrong).status_code == 404


def test_a_refused_letter_keeps_none_of_its_files(sttt, signed_pdf):
    files = (
        edxml.EdxmlAttachment("bieu-tong-hop.xlsx", XLSX, workbook()),  # no PDF: refused
    )
    result = edxml_message_receive(data=signed(letter_to(OUR_ORGAN, signed_pdf, attachments=files)))
    assert result.refused and result.code == edxml.BAD_PDF
    assert not IncomingAttachment.objects.exists()
