"""A letter's delivery e-mail, encoded once per letter and varied per unit, is the e-mail the
ordinary path builds for that unit (Django's message, the templates rendered for the unit):
byte for byte but its boundaries and Date, whatever the unit's name, tasks and addresses."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.conf import settings
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.utils import translation

from directives.models import Assignment, Dispatch
from directives.services.notices.delivery import dispatches_for_delivery, dispatches_notices_write
from directives.services.notices.letter_mail import (
    delivery_context,
    delivery_email_bytes,
    delivery_html,
    email_message,
)
from directives.services.notices.sending import _pdf_part
from directives.services.notices.transport import mime_flatten
from recipients import roles
from tests.directives.dispatch.conftest import make_ready, make_units
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "UBND huyện Chư Păh",
    "Phòng \"Tài chính\" & <Kế hoạch> của 'huyện'",
    "Ủy ban nhân dân thị xã An Khê " + "dài " * 50,
]
BOUNDARY = re.compile(rb"=_[0-9a-f]{32}")
DATE = re.compile(rb"\r\nDate: [^\r]*\r\n")


def _normal(raw: bytes) -> bytes:
    return DATE.sub(b"\r\nDate: -\r\n", BOUNDARY.sub(b"=_boundary", raw))


def _letter(agency):
    units = make_units(len(NAMES), prefix="L")
    for unit, name in zip(units, NAMES, strict=True):
        unit.name = name
        unit.save(update_fields=["name"])
    UserFactory(unit=units[1], roles=[roles.UNIT_OFFICER], username="l1-extra")  # two in Cc
    units[2].contact_emails = ""  # officers only: all in To, no Cc
    units[2].save(update_fields=["contact_emails"])
    directive = make_ready(units, issuing_unit=agency, pdf=b"%PDF-1.4\n" + bytes(range(256)) * 40)
    # One unit with one task of the two: a shape of its own.
    Assignment.objects.filter(dispatch__unit=units[1], task__position=1).delete()
    return directive


def test_each_unit_gets_the_e_mail_the_ordinary_path_builds(agency, settings):
    directive = _letter(agency)
    ids = list(Dispatch.objects.filter(directive=directive).values_list("pk", flat=True))
    seen_cc = set()
    for _twice in range(2):  # the second time from the letter's encoded e-mail
        for dispatch in dispatches_for_delivery(ids):
            (unit_rows,) = dispatches_notices_write([dispatch])
            rows = unit_rows.emails
            link = rows[0].link
            with translation.override(settings.LANGUAGE_CODE):
                context = delivery_context(directive, dispatch, link=link)
                text = render_to_string("email/delivery.txt", context).strip()
                context.update({"row": rows[0], "site_url": settings.SITE_URL})
                html = render_to_string("email/delivery.html", context)
                assert rows[0].body == text
                assert (
                    delivery_html(directive, dispatch, link=link, subject=rows[0].subject) == html
                )
                attachment = _pdf_part(directive)
                contacts = frozenset(a.lower() for a in dispatch.unit.email_list)
                ordinary = email_message(rows, html=html, attachment=attachment, contacts=contacts)
                wire = delivery_email_bytes(
                    directive, dispatch, rows, attachment=attachment, contacts=contacts
                )
            assert wire is not None
            sender, given, data = wire
            assert sender == sanitize_address(ordinary.from_email, "utf-8")
            assert given == {sanitize_address(a, "utf-8"): a for a in ordinary.recipients()}
            assert _normal(data) == _normal(mime_flatten(ordinary.message()))
            read = email.message_from_bytes(data, policy=policy.default)
            assert read["Date"]
            assert dispatch.unit.name in read.get_body(("plain",)).get_content()
            seen_cc.add(bool(ordinary.cc))
    assert seen_cc == {True, False}


def test_a_row_written_with_another_text_goes_the_ordinary_way(agency):
    directive = _letter(agency)
    (dispatch,) = dispatches_for_delivery(
        [Dispatch.objects.filter(directive=directive).values_list("pk", flat=True).first()]
    )
    (unit_rows,) = dispatches_notices_write([dispatch])
    rows = unit_rows.emails
    rows[0].body += "\nAn earlier wording."
    contacts = frozenset(a.lower() for a in dispatch.unit.email_list)
    assert (
        delivery_email_bytes(directive, dispatch, rows, attachment=None, contacts=contacts) is None
    )


def test_a_name_that_would_outgrow_the_line_limit_goes_the_ordinary_way(agency):
    directive = _letter(agency)
    (dispatch,) = dispatches_for_delivery(
        [Dispatch.objects.filter(directive=directive).values_list("pk", flat=True).first()]
    )
    (unit_rows,) = dispatches_notices_write([dispatch])
    rows = unit_rows.emails
    dispatch.unit.name = "&" * 250  # escaped, 1,250 bytes on one line of the HTML part
    with translation.override(settings.LANGUAGE_CODE):
        from directives.services.notices.letter_mail import delivery_text

        rows[0].body = delivery_text(
            directive, dispatch, link=rows[0].link, subject=rows[0].subject
        )
    contacts = frozenset(a.lower() for a in dispatch.unit.email_list)
    assert (
        delivery_email_bytes(directive, dispatch, rows, attachment=None, contacts=contacts) is None
    )


@pytest.mark.parametrize(
    "address",
    [
        "vanphong.h00001@gialai.gov.vn",
        "Van.Phong@GiaLai.Gov.VN",
        "o'neil+tag@so-tttt.gialai.gov.vn",
        "a_b-c@1.2",
        "văn.phòng@gialai.gov.vn",
        "vanphong@sở.gov.vn",
        "Văn phòng <vp@gialai.gov.vn>",
        '"a b"@x.vn',
    ],
)
def test_an_address_is_sent_as_django_sends_it(address):
    from directives.services.notices.letter_mail import address_sent

    assert address_sent(address, "utf-8") == sanitize_address(address, "utf-8")
