"""Status messages carried back: the receiving portal tells the issuer 05 and 06 as its unit
handles an edXML letter; the issuing portal takes the statuses of its letters, each once, and
its tracking matrix shows the external unit's latest."""

from __future__ import annotations

import pytest
from django.utils import timezone

from directives.exchange import edxml
from directives.models import Event
from directives.selectors.matrix import matrix_build
from directives.services.exchange import document_id_of
from directives.services.exchange_in import edxml_message_receive
from recipients.models import Unit
from tests.directives.exchange.conftest import OUR_ORGAN, fingerprint, letter_to, signed
from tests.directives.exchange.test_receiving import post, statuses
from tests.directives.exchange.test_sending import MINISTRY, letter, units  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def status_of(directive, code: str, *, organ: str = MINISTRY, document_id: str = "") -> bytes:
    message = edxml.StatusMessage(
        sender=edxml.Organ(organ_id=organ, organ_name="Bộ Thông tin và Truyền thông"),
        response_for=edxml.ResponseFor(
            organ_id=OUR_ORGAN,
            code=f"{directive.number_display}/{directive.symbol}",
            promulgation_date=directive.issued_on,
            document_id=document_id or document_id_of(directive),
        ),
        status_code=code,
        description=f"trạng thái {code}",
        timestamp=timezone.now().replace(microsecond=0),
    )
    return signed(message, code="BOTTTT")


def ministry_state(directive):
    row = next(
        r
        for r in matrix_build(directive=directive).rows
        if r.dispatch.unit.identifier_code == MINISTRY
    )
    return row.receiving.code


def test_the_external_units_statuses_show_in_the_matrix_each_once(letter, outbox):  # noqa: F811
    for code in ("01", "03", "04"):
        result = edxml_message_receive(data=status_of(letter, code))
        assert result.status == code and not result.refused
        assert ministry_state(letter) == code
    again = edxml_message_receive(data=status_of(letter, "04"))
    assert again.refused and again.code == edxml.DUPLICATE
    assert edxml_message_receive(data=status_of(letter, "06")).status == "06"
    assert ministry_state(letter) == "06"
    # A 02 after the acceptance (a copy posted again after a lost reply) changes nothing.
    assert edxml_message_receive(data=status_of(letter, "02")).status == "02"
    assert ministry_state(letter) == "06"
    assert Event.objects.filter(directive=letter, verb="edxml_status").count() == 5
    assert not list(outbox.glob("*status*"))  # a status is never answered


def test_a_status_about_a_letter_this_portal_did_not_send_there_is_refused(letter):  # noqa: F811
    other = edxml_message_receive(data=status_of(letter, "03", organ="000.00.99.H99"))
    assert other.refused and other.code == edxml.UNKNOWN_ORGAN
    unknown = edxml_message_receive(
        data=status_of(letter, "03", document_id=f"{OUR_ORGAN},2020/01/01,1/X")
    )
    assert unknown.refused
    forged = status_of(letter, "06").replace(b"06<", b"05<")
    assert edxml_message_receive(data=forged).code == edxml.BAD_SIGNATURE
    assert ministry_state(letter) != "06"


def test_the_peer_posts_its_status_to_the_endpoint(client, settings, letter):  # noqa: F811
    settings.EDXML_PEER_TOKEN = "t"
    auth = {"HTTP_AUTHORIZATION": "Bearer t"}
    response = post(client, status_of(letter, "03"), **auth)
    assert response.status_code == 201 and response.json()["status"] == "03"
    again = post(client, status_of(letter, "03"), **auth)
    assert again.status_code == 422 and again.json()["code"] == edxml.DUPLICATE


def test_the_receiving_unit_tells_the_issuer_05_and_06_as_it_handles_the_letter(
    sttt, signed_pdf, outbox, celery_eager, django_capture_on_commit_callbacks
):
    from directives.services.distribution import incoming_entry_assign
    from directives.services.handling import (
        incoming_entry_head_approve,
        incoming_entry_mark_handled,
        incoming_entry_start,
    )
    from recipients import roles

    entry = edxml_message_receive(data=signed(letter_to(OUR_ORGAN, signed_pdf))).entry
    head = UserFactory(unit=sttt, roles=[roles.UNIT_OFFICER], is_unit_head=True)
    officer = UserFactory(unit=sttt, roles=[roles.UNIT_OFFICER])
    with django_capture_on_commit_callbacks(execute=True):
        incoming_entry_assign(entry=entry, by=head, handler_user=officer)
    with django_capture_on_commit_callbacks(execute=True):
        incoming_entry_start(entry=entry, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        incoming_entry_mark_handled(entry=entry, by=officer, text="Đã triển khai.")
    assert [s[0] for s in statuses(outbox)] == ["01", "03", "04", "05"]
    with django_capture_on_commit_callbacks(execute=True):
        incoming_entry_head_approve(entry=entry, by=head)
    assert [s[0] for s in statuses(outbox)] == ["01", "03", "04", "05", "06"]


def test_a_status_in_the_ministrys_name_signed_by_another_certificate_changes_nothing(
    letter,  # noqa: F811
    outbox,
    other_system_key,
):
    pinned = fingerprint(other_system_key)
    Unit.objects.filter(identifier_code=MINISTRY).update(edxml_certificates=pinned)
    forged = edxml_message_receive(data=status_of(letter, "06"))
    assert forged.refused and forged.code == edxml.BAD_SIGNATURE, forged.reason
    assert ministry_state(letter) != "06"
    assert not Event.objects.filter(directive=letter, verb="edxml_status").exists()
    assert not list(outbox.glob("*status*"))  # a status is never answered, even refused

    Unit.objects.filter(identifier_code=MINISTRY).update(edxml_certificates=fingerprint("BOTTTT"))
    assert edxml_message_receive(data=status_of(letter, "06")).status == "06"
    assert ministry_state(letter) == "06"
