"""The signed letter: PAdES signature, storage once, verification pages, scoped download."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from directives.documents.signing import signing_key_for
from directives.documents.verification import verify_pdf_bytes
from directives.models import Directive, Dispatch, Event
from directives.services.signing import directive_render_and_sign
from recipients import roles
from tests.directives.pdf.conftest import find_line, lines_of, open_pdf
from tests.factories import DirectiveFactory, UnitFactory, UserFactory


@pytest.fixture
def signed_letter(sample_letter, signing_configured) -> Directive:
    assert directive_render_and_sign(directive_id=sample_letter.pk) is True
    sample_letter.refresh_from_db()
    return sample_letter


def pdf_bytes(directive: Directive) -> bytes:
    with directive.pdf.open("rb") as handle:
        return handle.read()


def test_signature_is_pades_intact_trusted_and_covers_the_whole_file(signed_letter):
    data = pdf_bytes(signed_letter)
    assert signed_letter.pdf_status == Directive.PdfStatus.READY
    import hashlib

    assert signed_letter.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert signed_letter.signed_at is not None
    report = verify_pdf_bytes(data)
    assert report.issued_here and report.directive == signed_letter
    [sig] = report.signatures
    assert sig.intact and sig.valid and sig.trusted and sig.covers_whole_file
    embedded = PdfFileReader(BytesIO(data)).embedded_signatures[0]
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert embedded.md_algorithm == "sha256"
    assert Event.objects.filter(directive=signed_letter, verb="pdf_signed").count() == 1


def test_visible_stamp_sits_in_the_signature_block(signed_letter):
    from django.utils import timezone

    page = open_pdf(pdf_bytes(signed_letter)).pages[-1]
    text = " ".join(page.extract_text().split())
    local = timezone.localtime(signed_letter.signed_at).isoformat()
    assert local.endswith("+07:00") and local in text  # the time recorded in the signature
    assert "Người ký: Lê Thị Thu Hương" in text
    assert "Sở Thông tin và Truyền thông Gia Lai" in text
    right = page.crop((page.width / 2, 0, page.width, page.height))
    title = find_line(right, "PHÓ GIÁM ĐỐC")
    name = next(ln for ln in lines_of(right) if ln["text"] == "Lê Thị Thu Hương")
    widgets = [a for a in page.annots if a["data"].get("FT")]
    assert len(widgets) == 1, page.annots
    box = widgets[0]
    assert title["bottom"] < box["top"] < box["bottom"] < name["top"]
    assert box["x0"] > page.width / 2


def test_render_and_sign_is_idempotent_and_stores_once(signed_letter):
    name, digest = signed_letter.pdf.name, signed_letter.pdf_sha256
    assert directive_render_and_sign(directive_id=signed_letter.pk) is True
    signed_letter.refresh_from_db()
    assert (signed_letter.pdf.name, signed_letter.pdf_sha256) == (name, digest)
    assert Event.objects.filter(directive=signed_letter, verb="pdf_signed").count() == 1


def test_the_task_renders_and_signs(sample_letter, signing_configured, celery_eager, monkeypatch):
    from directives import jobs

    delivered = []
    monkeypatch.setattr(jobs, "fan_out_enqueue", delivered.append)
    jobs.pdf_render_enqueue(sample_letter.pk)
    sample_letter.refresh_from_db()
    assert sample_letter.pdf_status == Directive.PdfStatus.READY
    assert delivered == [sample_letter.pk]


def test_no_key_in_production_fails_clearly(sample_letter, settings):
    settings.DEBUG = False
    settings.SIGNING_P12 = settings.SIGNING_P12_DIR = ""
    assert directive_render_and_sign(directive_id=sample_letter.pk) is False
    sample_letter.refresh_from_db()
    assert sample_letter.pdf_status == Directive.PdfStatus.FAILED
    assert "SIGNING_P12" in sample_letter.pdf_error


def test_dev_pki_in_debug_only(settings, tmp_path):
    settings.SIGNING_P12 = settings.SIGNING_P12_DIR = ""
    settings.DEV_PKI_DIR = tmp_path / "pki"
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("init_dev_pki")
    settings.DEBUG = True
    call_command("init_dev_pki")
    first = (tmp_path / "pki" / "ca.pem").read_bytes()
    call_command("init_dev_pki")  # idempotent: the CA is kept
    assert (tmp_path / "pki" / "ca.pem").read_bytes() == first
    assert (tmp_path / "pki" / "org.p12").exists()
    key = signing_key_for("STTTT")
    assert key.signer.signing_cert.public_key.bit_size == 2048


def test_per_unit_key_is_preferred(settings, trusted_pki, other_pki, tmp_path):
    settings.DEBUG = False
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "STTTT.p12").write_bytes(other_pki.org_p12.read_bytes())
    settings.SIGNING_P12_DIR = str(keys)
    settings.SIGNING_P12 = str(trusted_pki.org_p12)
    settings.SIGNING_P12_PASSWORD = other_pki.password
    assert signing_key_for("STTTT").organisation == "Một tổ chức khác"


def upload(client, data: bytes, name: str = "letter.pdf"):
    return client.post(
        reverse("directives:verify"), {"pdf": SimpleUploadedFile(name, data, "application/pdf")}
    )


def test_verify_upload_genuine(client, signed_letter):
    response = upload(client, pdf_bytes(signed_letter))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-check="issued" data-result="yes"' in html
    assert 'data-check="signature" data-result="ok"' in html
    for check in ("intact", "trusted", "coverage"):
        assert f'data-check="{check}" data-result="yes"' in html
    assert 'data-result="issued"' in html


def test_one_changed_byte_is_reported_altered(client, signed_letter):
    data = bytearray(pdf_bytes(signed_letter))
    position = (
        data.index(b"stream") + 20
    )  # inside the first page's content, covered by the signature
    data[position] ^= 0x01
    response = upload(client, bytes(data))
    html = response.content.decode()
    assert 'data-check="issued" data-result="no"' in html
    assert 'data-check="signature" data-result="bad"' in html
    report = verify_pdf_bytes(bytes(data))
    assert not report.genuine and not report.signatures[0].ok


def test_signed_by_another_ca_is_untrusted(
    client, sample_letter, signing_configured, other_pki, settings
):
    settings.SIGNING_P12 = str(other_pki.org_p12)
    settings.SIGNING_P12_PASSWORD = other_pki.password
    assert directive_render_and_sign(directive_id=sample_letter.pk)
    sample_letter.refresh_from_db()
    report = verify_pdf_bytes(pdf_bytes(sample_letter))
    [sig] = report.signatures
    assert sig.intact and not sig.trusted
    html = upload(client, pdf_bytes(sample_letter)).content.decode()
    assert 'data-check="trusted" data-result="no"' in html
    assert 'data-check="intact" data-result="yes"' in html


def test_recalled_letter_is_reported(client, signed_letter):
    Directive.objects.filter(pk=signed_letter.pk).update(status=Directive.Status.RECALLED)
    html = upload(client, pdf_bytes(signed_letter)).content.decode()
    assert 'data-result="recalled"' in html


def test_non_pdf_and_oversize_uploads_get_clear_errors(client, db, settings):
    def refusal(response) -> list[str]:
        assert response.status_code == 400
        errors = response.context["form"].errors["pdf"]
        assert all(error in response.content.decode() for error in errors)
        return errors

    zipped = upload(client, b"PK\x03\x04 this is a zip, not a pdf", "letter.pdf")
    assert refusal(zipped) == [
        "Tệp này không phải PDF. Chỉ kiểm tra được bản PDF của văn bản do cổng ban hành."
    ]
    settings.VERIFY_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    big = b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024)
    assert refusal(upload(client, big)) == [
        "Tệp có dung lượng 3.0 MB; không kiểm tra được tệp lớn hơn 2 MB. "
        "Hãy tải lên đúng bản PDF đã nhận."
    ]


def test_verify_token_page(client, signed_letter):
    response = client.get(reverse("directives:verify_token", args=[signed_letter.verify_token]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "1038/STTTT-TTBCXB",
        "24/06/2021",
        "Sở Thông tin và Truyền thông",
        signed_letter.pdf_sha256,
        'data-status="issued"',
    ):
        assert text in html


def test_verify_token_of_a_draft_is_404(client, db):
    from tests.factories import DirectiveFactory

    draft = DirectiveFactory()
    assert (
        client.get(reverse("directives:verify_token", args=[draft.verify_token])).status_code == 404
    )


def test_download_is_scoped(client, signed_letter):
    receiving = UnitFactory(code="UBNDCP", name="UBND huyện Chư Păh")
    other = UnitFactory(code="UBNDIA", name="UBND huyện Ia Grai")
    Dispatch.objects.create(directive=signed_letter, unit=receiving)
    officer = UserFactory(unit=receiving, roles=[roles.UNIT_OFFICER])
    stranger = UserFactory(unit=other, roles=[roles.UNIT_OFFICER])
    url = reverse("directives:pdf", args=[signed_letter.pk])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="1038-STTTT-TTBCXB.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == pdf_bytes(signed_letter)
    # The inbox shows the same file inside the page.
    shown = client.get(url, {"inline": "1"})
    assert shown["Content-Disposition"].startswith("inline;")
    assert b"".join(shown.streaming_content) == pdf_bytes(signed_letter)
    client.force_login(stranger)
    assert client.get(url, {"inline": "1"}).status_code == 404


def test_pdf_status_partial_polls_then_links(client, sample_letter, signing_configured):
    clerk = UserFactory(unit=sample_letter.issuing_unit, roles=[roles.CLERK])
    client.force_login(clerk)
    Directive.objects.filter(pk=sample_letter.pk).update(pdf_status=Directive.PdfStatus.PENDING)
    url = reverse("directives:pdf_status", args=[sample_letter.pk])
    html = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in html
    directive_render_and_sign(directive_id=sample_letter.pk)
    html = client.get(url).content.decode()
    assert "every 2s" not in html and reverse("directives:pdf", args=[sample_letter.pk]) in html


def test_preview_is_a_draft_for_the_agency_only(client, sample_letter):
    clerk = UserFactory(unit=sample_letter.issuing_unit, roles=[roles.CLERK])
    client.force_login(clerk)
    response = client.get(reverse("directives:preview_pdf", args=[sample_letter.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    page = open_pdf(response.content).pages[0]
    assert "1038" not in page.extract_text()
    outsider = UserFactory(unit=UnitFactory(code="BAOGL"), roles=[roles.UNIT_OFFICER])
    client.force_login(outsider)
    assert client.get(reverse("directives:preview_pdf", args=[sample_letter.pk])).status_code == 404


def test_sweep_restarts_pdf_jobs_left_pending(sample_letter, signing_configured, celery_eager):
    """The broker was down at issue: the PDF job never ran. The periodic sweep runs it again,
    but leaves alone a letter issued a moment ago (its job is surely still queued)."""
    import datetime

    from django.utils import timezone

    from directives.tasks import sweep_outbox

    long_ago = timezone.now() - datetime.timedelta(hours=1)
    Directive.objects.filter(pk=sample_letter.pk).update(
        pdf_status=Directive.PdfStatus.PENDING, issued_at=long_ago
    )
    recent = DirectiveFactory(
        number=1039,
        symbol="STTTT-TTBCXB",
        register_year=2021,
        status=Directive.Status.ISSUED,
        issued_at=timezone.now(),
        pdf_status=Directive.PdfStatus.PENDING,
        issuing_unit=sample_letter.issuing_unit,
        drafting_unit=sample_letter.drafting_unit,
    )
    report = sweep_outbox.delay().get()
    assert report["pdf_jobs_resumed"] == 1
    sample_letter.refresh_from_db()
    recent.refresh_from_db()
    assert sample_letter.pdf_status == Directive.PdfStatus.READY and sample_letter.pdf_sha256
    assert recent.pdf_status == Directive.PdfStatus.PENDING


def test_a_failed_pdf_is_made_again_at_the_clerks_request(
    client, sample_letter, signing_configured, celery_eager, django_capture_on_commit_callbacks
):
    """The worker gave up (the signing key was missing at the time); once it is fixed, the
    issuing agency's clerk asks for the PDF again from the directive's page."""
    Directive.objects.filter(pk=sample_letter.pk).update(
        pdf_status=Directive.PdfStatus.FAILED, pdf_error="SigningNotConfigured: no signing key"
    )
    page = reverse("directives:detail", args=[sample_letter.pk])
    retry = reverse("directives:pdf_retry", args=[sample_letter.pk])
    drafter = UserFactory(unit=sample_letter.drafting_unit, roles=[roles.DRAFTER])
    client.force_login(drafter)
    html = client.get(page).content.decode()
    assert "no signing key" in html and 'data-testid="pdf-retry"' not in html
    client.post(retry)
    sample_letter.refresh_from_db()
    assert sample_letter.pdf_status == Directive.PdfStatus.FAILED  # only a clerk may ask

    clerk = UserFactory(unit=sample_letter.issuing_unit, roles=[roles.CLERK])
    client.force_login(clerk)
    assert 'data-testid="pdf-retry"' in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, follow=True)
    assert "Bản PDF ký số đang được tạo lại." in response.content.decode()
    sample_letter.refresh_from_db()
    assert sample_letter.pdf_status == Directive.PdfStatus.READY and sample_letter.pdf_sha256
    assert sample_letter.pdf_error == ""
    event = Event.objects.get(directive=sample_letter, verb="pdf_retried")
    assert event.actor == clerk and "no signing key" in event.comment
    # Nothing left to retry: a clear message, nothing changes.
    again = client.post(retry, follow=True).content.decode()
    assert "không có gì để làm lại" in again
    assert Event.objects.filter(directive=sample_letter, verb="pdf_retried").count() == 1


def test_signature_space_is_sized_from_the_chain_not_padded(signed_letter):
    """Every recipient gets the PDF by e-mail: the reserved signature space holds the key's
    chain and the signature with some room, not a fixed, mostly empty block."""
    import re

    from directives.documents.signing import SIGNATURE_ROOM, signature_space

    key = signing_key_for(signed_letter.issuing_unit.code)
    contents = re.search(rb"/Contents <([0-9a-fA-F]+)>", pdf_bytes(signed_letter)).group(1)
    assert len(contents) == signature_space(key, timestamped=False)
    used = len(contents.rstrip(b"0"))
    assert used < len(contents) <= used + 2 * SIGNATURE_ROOM + 1024
    assert signature_space(key, timestamped=True) > len(contents) + 20_000
