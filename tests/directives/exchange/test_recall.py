"""Recall and replacement across systems (BussinessDocType 1 and 3): the issuing portal tells
each external unit that had the letter by edXML, once; the receiving portal closes the entry it
made from the original (15), or says why it can no longer (16), after 13; a recall of a letter
it never entered is refused (02) with nothing saved, and the same recall again is a duplicate.
The issuer's matrix shows the recall's outcome in the unit's receiving column."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from directives.documents.verification import trust_roots
from directives.exchange import edxml
from directives.models import Directive, Event, IncomingEntry, ReceivingStatus
from directives.selectors.distribution import distribution_desk
from directives.selectors.incoming import incoming_book_lines
from directives.selectors.matrix import matrix_build
from directives.selectors.moves import entry_moves
from directives.selectors.todo import entries_to_assign
from directives.services.exchange import (
    directive_edxml_recall_send,
    directive_edxml_send,
    document_id_of,
    letter_message_for,
    recall_message_for,
)
from directives.services.exchange_in import edxml_message_receive
from directives.services.issuing import directive_recall
from recipients import roles
from tests.directives.exchange.conftest import OTHER_ORGAN, OUR_ORGAN, letter_to, signed
from tests.directives.exchange.test_receiving import statuses
from tests.directives.exchange.test_sending import MINISTRY, PROVINCE, letter, units  # noqa: F401
from tests.directives.exchange.test_status_back import ministry_state, status_of
from tests.directives.workspace.data import make_issued
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def parsed(data: bytes) -> edxml.LetterMessage:
    root = edxml.safe_parse(data, max_bytes=10**8)
    checked = edxml.signature_check(root, roots=trust_roots())
    return edxml.letter_parse(checked.root, attachment_max_bytes=10**8)


def recalls(outbox) -> dict[str, edxml.LetterMessage]:
    return {p.name: parsed(p.read_bytes()) for p in sorted(outbox.glob("*__recall.edxml"))}


def recall_of(message: edxml.LetterMessage, reason: str = "Ban hành nhầm đối tượng"):
    return dataclasses.replace(
        message,
        business_doc_type=edxml.RECALL,
        business_doc_reason=reason,
        attachments=(),
        timestamp=timezone.now().replace(microsecond=0),
    )


# --- the message ------------------------------------------------------------------------------


def test_a_recall_message_is_the_letters_header_with_type_1_and_the_reason(
    letter,  # noqa: F811
    signed_pdf,
):
    letter.status, letter.recall_reason = Directive.Status.RECALLED, "Sai thể thức"
    letter.recalled_at = timezone.now()
    unit = letter.dispatches.get(unit__identifier_code=MINISTRY).unit
    message = recall_message_for(letter, unit, pdf=signed_pdf)
    back = parsed(signed(message, code="STTTT"))
    assert back.business_doc_type == edxml.RECALL
    assert back.document_id == document_id_of(letter)
    assert back.business_doc_reason == "Sai thể thức"
    assert back.attachments == () and back.recipients[0].organ_id == MINISTRY
    assert (back.code_number, back.code_notation) == ("1038", "STTTT-TTBCXB")


def test_a_replacement_names_the_letter_it_replaces(signed_pdf):
    replacement = letter_to(
        OUR_ORGAN,
        signed_pdf,
        document_id=f"{OTHER_ORGAN},2026/11/02,2600/STC-BCTC",
        business_doc_type=edxml.REPLACE,
        replacements=(
            edxml.ReplacementInfo(f"{OTHER_ORGAN},2026/10/30,2491/STC-BCTC", (OUR_ORGAN,)),
        ),
    )
    back = parsed(signed(replacement))
    assert back.business_doc_type == edxml.REPLACE
    assert back.replacements == replacement.replacements


# --- the issuing portal -----------------------------------------------------------------------


@pytest.fixture
def clerk(sttt):
    return UserFactory(unit=sttt, roles=[roles.CLERK])


def test_a_recall_goes_to_each_unit_that_had_the_letter_by_edxml_once(
    letter,  # noqa: F811
    clerk,
    outbox,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    assert directive_edxml_send(directive_id=letter.pk) == 2
    with django_capture_on_commit_callbacks(execute=True):
        directive_recall(directive=letter, by=clerk, reason="Ban hành nhầm đối tượng")
    sent = recalls(outbox)
    assert sorted(m.recipients[0].organ_id for m in sent.values()) == [MINISTRY, PROVINCE]
    for message in sent.values():
        assert message.business_doc_type == edxml.RECALL
        assert message.document_id == document_id_of(letter)
        assert message.business_doc_reason == "Ban hành nhầm đối tượng"
    before = {p.name: p.read_bytes() for p in outbox.glob("*.edxml")}
    assert directive_edxml_recall_send(directive_id=letter.pk) == 0  # the job run again
    assert {p.name: p.read_bytes() for p in outbox.glob("*.edxml")} == before
    assert letter.events.filter(verb="edxml_recall_sent").count() == 2


def test_a_unit_the_letter_never_reached_by_edxml_gets_no_recall(
    letter,  # noqa: F811
    clerk,
    outbox,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        directive_recall(directive=letter, by=clerk, reason="Ban hành nhầm")
    assert recalls(outbox) == {}
    assert directive_edxml_send(directive_id=letter.pk) == 0  # nor the letter, now recalled


def test_a_replacement_goes_as_type_3_to_the_units_that_had_the_old_letter(
    letter,  # noqa: F811
    units,  # noqa: F811
    sttt,
    signed_pdf,
    outbox,
):
    directive_edxml_send(directive_id=letter.pk)
    new = make_issued(
        units=[units["ministry"]], issuing_unit=sttt, number=1100, tasks=0, replaces=letter
    )
    Directive.objects.filter(pk=letter.pk).update(status=Directive.Status.REPLACED)
    ministry = new.dispatches.get().unit
    message = letter_message_for(
        new,
        ministry,
        pdf=signed_pdf,
        replaces=(edxml.ReplacementInfo(document_id_of(letter), (MINISTRY,)),),
    )
    assert message.business_doc_type == edxml.REPLACE
    assert "1038/STTTT-TTBCXB" in message.business_doc_reason
    # The job itself: the new letter's message to the ministry names the old one.
    new.pdf.save("1100.pdf", ContentFile(signed_pdf), save=False)
    new.save(update_fields=["pdf"])
    assert directive_edxml_send(directive_id=new.pk) == 1
    [sent] = [
        parsed(p.read_bytes())
        for p in outbox.glob("*.edxml")
        if "1100-" in p.name and "recall" not in p.name
    ]
    assert sent.business_doc_type == edxml.REPLACE
    assert sent.replacements == (edxml.ReplacementInfo(document_id_of(letter), (MINISTRY,)),)
    # The province is not among the new letter's units: it is told of a recall instead.
    letter.refresh_from_db()
    assert directive_edxml_recall_send(directive_id=letter.pk) == 1
    assert [m.recipients[0].organ_id for m in recalls(outbox).values()] == [PROVINCE]


# --- the receiving portal ---------------------------------------------------------------------


@pytest.fixture
def entered(sttt, signed_pdf):
    original = letter_to(OUR_ORGAN, signed_pdf)
    entry = edxml_message_receive(data=signed(original)).entry
    assert entry is not None
    return original, entry


def test_a_recall_closes_the_entry_and_the_issuer_hears_13_then_15(entered, sttt, outbox):
    original, entry = entered
    head = UserFactory(unit=sttt, roles=[roles.UNIT_OFFICER], is_unit_head=True)
    assert list(entries_to_assign(head)) == [entry]
    result = edxml_message_receive(data=signed(recall_of(original)))
    assert not result.refused and result.status == "15"
    assert result.statuses == ["13", "15"]
    entry.refresh_from_db()
    assert entry.is_recalled and entry.recall_reason == "Ban hành nhầm đối tượng"
    assert entry_moves(entry=entry, user=head) == type(entry_moves(entry=entry, user=head))()
    assert list(entries_to_assign(head)) == []  # nothing waits on it any more
    assert distribution_desk(head).to_assign == []
    line = incoming_book_lines([entry])[0]
    assert "Ban hành nhầm đối tượng" in line["notes"]
    back = [s for s in statuses(outbox) if s[0] in ("13", "15")]
    assert [(code, doc) for code, doc, _text in back] == [
        ("13", original.document_id),
        ("15", original.document_id),
    ]
    assert Event.objects.filter(incoming_entry=entry, verb="incoming_recalled").count() == 1


def test_the_recalled_entry_page_says_so(entered, sttt, client):
    original, entry = entered
    edxml_message_receive(data=signed(recall_of(original)))
    clerk = UserFactory(unit=sttt, roles=[roles.CLERK, roles.UNIT_OFFICER])
    client.force_login(clerk)
    page = client.get(reverse("directives:incoming_entry", args=[entry.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="entry-recalled"' in html and "Ban hành nhầm đối tượng" in html


def test_the_same_recall_again_is_a_duplicate_answered_by_nothing(entered, outbox):
    original, entry = entered
    edxml_message_receive(data=signed(recall_of(original)))
    before = statuses(outbox)
    again = edxml_message_receive(data=signed(recall_of(original)))
    assert again.refused and again.code == edxml.DUPLICATE
    assert statuses(outbox) == before
    assert Event.objects.filter(incoming_entry=entry, verb="incoming_recalled").count() == 1


def test_a_recall_of_a_letter_never_entered_is_refused_with_02_and_nothing_saved(
    sttt, signed_pdf, outbox
):
    unknown = recall_of(letter_to(OUR_ORGAN, signed_pdf))
    result = edxml_message_receive(data=signed(unknown))
    assert result.refused and result.code == edxml.UNKNOWN_DOCUMENT
    assert not IncomingEntry.objects.exists()
    assert not Event.objects.exists()
    [(code, doc, text)] = statuses(outbox)
    assert (code, doc) == ("02", unknown.document_id) and text


def test_only_the_issuer_recalls_its_letter(entered, outbox):
    original, entry = entered
    forged = recall_of(original)
    forged = dataclasses.replace(
        forged, sender=dataclasses.replace(forged.sender, organ_id="000.00.99.H99")
    )
    result = edxml_message_receive(data=signed(forged))
    assert result.refused and result.code == edxml.UNKNOWN_DOCUMENT
    entry.refresh_from_db()
    assert not entry.is_recalled


def test_a_letter_handled_already_can_no_longer_be_recalled_16(entered, outbox):
    original, entry = entered
    IncomingEntry.objects.filter(pk=entry.pk).update(handled_at=timezone.now())
    result = edxml_message_receive(data=signed(recall_of(original)))
    assert result.status == "16" and result.statuses == ["13", "16"]
    entry.refresh_from_db()
    assert not entry.is_recalled
    [(_code, _doc, text)] = [s for s in statuses(outbox) if s[0] == "16"]
    assert "no longer" in text or "không" in text.lower()
    again = edxml_message_receive(data=signed(recall_of(original)))
    assert again.code == edxml.DUPLICATE


def test_an_update_is_refused_the_portal_never_changes_an_issued_letter(entered, outbox):
    original, entry = entered
    update = dataclasses.replace(original, business_doc_type=edxml.UPDATE)
    assert edxml_message_receive(data=signed(update)).code == edxml.MALFORMED
    entry.refresh_from_db()
    assert not entry.is_recalled


def test_a_replacement_enters_the_new_letter_and_closes_the_old_one(entered, signed_pdf, outbox):
    original, old = entered
    replacement = letter_to(
        OUR_ORGAN,
        signed_pdf,
        document_id=f"{OTHER_ORGAN},2026/11/02,2600/STC-BCTC",
        code_number="2600",
        business_doc_type=edxml.REPLACE,
        replacements=(edxml.ReplacementInfo(original.document_id, (OUR_ORGAN,)),),
    )
    result = edxml_message_receive(data=signed(replacement))
    assert result.entry is not None and result.entry.arrival_number == 2
    old.refresh_from_db()
    assert old.is_recalled and "2600/STC-BCTC" in old.recall_reason
    assert ("15", original.document_id) in [(c, d) for c, d, _t in statuses(outbox)]


# --- the issuer reads the answer ---------------------------------------------------------------


def test_the_issuers_matrix_shows_the_recalls_outcome(letter):  # noqa: F811
    Directive.objects.filter(pk=letter.pk).update(status=Directive.Status.RECALLED)
    for code in ("01", "03", "04"):
        edxml_message_receive(data=status_of(letter, code))
    assert edxml_message_receive(data=status_of(letter, "13")).status == "13"
    assert ministry_state(letter) == "13"
    assert edxml_message_receive(data=status_of(letter, "15")).status == "15"
    assert ministry_state(letter) == "15"
    row = next(
        r
        for r in matrix_build(directive=letter).rows
        if r.dispatch.unit.identifier_code == MINISTRY
    )
    assert row.receiving.label == f"15 {ReceivingStatus.RECALL_ACCEPTED.label}"
    assert row.receiving.detail == "trạng thái 15"
    edxml_message_receive(data=status_of(letter, "06"))  # late: the recall stays the last step
    assert ministry_state(letter) == "15"
    assert edxml_message_receive(data=status_of(letter, "15")).code == edxml.DUPLICATE


def test_statuses_that_could_not_go_leave_with_the_issuers_retry(entered, outbox, settings):
    """The issuer's portal is down while the recall is taken: the entry is closed all the same,
    and the issuer's retry (refused as a duplicate) carries the 13 and 15 that did not go."""
    original, entry = entered
    settings.EDXML_PEERS = {
        OTHER_ORGAN: {"url": "http://127.0.0.1:9/exchange/edxml/", "token": "t"}
    }
    settings.EDXML_PEER_TIMEOUT = 2
    first = edxml_message_receive(data=signed(recall_of(original)))
    assert first.status == "15" and first.statuses == []
    entry.refresh_from_db()
    assert entry.is_recalled
    settings.EDXML_PEERS = {}  # back: the statuses go by the drop folder here
    again = edxml_message_receive(data=signed(recall_of(original)))
    assert again.refused and again.code == edxml.DUPLICATE
    assert [s[0] for s in statuses(outbox) if s[0] in ("13", "15")] == ["13", "15"]
    assert Event.objects.filter(incoming_entry=entry, verb="incoming_recalled").count() == 1
