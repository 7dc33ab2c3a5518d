"""An officer's one-step "Xác nhận đã nhận" (the inbox button or the e-mail's one-click link)
accepts the letter into the unit's incoming book, with the book's next arrival number, so the
issuer sees 03 rather than 01 for ever; the clerk's acceptance afterwards takes no second number."""

from __future__ import annotations

import pytest
from django.urls import reverse

from directives.models import IncomingBook, IncomingEntry
from directives.selectors.matrix import matrix_build
from directives.services.incoming import dispatch_accept, dispatch_acknowledge
from directives.services.receipts import ack_token_make
from recipients import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def code_of(directive, unit) -> str:
    return next(
        r for r in matrix_build(directive=directive).rows if r.dispatch.unit == unit
    ).receiving.code


def test_an_officers_acknowledgement_accepts_the_letter_into_the_book(
    client, press_officer, letter, to_press, press
):
    assert code_of(letter, press) == "01"
    client.force_login(press_officer)
    client.post(reverse("directives:inbox_acknowledge", args=[to_press.pk]))
    entry = IncomingEntry.objects.get(dispatch=to_press)
    assert entry.decision == "accepted" and entry.arrival_number == 1
    assert entry.received_by == press_officer
    assert IncomingBook.objects.get(unit=press).last_number == 1
    assert code_of(letter, press) == "03"
    to_press.refresh_from_db()
    assert to_press.acknowledged_by == press_officer

    # Pressed again: nothing more, no second number.
    client.post(reverse("directives:inbox_acknowledge", args=[to_press.pk]))
    assert IncomingEntry.objects.filter(unit=press).count() == 1
    assert IncomingBook.objects.get(unit=press).last_number == 1


def test_the_e_mail_link_accepts_the_letter_too(client, letter, to_press, press):
    url = reverse("directives:ack_link", kwargs={"token": ack_token_make(to_press)})
    assert client.post(url, {"name": "Trần Văn B"}).status_code == 200
    entry = IncomingEntry.objects.get(dispatch=to_press)
    assert entry.arrival_number == 1 and entry.received_by is None
    assert entry.received_by_name == "Trần Văn B"
    assert code_of(letter, press) == "03"


def test_the_clerk_accepting_after_an_acknowledgement_takes_no_second_number(
    clerk, sttt, letter, to_sttt
):
    officer = UserFactory(unit=sttt, roles=[roles.UNIT_OFFICER])
    dispatch_acknowledge(dispatch=to_sttt, by=officer)
    first = IncomingEntry.objects.get(dispatch=to_sttt)
    with pytest.raises(Exception, match="1/"):
        dispatch_accept(dispatch=to_sttt, by=clerk)
    assert IncomingEntry.objects.filter(dispatch=to_sttt).count() == 1
    assert first.arrival_number == 1


def test_acknowledging_after_the_clerks_acceptance_keeps_its_number(
    clerk, sttt, letter, to_sttt, to_press, press_officer
):
    entry = dispatch_accept(dispatch=to_sttt, by=clerk)
    assert IncomingBook.objects.get(unit=sttt).last_number == 1
    # The press's own book counts on its own.
    dispatch_acknowledge(dispatch=to_press, by=press_officer)
    assert IncomingEntry.objects.get(dispatch=to_press).arrival_number == 1
    entry.refresh_from_db()
    assert entry.arrival_number == 1 and IncomingBook.objects.get(unit=sttt).last_number == 1
