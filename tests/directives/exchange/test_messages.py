"""edXML messages: what the portal builds it reads back whole; a changed byte or a stranger's
key is refused; hostile XML never reaches the parser's entity expansion."""

from __future__ import annotations

import datetime

import pytest
from lxml import etree

from directives.documents.pki import pki_create
from directives.documents.signing import SigningKey
from directives.documents.verification import trust_roots
from directives.exchange import edxml
from tests.directives.exchange.conftest import OTHER_ORGAN, OUR_ORGAN, letter_to, signed

MAX = 10 * 1024 * 1024


def read_back(data: bytes) -> edxml.LetterMessage:
    root = edxml.safe_parse(data, max_bytes=MAX)
    checked = edxml.signature_check(root, roots=trust_roots())
    return edxml.letter_parse(checked.root, attachment_max_bytes=MAX)


def full_letter() -> edxml.LetterMessage:
    """Every element the portal writes, filled."""
    return letter_to(
        OUR_ORGAN,
        b"%PDF-1.7 letter",
        recipients=(
            edxml.Organ(OUR_ORGAN, "Sở TT&TT", "UBND tỉnh Gia Lai", "Pleiku", "a@gialai.gov.vn"),
            edxml.Organ("000.00.00.G22", "Bộ TT&TT", "", "", "b@mic.gov.vn", "024", "025", "w"),
        ),
        content="1. Rà soát.\n2. Báo cáo <trước> ngày 15 & sau đó.",
        signer_competence="KT. GIÁM ĐỐC",
        signer_position="PHÓ GIÁM ĐỐC",
        signer_full_name="Nguyễn Văn An",
        due_date=datetime.date(2026, 11, 15),
        to_places=("Như trên;", "Bộ Tài chính (b/c);", "Lưu: VT, NS."),
        priority="2",
        sphere_of_promulgation="Lưu hành nội bộ",
        typer_notation="NVA",
        promulgation_amount=12,
        page_amount=3,
        steering_type="1",
        response_for=(
            edxml.ResponseFor(
                OUR_ORGAN,
                "1038/STTTT-TTBCXB",
                datetime.date(2026, 10, 1),
                f"{OUR_ORGAN},2026/10/01,1038/STTTT-TTBCXB",
            ),
        ),
        business_doc_reason="",
        staff=edxml.Staff("Văn phòng", "Lê Thị Hoa", "hoa@gialai.gov.vn", "0905000000"),
        attachments=(
            edxml.EdxmlAttachment("2491-STC-BCTC.pdf", "application/pdf", b"%PDF-1.7 x", "CV"),
            edxml.EdxmlAttachment("phu-luc.xlsx", "application/vnd.ms-excel", bytes(range(256))),
        ),
    )


def test_a_letter_built_and_read_back_keeps_every_field(db):
    message = full_letter()
    assert read_back(signed(message)) == message


def test_the_xml_says_what_the_standard_names(db):
    data = signed(full_letter())
    root = etree.fromstring(data)
    ns = {"e": edxml.NS, "ds": edxml.DS}
    head = "e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader"
    assert root.tag == f"{{{edxml.NS}}}edXML"
    assert root.findtext(f"{head}/e:DocumentId", namespaces=ns) == (
        "000.00.11.H53,2026/10/30,2491/STC-BCTC"
    )
    assert root.findtext(f"{head}/e:PromulgationInfo/e:PromulgationDate", namespaces=ns) == (
        "30/10/2026"
    )
    assert root.findtext(f"{head}/e:To[2]/e:OrganId", namespaces=ns) == "000.00.00.G22"
    trace = "e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList"
    assert root.findtext(f"{trace}/e:Bussiness/e:BussinessDocType", namespaces=ns) == "0"
    assert root.findtext(f"{trace}/e:TraceHeader/e:Timestamp", namespaces=ns) == (
        "2026/10/30 09:15:00"
    )
    assert root.find("e:edXMLEnvelope/e:edXMLHeader/ds:Signature", namespaces=ns) is not None
    refs = root.findall("e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest/e:Reference", namespaces=ns)
    assert [r.findtext("e:ContentId", namespaces=ns) for r in refs] == ["cid:1", "cid:2"]
    encoded = root.findall("e:AttachmentEncoded/e:Attachment", namespaces=ns)
    assert encoded[0].findtext("e:ContentTransferEncoded", namespaces=ns) == "JVBERi0xLjcgeA=="


