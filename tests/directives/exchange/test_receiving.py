"""An edXML letter from another system enters the addressed unit's incoming book with the next
arrival number; every refusal case saves nothing and answers 02 with the reason."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from directives.exchange import edxml
from directives.models import Event, IncomingBook, IncomingEntry
from directives.services.exchange_in import edxml_inbox_read, edxml_message_receive
from directives.workdays import local_today
from tests.directives.exchange.conftest import (
    OTHER_ORGAN,
    OUR_ORGAN,
    fingerprint,
    letter_to,
    signed,
)
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def statuses(outbox: Path) -> list[tuple[str, str, str]]:
    """(StatusCode, ResponseFor/DocumentId, Description) of each status message written."""
    found = []
    for path in sorted(outbox.glob("*.edxml")):
        root = etree.fromstring(path.read_bytes())
        ns = {"e": edxml.NS}
        head = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", namespaces=ns)
        code = head.findtext("e:StatusCode", namespaces=ns)
        if code:
            found.append(
                (
                    code,
                    head.findtext("e:ResponseFor/e:DocumentId", namespaces=ns),
                    head.findtext("e:Description", namespaces=ns),
                )
            )
    return sorted(found)


def nothing_saved(unit) -> None:
    assert not IncomingEntry.objects.exists()
    assert not Event.objects.filter(verb="incoming_edxml").exists()
    assert not IncomingBook.objects.filter(unit=unit, last_number__gt=0).exists()


def test_a_letter_enters_the_addressed_units_book_and_the_issuer_is_told(sttt, signed_pdf, outbox):
    letter = letter_to(OUR_ORGAN, signed_pdf)
    result = edxml_message_receive(data=signed(letter))
    assert not result.refused, result.reason
    entry = result.entry
    assert (entry.unit, entry.arrival_number, entry.year) == (sttt, 1, local_today().year)
    assert entry.source == IncomingEntry.Source.EDXML
    assert entry.edxml_document_id == letter.document_id
    assert (entry.issuer_name, entry.number, entry.symbol) == (
        "Sở Tài chính tỉnh Gia Lai",
        "2491",
        "STC-BCTC",
    )
    assert entry.letter_date == datetime.date(2026, 10, 30)
    assert (entry.doc_type_name, entry.subject) == ("Công văn", letter.subject)
    assert entry.scan.read() == signed_pdf
    # The PDF's two signatures (the person's, then the agency's) checked and kept.
    assert entry.signatures_valid is True, entry.signature_problems
    codes = [(code, doc) for code, doc, _text in statuses(outbox)]
    assert codes == [("01", letter.document_id), ("03", letter.document_id)]


def test_the_letters_pdf_signatures_are_kept_when_they_fall_short(sttt, outbox):
    """A PDF with no signature is taken (the XML signature vouches for the message) and the
    book shows the finding, as for the portal's own letters."""
    import weasyprint

    pdf = weasyprint.HTML(string="<p>Không ký</p>").write_pdf()
    result = edxml_message_receive(data=signed(letter_to(OUR_ORGAN, pdf)))
    assert result.entry.signatures_valid is False
    assert result.entry.signature_problems


def refused(data: bytes, code: str, unit, outbox: Path, *, answered: bool = True):
    result = edxml_message_receive(data=data)
    assert result.refused and result.code == code, (result.code, result.reason)
    nothing_saved(unit)
    sent = statuses(outbox)
    if answered:
        assert [s[0] for s in sent] == ["02"]
        assert sent[0][2] == result.reason and result.reason
    else:
        assert sent == []
    return result


def test_malformed_xml_is_refused_and_nothing_saved(sttt, outbox):
    refused(b"<edXML:edXML xmlns:edXML='x'><broken>", edxml.MALFORMED, sttt, outbox, answered=False)


def test_a_letter_missing_its_subject_is_refused(sttt, signed_pdf, outbox):
    refused(signed(letter_to(OUR_ORGAN, signed_pdf, subject="")), edxml.MALFORMED, sttt, outbox)


def test_a_bad_signature_is_refused_and_nothing_saved(sttt, signed_pdf, outbox):
    data = signed(letter_to(OUR_ORGAN, signed_pdf)).replace(b"2491<", b"2492<")
    refused(data, edxml.BAD_SIGNATURE, sttt, outbox)


def test_a_letter_in_a_units_name_signed_by_another_certificate_is_refused(
    sttt, signed_pdf, outbox, other_system_key
):
    """The sending Sở names its system's certificate: a letter in its name signed with another
    agency's (trusted by the same CA) is refused, and one signed with its own is taken."""
    UnitFactory(
        code="STC.NGOAI",
        identifier_code=OTHER_ORGAN,
        is_external=True,
        edxml_certificates=f"{'0' * 64}\n{fingerprint('STC')}",  # the old one, the new one
    )
    forged = refused(
        signed(letter_to(OUR_ORGAN, signed_pdf), code=other_system_key),
        edxml.BAD_SIGNATURE,
        sttt,
        outbox,
    )
    assert OTHER_ORGAN in forged.reason and fingerprint(other_system_key) in forged.reason

    taken = edxml_message_receive(data=signed(letter_to(OUR_ORGAN, signed_pdf), code="STC"))

    assert not taken.refused, taken.reason
    assert taken.entry.issuer_name == "Sở Tài chính tỉnh Gia Lai"


