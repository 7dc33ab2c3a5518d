"""Delivery of an issued directive to every unit through a real SMTP server (tasks run inline)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from directives.models import Dispatch, Notification
from directives.services.notices import directive_fan_out
from directives.tasks import deliver_directive
from recipients import roles
from recipients.models import Unit
from tests.directives.dispatch.conftest import PDF_BYTES, make_ready, make_units
from tests.factories import UnitFactory, UserFactory

LINK = re.compile(r"http://testserver(/ack/[^\s\"<]+/)")

pytestmark = pytest.mark.django_db


def ack_path(message) -> str:
    return LINK.search(message.get_body(("plain",)).get_content()).group(1)


def test_issue_to_200_units_one_email_per_address_each_with_pdf_and_link(
    agency, smtp_sink, celery_eager, client, django_capture_on_commit_callbacks
):
    units = make_units(200)
    directive = make_ready(units, issuing_unit=agency)
    with django_capture_on_commit_callbacks(execute=True):
        deliver_directive.delay(directive.pk)

    counts = smtp_sink.count_by_address()
    expected = {f"{u.code.lower()}@gialai.gov.vn" for u in units}
    expected |= {f"{u.code.lower()}-0@gialai.gov.vn" for u in units}
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    # One e-mail per unit: its contact address in To, its officer in Cc.
    assert len(smtp_sink.messages) == 200
    message = smtp_sink.message_to("u0017-0@gialai.gov.vn")
    assert (message["To"], message["Cc"]) == ("u0017@gialai.gov.vn", "u0017-0@gialai.gov.vn")
    for message in smtp_sink.messages:
        assert message["Subject"].strip().startswith("[Số 1038/STTTT-TTBCXB] V/v thông tin")
        (pdf,) = [
            p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"
        ]
        assert pdf.get_content() == PDF_BYTES
        assert message.get_body(("html",)) is not None
    assert set(Dispatch.objects.values_list("delivery", flat=True)) == {"sent"}
    assert Dispatch.objects.filter(directive=directive, delivered_at__isnull=False).count() == 200

    # The link of one unit's e-mail: GET shows the document and changes nothing, POST acknowledges.
    unit = units[17]
    path = ack_path(smtp_sink.message_to(f"{unit.code.lower()}@gialai.gov.vn"))
    page = client.get(path)
    assert page.status_code == 200
    assert "1038/STTTT-TTBCXB" in page.content.decode()
    dispatch = Dispatch.objects.get(directive=directive, unit=unit)
    assert dispatch.acknowledged_at is None
    done = client.post(path, {"name": "Nguyễn Văn Bình, Chánh Văn phòng"})
    assert done.status_code == 200
    dispatch.refresh_from_db()
    assert dispatch.acknowledged_at is not None
    assert dispatch.acknowledged_by_name == "Nguyễn Văn Bình, Chánh Văn phòng"
    assert dispatch.acknowledged_pdf_sha256 == directive.pdf_sha256
    assert Dispatch.objects.filter(directive=directive, acknowledged_at__isnull=False).count() == 1

    # Delivering again (a redelivered task, the sweep) sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert directive_fan_out(directive_id=directive.pk) == 0
    assert len(smtp_sink.messages) == 200


def test_addresses_are_deduplicated_and_external_units_get_email_only(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    district = UnitFactory(
        code="CHUPAH", contact_emails="VanPhong@ChuPah.gov.vn, chupah@gialai.gov.vn"
    )
    officer = UserFactory(unit=district, roles=[roles.UNIT_OFFICER], email="vanphong@chupah.gov.vn")
    UserFactory(unit=district, roles=[roles.UNIT_OFFICER], email="", username="no-mail")
    UserFactory(unit=district, roles=[roles.UNIT_OFFICER], is_active=False, username="gone")
    UserFactory(unit=district, roles=[roles.DRAFTER], username="not-an-officer")
    ministry = UnitFactory(
        code="BTTTT", kind=Unit.Kind.MINISTRY, is_external=True, contact_emails="vanthu@mic.gov.vn"
    )
    directive = make_ready([district, ministry], issuing_unit=agency)
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)

    assert sorted(smtp_sink.count_by_address().items()) == [
        ("chupah@gialai.gov.vn", 1),
        ("vanphong@chupah.gov.vn", 1),
        ("vanthu@mic.gov.vn", 1),
    ]
    in_app = Notification.objects.filter(channel="in_app")
    assert in_app.count() == 2  # the two active officers of the district, none for the ministry
    assert set(in_app.values_list("unit__code", flat=True)) == {"CHUPAH"}
    assert officer.notifications.get().link == reverse(
        "directives:inbox_detail", args=[Dispatch.objects.get(unit=district).pk]
    )


def test_a_large_pdf_is_sent_as_a_link(
    agency, smtp_sink, celery_eager, client, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_ATTACH_MAX_BYTES = 50
    (unit,) = make_units(1, officers=0)
    directive = make_ready([unit], issuing_unit=agency)
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)
    (message,) = smtp_sink.messages
    assert not [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    text = message.get_body(("plain",)).get_content()
    pdf_url = re.search(r"http://testserver(/ack/\S+\?format=pdf)", text).group(1)
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert Dispatch.objects.get().acknowledged_at is None


def test_typed_document_subject_names_its_type(
    agency, smtp_sink, celery_eager, django_capture_on_commit_callbacks
):
    (unit,) = make_units(1, officers=0)
    directive = make_ready(
        [unit], issuing_unit=agency, doc_type="KH", subject="triển khai Tháng hành động"
    )
    directive.symbol = "KH-STTTT"
    directive.save(update_fields=["symbol"])
    with django_capture_on_commit_callbacks(execute=True):
        directive_fan_out(directive_id=directive.pk)
    assert (
        smtp_sink.messages[0]["Subject"].strip()
        == "[Số 1038/KH-STTTT] Kế hoạch triển khai Tháng hành động"
    )


def test_a_directive_without_a_ready_pdf_is_not_delivered(agency, smtp_sink, celery_eager):
    (unit,) = make_units(1)
    directive = make_ready([unit], issuing_unit=agency)
    directive.pdf_status = "rendering"
    directive.save(update_fields=["pdf_status"])
    assert directive_fan_out(directive_id=directive.pk) == 0
    assert not Notification.objects.exists()