def test_a_status_message_built_and_read_back_keeps_every_field(db):
    status = edxml.StatusMessage(
        sender=edxml.Organ(OUR_ORGAN, "Sở TT&TT", "UBND tỉnh Gia Lai", email="a@gialai.gov.vn"),
        response_for=edxml.ResponseFor(
            OTHER_ORGAN, "2491/STC-BCTC", datetime.date(2026, 10, 30), "X,2026/10/30,2491/STC"
        ),
        status_code="03",
        description="Đã vào sổ văn bản đến, số đến 5/2026.",
        timestamp=datetime.datetime(2026, 10, 31, 8, 0, 5, tzinfo=edxml.TZ),
        staff=edxml.Staff("Văn phòng", "Lê Thị Hoa", "hoa@gialai.gov.vn", "0905"),
    )
    root = edxml.safe_parse(signed(status), max_bytes=MAX)
    checked = edxml.signature_check(root, roots=trust_roots())
    assert edxml.is_status(checked.root)
    assert edxml.status_parse(checked.root) == status


@pytest.mark.parametrize(
    "before, after",
    [
        ("hướng dẫn quyết toán", "hướng dẫn tạm ứng"),  # the subject
        ("<edXML:CodeNumber>2491<", "<edXML:CodeNumber>2492<"),  # the number
        ("JVBERi0xLjcgeA==", "JVBERi0xLjcgeQ=="),  # one byte of the PDF
    ],
)
def test_a_changed_message_is_refused(db, before, after):
    data = signed(full_letter())
    assert before.encode() in data
    with pytest.raises(edxml.EdxmlRefused) as refused:
        read_back(data.replace(before.encode(), after.encode()))
    assert refused.value.code == edxml.BAD_SIGNATURE


def test_a_message_signed_by_a_key_the_portal_does_not_trust_is_refused(db, tmp_path):
    from pyhanko.sign import signers

    stranger = pki_create(directory=tmp_path / "other", organisation="X", password="p", ca_name="Y")
    signer = signers.SimpleSigner.load_pkcs12(str(stranger.org_p12), passphrase=b"p")
    key = SigningKey(signer=signer, organisation="X", path=stranger.org_p12)
    data = edxml.message_sign(edxml.letter_build(full_letter()), key=key)
    with pytest.raises(edxml.EdxmlRefused) as refused:
        read_back(data)
    assert refused.value.code == edxml.BAD_SIGNATURE


def test_an_unsigned_message_is_refused(db):
    data = etree.tostring(edxml.letter_build(full_letter()))
    with pytest.raises(edxml.EdxmlRefused) as refused:
        read_back(data)
    assert refused.value.code == edxml.BAD_SIGNATURE


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&c;</edXML:edXML>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<edXML:edXML xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">&x;</edXML:edXML>"""


@pytest.mark.parametrize("data", [BOMB, EXTERNAL, b"<edXML", b"not xml", b"<a/>"])
def test_hostile_or_broken_xml_is_refused_as_malformed(data):
    with pytest.raises(edxml.EdxmlRefused) as refused:
        edxml.safe_parse(data, max_bytes=MAX)
    assert refused.value.code == edxml.MALFORMED


def test_a_message_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(edxml.EdxmlRefused) as refused:
        edxml.safe_parse(b"<x>" + b"a" * 2000 + b"</x>", max_bytes=1000)
    assert refused.value.code == edxml.TOO_LARGE


@pytest.mark.parametrize(
    "before, after",
    [
        (b"<ds:SignatureValue>", b"<ds:SignatureValue>AAAA"),
        (b"<ds:X509Certificate>", b"<ds:X509Certificate>AAAA"),
        (b'Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"', b'Algorithm="x"'),
        (b"<ds:DigestValue>", b"<ds:DigestValue>=="),
    ],
)
def test_a_broken_signature_element_is_refused_not_a_crash(db, before, after):
    data = signed(full_letter())
    assert before in data
    with pytest.raises(edxml.EdxmlRefused):
        read_back(data.replace(before, after, 1))


@pytest.mark.parametrize("days, refused", [(10, True), (60, False)])
def test_a_message_signed_with_an_expired_certificate_is_refused(db, days, refused):
    """The same CA, a certificate issued a month ago: expired after 10 days, in force for 60."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from directives.documents.pki import dev_pki_ensure, issue_certificate

    pki = dev_pki_ensure()
    month_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
    key, cert = issue_certificate(
        pki,
        common_name="Sở Tài chính",
        organisation="Sở Tài chính",
        not_before=month_ago,
        days=days,
    )
    der = serialization.Encoding.DER
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs([]),
    )
    data = edxml.message_sign(
        edxml.letter_build(full_letter()),
        key=SigningKey(signer=signer, organisation="Sở Tài chính", path=pki.ca_pem),
    )
    if not refused:
        assert read_back(data) == full_letter()
        return
    with pytest.raises(edxml.EdxmlRefused) as refusal:
        read_back(data)
    assert refusal.value.code == edxml.BAD_SIGNATURE