def test_a_unit_naming_no_certificate_takes_any_trusted_one(
    sttt, signed_pdf, outbox, other_system_key
):
    UnitFactory(code="STC.NGOAI", identifier_code=OTHER_ORGAN, is_external=True)
    letter = signed(letter_to(OUR_ORGAN, signed_pdf), code=other_system_key)
    taken = edxml_message_receive(data=letter)
    assert not taken.refused, taken.reason


def test_an_unknown_organ_id_is_refused_and_nothing_saved(sttt, signed_pdf, outbox):
    result = refused(
        signed(letter_to("000.00.99.H99", signed_pdf)), edxml.UNKNOWN_ORGAN, sttt, outbox
    )
    assert "000.00.99.H99" in result.reason


def test_an_external_unit_with_the_code_is_not_a_receiving_unit(signed_pdf, outbox):
    """An external unit is reached by edXML; it keeps no book in this portal."""
    unit = UnitFactory(code="BOTC", identifier_code="000.00.00.G22", is_external=True)
    refused(signed(letter_to("000.00.00.G22", signed_pdf)), edxml.UNKNOWN_ORGAN, unit, outbox)


def test_an_oversize_attachment_is_refused_and_nothing_saved(sttt, signed_pdf, outbox, settings):
    settings.EDXML_ATTACHMENT_MAX_BYTES = len(signed_pdf) + 100
    big = edxml.EdxmlAttachment("phu-luc.zip", "application/zip", b"z" * (len(signed_pdf) + 200))
    message = letter_to(OUR_ORGAN, signed_pdf)
    data = signed(letter_to(OUR_ORGAN, signed_pdf, attachments=(*message.attachments, big)))
    result = refused(data, edxml.TOO_LARGE, sttt, outbox)
    assert "phu-luc.zip" in result.reason


def test_a_message_over_the_limit_is_refused_unread(sttt, signed_pdf, outbox, settings):
    data = signed(letter_to(OUR_ORGAN, signed_pdf))
    settings.EDXML_MAX_BYTES = len(data) - 1
    refused(data, edxml.TOO_LARGE, sttt, outbox, answered=False)


def test_a_document_id_seen_before_is_refused_and_nothing_more_saved(sttt, signed_pdf, outbox):
    letter = letter_to(OUR_ORGAN, signed_pdf)
    first = edxml_message_receive(data=signed(letter))
    assert first.entry.arrival_number == 1
    # The same letter again, even signed anew and with another timestamp.
    again = letter_to(OUR_ORGAN, signed_pdf, timestamp=timezone.now().replace(microsecond=0))
    second = edxml_message_receive(data=signed(again))
    assert second.refused and second.code == edxml.DUPLICATE
    assert IncomingEntry.objects.count() == 1
    assert IncomingBook.objects.get(unit=sttt).last_number == 1
    assert [s[0] for s in statuses(outbox)] == ["01", "02", "03"]


def test_a_letter_without_a_pdf_is_refused(sttt, outbox):
    sheet = edxml.EdxmlAttachment("bang.xlsx", "application/vnd.ms-excel", b"PK\x03\x04")
    data = signed(letter_to(OUR_ORGAN, b"", attachments=(sheet,)))
    refused(data, edxml.BAD_PDF, sttt, outbox)


def test_a_message_dropped_in_the_inbox_takes_the_units_next_arrival_number(
    sttt, signed_pdf, inbox, outbox
):
    year = local_today().year
    IncomingBook.objects.create(unit=sttt, year=year, last_number=4)
    other = UnitFactory(code="BAOGL", identifier_code="000.00.31.H40")
    IncomingBook.objects.create(unit=other, year=year, last_number=9)
    (inbox / "a.edxml").write_bytes(signed(letter_to(OUR_ORGAN, signed_pdf)))
    (inbox / "b.edxml").write_bytes(b"garbage")

    call_command("edxml_inbox")

    entry = IncomingEntry.objects.get()
    assert (entry.unit, entry.arrival_number, entry.year) == (sttt, 5, year)
    assert IncomingBook.objects.get(unit=other).last_number == 9
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == []
    assert not list((inbox / "working").iterdir())
    assert (inbox / "processed" / "a.edxml").exists()
    assert (inbox / "refused" / "b.edxml").exists()
    assert "malformed" in (inbox / "refused" / "b.edxml.reason.txt").read_text()
    # Read again: nothing is entered twice.
    assert edxml_inbox_read() == {"entered": 0, "refused": 0}
    assert IncomingEntry.objects.count() == 1


