"""An issued letter goes by edXML to each of its external units with an identifier code: one
message each, signed with the issuing unit's key, written once however often the job runs."""

from __future__ import annotations

import hashlib
import shutil

import pytest
from django.core.files.base import ContentFile

from directives.documents.verification import trust_roots
from directives.exchange import edxml
from directives.models import Attachment, Directive, IncomingEntry, Urgency
from directives.services.exchange import directive_edxml_send
from directives.services.exchange_in import edxml_inbox_read
from directives.services.notices import directive_fan_out
from tests.directives.exchange.conftest import OUR_ORGAN
from tests.directives.workspace.data import make_issued
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

MINISTRY = "000.00.00.G22"
PROVINCE = "000.00.00.H18"


@pytest.fixture
def units(sttt):
    return {
        "ministry": UnitFactory(
            code="BOTTTT",
            name="Bộ Thông tin và Truyền thông",
            identifier_code=MINISTRY,
            is_external=True,
            contact_emails="vanthu@mic.gov.vn",
        ),
        "province": UnitFactory(
            code="VPUBND", name="Văn phòng UBND tỉnh", identifier_code=PROVINCE, is_external=True
        ),
        "by_mail_only": UnitFactory(code="BAOTN", is_external=True),  # no identifier code
        "inside": UnitFactory(code="BAOGL", identifier_code="000.00.31.H40"),
    }


@pytest.fixture
def letter(sttt, units, signed_pdf) -> Directive:
    directive = make_issued(
        units=list(units.values()),
        issuing_unit=sttt,
        number=1038,
        tasks=1,
        urgency=Urgency.URGENT,
        drafter_initials="NVA",
        copies=8,
    )
    directive.pdf.save("1038.pdf", ContentFile(signed_pdf), save=False)
    directive.pdf_sha256 = hashlib.sha256(signed_pdf).hexdigest()
    directive.save(update_fields=["pdf", "pdf_sha256"])
    Attachment.objects.create(
        directive=directive,
        file=ContentFile(b"PK\x03\x04 bang tong hop", name="bang.xlsx"),
        name="bang-tong-hop.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        size=22,
        sha256="b" * 64,
    )
    return directive


def messages(outbox):
    found = {}
    for path in sorted(outbox.glob("*.edxml")):
        root = edxml.safe_parse(path.read_bytes(), max_bytes=10**8)
        checked = edxml.signature_check(root, roots=trust_roots())
        found[path.name] = edxml.letter_parse(checked.root, attachment_max_bytes=10**8)
    return found


def test_one_message_per_external_unit_with_a_code_signed_by_the_issuing_unit(
    letter, outbox, signed_pdf
):
    assert directive_edxml_send(directive_id=letter.pk) == 2
    sent = messages(outbox)
    assert len(sent) == 2
    to = sorted(m.recipients[0].organ_id for m in sent.values())
    assert to == [MINISTRY, PROVINCE]
    message = next(m for m in sent.values() if m.recipients[0].organ_id == MINISTRY)
    day = letter.issued_on
    assert message.document_id == f"{OUR_ORGAN},{day:%Y/%m/%d},1038/STTTT-TTBCXB"
    assert (message.code_number, message.code_notation) == ("1038", "STTTT-TTBCXB")
    assert (
        message.sender.organ_id == OUR_ORGAN
        and message.sender.organ_name == letter.issuing_unit.name
    )
    assert message.recipients[0].email == "vanthu@mic.gov.vn"
    assert (message.promulgation_date, message.place) == (day, letter.place)
    assert (message.type_name, message.type_detail) == ("Công văn", "CV")
    assert message.subject == letter.subject and message.content == letter.body
    assert (message.signer_competence, message.signer_position, message.signer_full_name) == (
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Lê Thị Thu Hương",
    )
    assert message.due_date == letter.tasks.get().deadline
    assert (message.priority, message.typer_notation, message.promulgation_amount) == (
        "1",
        "NVA",
        8,
    )
    assert message.page_amount == 1 and message.steering_type == "1"
    assert message.business_doc_type == edxml.NEW
    assert [a.name for a in message.attachments] == ["1038-STTTT-TTBCXB.pdf", "bang-tong-hop.xlsx"]
    assert message.attachments[0].data == signed_pdf
    assert letter.events.filter(verb="edxml_sent").count() == 2


def test_the_job_run_again_writes_nothing_twice(letter, outbox):
    directive_edxml_send(directive_id=letter.pk)
    before = {p.name: p.read_bytes() for p in outbox.glob("*.edxml")}
    assert directive_edxml_send(directive_id=letter.pk) == 0
    assert {p.name: p.read_bytes() for p in outbox.glob("*.edxml")} == before
    assert letter.events.filter(verb="edxml_sent").count() == 2


def test_the_fan_out_hands_the_letter_to_the_edxml_job_once(letter, outbox, celery_eager):
    letter.dispatches.update(delivery="pending", delivered_at=None)
    directive_fan_out(directive_id=letter.pk)
    directive_fan_out(directive_id=letter.pk)  # the sweep, a redelivered job
    assert len(list(outbox.glob("*.edxml"))) == 2
    assert sorted(p.name.rsplit("__", 1)[1] for p in outbox.glob("*.edxml")) == [
        f"{MINISTRY}.edxml",
        f"{PROVINCE}.edxml",
    ]


def test_a_recalled_letter_or_one_without_its_pdf_sends_nothing(letter, outbox):
    Directive.objects.filter(pk=letter.pk).update(pdf_status=Directive.PdfStatus.RENDERING)
    assert directive_edxml_send(directive_id=letter.pk) == 0
    Directive.objects.filter(pk=letter.pk).update(
        pdf_status=Directive.PdfStatus.READY, status=Directive.Status.RECALLED
    )
    assert directive_edxml_send(directive_id=letter.pk) == 0
    assert not outbox.exists() or not list(outbox.glob("*.edxml"))


def test_an_issuer_without_an_identifier_code_sends_nothing(letter, outbox, sttt):
    sttt.identifier_code = ""
    sttt.save(update_fields=["identifier_code"])
    assert directive_edxml_send(directive_id=letter.pk) == 0


def test_what_one_portal_sends_another_enters_in_its_book(letter, outbox, inbox, units):
    """The ministry's portal (here: the ministry as one of this portal's receiving units)
    takes the Sở's message from its inbox into its own book."""
    directive_edxml_send(directive_id=letter.pk)
    ministry = units["ministry"]
    ministry.is_external = False
    ministry.save(update_fields=["is_external"])
    path = next(p for p in outbox.glob("*.edxml") if MINISTRY in p.name)
    shutil.copy(path, inbox / path.name)
    assert edxml_inbox_read() == {"entered": 1, "refused": 0}
    entry = IncomingEntry.objects.get(unit=ministry)
    assert (entry.number, entry.symbol, entry.letter_date) == (
        "1038",
        "STTTT-TTBCXB",
        letter.issued_on,
    )
    assert entry.issuer_name == letter.issuing_unit.name and entry.subject == letter.subject
    assert entry.signatures_valid is True and entry.arrival_number == 1
