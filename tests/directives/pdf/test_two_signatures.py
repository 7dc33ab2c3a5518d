"""The letter's two signatures on the same final bytes: rendered unsigned when numbered, signed by
the signer with their own key (the signature image in that signature's widget), then sealed by
the agency (the seal image in its widget, over the left third of the signature)."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from directives.documents.keys import SigningKeyError, user_key
from directives.documents.pki import signer_certificate_issue
from directives.documents.revisions import (
    AGENCY_FIELD,
    SIGNER_FIELD,
    render_numbered_pdf,
    seal_as_agency,
    sign_as_signer,
)
from directives.documents.signing import signer_key_for, signing_key_for
from directives.errors import SignerKeyError
from directives.models import Directive
from tests.directives.pdf.test_images import seal_png, signature_png
from tests.factories import UserFactory

PIN = "123456"


@pytest.fixture
def signer_keys(settings, tmp_path, trusted_pki):
    """Signers' PKCS#12 files from the trusted test CA, in SIGNER_P12_DIR."""
    settings.SIGNER_P12_DIR = str(tmp_path / "signers")

    def issue(user, **validity):
        return signer_certificate_issue(
            trusted_pki,
            directory=tmp_path / "signers",
            username=user.get_username(),
            full_name=user.get_full_name(),
            organisation="Sở Thông tin và Truyền thông Gia Lai",
            pin=PIN,
            **validity,
        )

    return issue


@pytest.fixture
def numbered_letter(sample_letter, signing_configured):
    signer = UserFactory(last_name="Lê Thị", first_name="Thu Hương")
    signer.signature_image.save("sig.png", ContentFile(signature_png()))
    sample_letter.issuing_unit.seal_image.save("seal.png", ContentFile(seal_png()))
    sample_letter.signer = signer
    sample_letter.status = Directive.Status.NUMBERED
    sample_letter.save()
    return sample_letter


def image_count(pdf: bytes) -> int:
    return pdf.count(b"/Subtype /Image") + pdf.count(b"/Subtype/Image")


def test_numbered_pdf_keeps_room_for_the_images_and_draws_none(numbered_letter):
    numbered = render_numbered_pdf(numbered_letter)
    assert set(numbered.layout) == {"stamp", "signature", "seal"}
    sig, seal = numbered.layout["signature"], numbered.layout["seal"]
    # The seal covers the left third of the signature.
    third = sig["x1"] + (sig["x2"] - sig["x1"]) / 3
    assert seal["x1"] < sig["x1"] and abs(seal["x2"] - third) < 1
    assert image_count(numbered.pdf) == 0, "no image before a key signed"


def test_both_signatures_validate_and_each_draws_its_own_image(numbered_letter, signer_keys):
    signer_keys(numbered_letter.signer)
    numbered = render_numbered_pdf(numbered_letter)
    numbered_letter.signature_layout = numbered.layout
    key = signer_key_for(user=numbered_letter.signer, pin=PIN)

    first, _at = sign_as_signer(numbered_letter, key=key, pdf=numbered.pdf)
    assert first.startswith(numbered.pdf), "an incremental revision of the numbered bytes"
    both, _at = seal_as_agency(
        numbered_letter, key=signing_key_for(numbered_letter.issuing_unit.code), pdf=first
    )
    assert both.startswith(first)

    reader = PdfFileReader(BytesIO(both))
    sigs = {s.field_name: s for s in reader.embedded_signatures}
    assert list(sigs) == [SIGNER_FIELD, AGENCY_FIELD]
    roots = [signing_key_for("x").signer.cert_registry]
    context = ValidationContext(trust_roots=list(*roots), allow_fetching=False)
    person = validate_pdf_signature(sigs[SIGNER_FIELD], signer_validation_context=context)
    agency = validate_pdf_signature(sigs[AGENCY_FIELD], signer_validation_context=context)
    for status in (person, agency):
        assert status.intact and status.valid and status.trusted
        assert status.docmdp_ok is not False
    assert "Thu Hương" in sigs[SIGNER_FIELD].signer_cert.subject.human_friendly
    assert person.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    # The later revision adds only the agency's signature: allowed by the first's policy.
    assert person.modification_level is not None
    assert person.modification_level.name in ("NONE", "LTA_UPDATES", "FORM_FILLING")
    # The agency's signature is followed only by its validation data (the /DSS of PAdES B-LT).
    assert agency.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert agency.modification_level.name == "LTA_UPDATES"
    # Each image is in its own signature's widget appearance.
    for name in (SIGNER_FIELD, AGENCY_FIELD):
        widget = sigs[name].sig_field
        appearance = widget["/AP"]["/N"]
        images = [
            x
            for x in appearance["/Resources"]["/XObject"].values()
            if x.get_object().get("/Subtype") == "/Image"
        ]
        assert len(images) == 1, name


@pytest.fixture
def english():
    """The msgids; the pages' Vietnamese is checked in tests/directives/core."""
    with translation.override("en"):
        yield


def test_failures_of_the_signers_key(numbered_letter, signer_keys, english):
    user = numbered_letter.signer
    with pytest.raises(SignerKeyError, match="no digital signature certificate"):
        signer_key_for(user=user, pin=PIN)
    files = signer_keys(user)
    with pytest.raises(SignerKeyError, match="PIN is wrong"):
        signer_key_for(user=user, pin="000000")
    files.p12.unlink()
    with pytest.raises(SignerKeyError, match="cannot be reached"):
        signer_key_for(user=user, pin=PIN)
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    signer_keys(user, not_before=past, not_after=past + datetime.timedelta(days=365))
    with pytest.raises(SigningKeyError, match="not valid now"):
        user_key(user=user, pin=PIN)  # the one certificate check of every key