def test_the_sender_is_named_in_the_status_messages(sttt, signed_pdf, outbox):
    edxml_message_receive(data=signed(letter_to(OUR_ORGAN, signed_pdf)))
    root = etree.fromstring(sorted(outbox.glob("*status-03*"))[0].read_bytes())
    ns = {"e": edxml.NS}
    head = root.find("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader", namespaces=ns)
    assert head.findtext("e:From/e:OrganId", namespaces=ns) == OUR_ORGAN
    assert head.findtext("e:ResponseFor/e:OrganId", namespaces=ns) == OTHER_ORGAN
    assert "số đến 1/" in head.findtext("e:Description", namespaces=ns)


def test_two_readers_at_once_take_each_message_once(sttt, signed_pdf, inbox, outbox):
    """The second reader finds the file claimed by the first and skips it."""
    from directives.exchange.transport import transport

    (inbox / "a.edxml").write_bytes(signed(letter_to(OUR_ORGAN, signed_pdf)))
    first, second = transport(), transport()
    taken = list(first.incoming(max_bytes=10**8))
    assert [item.name for item in taken] == ["a.edxml"]
    assert list(second.incoming(max_bytes=10**8)) == []
    first.done(taken[0])
    assert (inbox / "processed" / "a.edxml").exists()


def test_a_message_a_dead_reader_claimed_is_taken_again_later(sttt, signed_pdf, inbox, outbox):
    from directives.exchange.transport import transport

    (inbox / "a.edxml").write_bytes(signed(letter_to(OUR_ORGAN, signed_pdf)))
    assert len(list(transport().incoming(max_bytes=10**8))) == 1  # claimed, never done
    assert edxml_inbox_read() == {"entered": 0, "refused": 0}  # the claim is fresh
    assert transport().unclaimed(older_than=0) == 1
    assert edxml_inbox_read() == {"entered": 1, "refused": 0}
    assert IncomingEntry.objects.get().arrival_number == 1


TOKEN = "a-long-shared-secret-between-two-portals"


@pytest.fixture
def peer(settings):
    settings.EDXML_PEER_TOKEN = TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def post(client, data: bytes, **headers):
    return client.post("/exchange/edxml/", data=data, content_type="application/xml", **headers)


def test_another_portal_posts_a_letter_with_the_shared_token(client, peer, sttt, signed_pdf):
    response = post(client, signed(letter_to(OUR_ORGAN, signed_pdf)), **peer)
    assert response.status_code == 201, response.content
    assert response.json()["arrival_number"] == 1
    assert response.json()["statuses"] == ["01", "03"]
    assert IncomingEntry.objects.get().unit == sttt


def test_a_refused_post_says_why_and_saves_nothing(client, peer, sttt, signed_pdf):
    data = signed(letter_to(OUR_ORGAN, signed_pdf)).replace(b"2491<", b"2492<")
    response = post(client, data, **peer)
    assert response.status_code == 422
    assert response.json()["code"] == edxml.BAD_SIGNATURE
    nothing_saved(sttt)


def test_without_the_token_nothing_is_read(client, peer, sttt, signed_pdf):
    data = signed(letter_to(OUR_ORGAN, signed_pdf))
    assert post(client, data).status_code == 401
    assert post(client, data, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/exchange/edxml/", **peer).status_code == 405
    nothing_saved(sttt)


def test_the_endpoint_is_off_without_a_token(client, settings, sttt, signed_pdf):
    settings.EDXML_PEER_TOKEN = ""
    response = post(client, signed(letter_to(OUR_ORGAN, signed_pdf)), HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404
    nothing_saved(sttt)


def test_a_post_over_the_limit_is_refused_unread(client, peer, settings, sttt, signed_pdf):
    data = signed(letter_to(OUR_ORGAN, signed_pdf))
    settings.EDXML_MAX_BYTES = len(data) - 1
    assert post(client, data, **peer).status_code == 413
    nothing_saved(sttt)


def test_when_the_head_assigns_an_edxml_letter_the_issuer_is_told_04(
    sttt, signed_pdf, outbox, celery_eager, django_capture_on_commit_callbacks
):
    from directives.services.distribution import incoming_entry_assign
    from recipients import roles
    from recipients.models import Unit
    from tests.factories import UserFactory

    letter = letter_to(OUR_ORGAN, signed_pdf)
    entry = edxml_message_receive(data=signed(letter)).entry
    head = UserFactory(unit=sttt, roles=[roles.UNIT_OFFICER], is_unit_head=True)
    division = UnitFactory(
        code="PTTBCXB", name="Phòng TTBCXB", kind=Unit.Kind.DIVISION, parent=sttt
    )
    with django_capture_on_commit_callbacks(execute=True):
        incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    sent = statuses(outbox)
    assert [s[0] for s in sent] == ["01", "03", "04"]
    assert sent[2][1] == letter.document_id
    assert sent[2][2] == "Đã giao xử lý trong đơn vị cho Phòng TTBCXB."
    # Assigned again to someone else: the issuer already knows 04; nothing is written twice.
    with django_capture_on_commit_callbacks(execute=True):
        incoming_entry_assign(entry=entry, by=head, handler_unit=division)
    assert len(statuses(outbox)) == 3
