"""Fixtures of the edXML tests: the development PKI (DEBUG), drop folders per test, a letter PDF
signed by its signer and by its agency, and the units on both sides."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import pytest
import weasyprint
from django.utils import timezone
from pyhanko.sign import signers

from directives.documents.pki import dev_signer_certificate_issue, dev_unit_certificate_issue
from directives.documents.signing import SigningKey, sign_pdf_bytes, signing_key_for
from directives.exchange import edxml
from recipients.models import Unit
from tests.factories import UnitFactory

OUR_ORGAN = "000.00.31.H18"  # the Sở, on this portal
OTHER_ORGAN = "000.00.11.H53"  # a Sở on another system


@pytest.fixture(autouse=True)
def _exchange_settings(settings, tmp_path):
    settings.DEBUG = True  # the development CA signs and is trusted
    settings.SIGNING_P12 = ""
    settings.SIGNING_P12_DIR = ""
    settings.SIGNING_TRUST_ROOTS = []
    settings.SIGNING_TSA_URL = ""
    settings.EDXML_OUTBOX_DIR = tmp_path / "edxml" / "outbox"
    settings.EDXML_INBOX_DIR = tmp_path / "edxml" / "inbox"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def outbox(settings) -> Path:
    return Path(settings.EDXML_OUTBOX_DIR)


@pytest.fixture
def inbox(settings) -> Path:
    path = Path(settings.EDXML_INBOX_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def sttt(db) -> Unit:
    return UnitFactory(
        code="STTTT",
        name="Sở Thông tin và Truyền thông",
        identifier_code=OUR_ORGAN,
        contact_emails="stttt@gialai.gov.vn",
    )


@pytest.fixture
def signed_pdf() -> bytes:
    """A one-page letter signed by the competent person, then sealed by the agency."""
    pdf = weasyprint.HTML(string="<p>Công văn số 2491/STC-BCTC</p>").write_pdf()
    files = dev_signer_certificate_issue(username="ketoan", full_name="Trần Văn Bình", pin="1")
    person = signers.SimpleSigner.load_pkcs12(str(files.p12), passphrase=b"1")
    person_key = SigningKey(signer=person, organisation="Sở Tài chính", path=files.p12)
    now = timezone.now()
    pdf = sign_pdf_bytes(pdf, key=person_key, signed_at=now, box=None, field_name="ChuKyNguoiKy")
    return sign_pdf_bytes(pdf, key=signing_key_for("STC"), signed_at=now, box=None)


def letter_to(organ_id: str, pdf: bytes, **overrides) -> edxml.LetterMessage:
    """A letter of the other system's Sở Tài chính to `organ_id`."""
    fields = {
        "sender": edxml.Organ(
            organ_id=OTHER_ORGAN,
            organ_name="Sở Tài chính tỉnh Gia Lai",
            organization_in_charge="UBND tỉnh Gia Lai",
            email="stc@gialai.gov.vn",
        ),
        "recipients": (edxml.Organ(organ_id=organ_id, organ_name="Sở TT&TT"),),
        "document_id": f"{OTHER_ORGAN},2026/10/30,2491/STC-BCTC",
        "code_number": "2491",
        "code_notation": "STC-BCTC",
        "place": "Gia Lai",
        "promulgation_date": datetime.date(2026, 10, 30),
        "type": "1",
        "type_detail": "CV",
        "type_name": "Công văn",
        "subject": "hướng dẫn quyết toán ngân sách năm 2026",
        "timestamp": datetime.datetime(2026, 10, 30, 9, 15, tzinfo=edxml.TZ),
        "attachments": (edxml.EdxmlAttachment("2491-STC-BCTC.pdf", "application/pdf", pdf),),
    }
    fields.update(overrides)
    return edxml.LetterMessage(**fields)


OTHER_SYSTEM = "HETHONGKHAC"  # a unit code with a seal certificate of its own


@pytest.fixture
def other_system_key() -> str:
    """A seal certificate of the development CA that is neither the Sở's nor the Ministry's:
    another agency's system, trusted as much. Returns the code `signed` takes for it."""
    dev_unit_certificate_issue(unit_code=OTHER_SYSTEM, organisation="Một hệ thống khác")
    return OTHER_SYSTEM


def fingerprint(code: str) -> str:
    """The SHA-256 of the certificate `signed(..., code)` signs with, as a unit names it."""
    return hashlib.sha256(signing_key_for(code).signer.signing_cert.dump()).hexdigest()


def signed(message, code: str = "STC") -> bytes:
    build = edxml.status_build if isinstance(message, edxml.StatusMessage) else edxml.letter_build
    return edxml.message_sign(build(message), key=signing_key_for(code))
