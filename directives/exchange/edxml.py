"""edXML messages (QCVN 102:2016/BTTTT, amended by Thông tư 01/2022/TT-BTTTT): build, sign,
parse and check a letter or a status message.

A message is plain data (`LetterMessage`, `StatusMessage`) turned into XML and back, so that a
round trip keeps every field. The XML signature is enveloped (XML-DSig, RSA-SHA256, exclusive
canonicalisation of the whole document, the certificate chain in KeyInfo), placed in
`edXMLHeader` after `TraceHeaderList`; it covers the header, the manifest and every attachment.
An incoming message is parsed with no DTD, no entity, no network and a size limit, its signature
checked against the portal's trust roots, and only what the signature covers is read.
`docs/edxml.md` maps each portal field to its element.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime
import hashlib
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import defusedxml.ElementTree as safe_et
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from defusedxml import DefusedXmlException
from lxml import etree
from signxml import SignatureConfiguration, XMLSigner, XMLVerifier
from signxml.exceptions import InvalidInput, SignXMLException
from signxml.util import X509CertChainVerifier

from directives.documents.keys import SigningKeyError, check_certificate
from directives.documents.signing import SigningKey

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DS = "http://www.w3.org/2000/09/xmldsig#"
PREFIX = "edXML"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATE = "%d/%m/%Y"
TIMESTAMP = "%Y/%m/%d %H:%M:%S"

# BussinessDocType
NEW, RECALL, UPDATE, REPLACE = 0, 1, 2, 3

# Why a message is refused (`EdxmlRefused.code`); the status 02 sent back says it in words.
MALFORMED = "malformed"
BAD_SIGNATURE = "bad_signature"
TOO_LARGE = "too_large"
UNKNOWN_ORGAN = "unknown_organ"
DUPLICATE = "duplicate"
BAD_PDF = "bad_pdf"
UNKNOWN_DOCUMENT = "unknown_document"  # a recall or replacement of a letter never entered here


class EdxmlRefused(Exception):
    """The message cannot be taken: `code` (one of the constants above) and a reason."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


@dataclass(frozen=True)
class Organ:
    """From, To and the status message's sender: an agency by its identifier (mã định danh)."""

    organ_id: str
    organ_name: str = ""
    organization_in_charge: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


ORGAN_FIELDS = (
    ("OrganId", "organ_id"),
    ("OrganizationInCharge", "organization_in_charge"),
    ("OrganName", "organ_name"),
    ("OrganAdd", "organ_add"),
    ("Email", "email"),
    ("Telephone", "telephone"),
    ("Fax", "fax"),
    ("Website", "website"),
)


@dataclass(frozen=True)
class Staff:
    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class ResponseFor:
    """The letter a message answers (a reply, or the letter a status is about)."""

    organ_id: str
    code: str = ""
    promulgation_date: datetime.date | None = None
    document_id: str = ""


@dataclass(frozen=True)
class ReplacementInfo:
    """The letter a replacement (BussinessDocType 3) takes the place of, and at which agencies."""

    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdxmlAttachment:
    name: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class LetterMessage:
    sender: Organ
    recipients: tuple[Organ, ...]
    document_id: str
    code_number: str
    code_notation: str
    place: str
    promulgation_date: datetime.date
    type: str
    type_detail: str
    type_name: str
    subject: str
    timestamp: datetime.datetime
    content: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_full_name: str = ""
    due_date: datetime.date | None = None
    to_places: tuple[str, ...] = ()
    priority: str = "0"
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int = 1
    page_amount: int = 0
    steering_type: str = "0"
    response_for: tuple[ResponseFor, ...] = ()
    business_doc_type: int = NEW
    business_doc_reason: str = ""
    staff: Staff = field(default_factory=Staff)
    replacements: tuple[ReplacementInfo, ...] = ()
    attachments: tuple[EdxmlAttachment, ...] = ()


@dataclass(frozen=True)
class StatusMessage:
    sender: Organ
    response_for: ResponseFor
    status_code: str
    description: str
    timestamp: datetime.datetime
    staff: Staff = field(default_factory=Staff)


def document_id_for(*, organ_id: str, on: datetime.date, number: str, notation: str) -> str:
    """`OrganId,yyyy/mm/dd,number/symbol`, e.g. `000.00.11.H53,2020/10/30,2491/STC-BCTC`."""
    return f"{organ_id},{on:%Y/%m/%d},{number}/{notation}"


# --- building ---------------------------------------------------------------------------------


def _sub(parent, tag: str, text: str | int | None = None):
    el = etree.SubElement(parent, q(tag))
    if text is not None:
        el.text = str(text)
    return el


def _date(value: datetime.date | None) -> str:
    return value.strftime(DATE) if value else ""


def _stamp(value: datetime.datetime) -> str:
    return value.astimezone(TZ).strftime(TIMESTAMP)


def _organ(parent, tag: str, organ: Organ) -> None:
    el = _sub(parent, tag)
    for xml_name, attr in ORGAN_FIELDS:
        _sub(el, xml_name, getattr(organ, attr))


def _staff(parent, staff: Staff) -> None:
    el = _sub(parent, "StaffInfo")
    _sub(el, "Department", staff.department)
    _sub(el, "Staff", staff.staff)
    _sub(el, "Email", staff.email)
    _sub(el, "Mobile", staff.mobile)


def _response_for(parent, response: ResponseFor) -> None:
    el = _sub(parent, "ResponseFor")
    _sub(el, "OrganId", response.organ_id)
    _sub(el, "Code", response.code)
    _sub(el, "PromulgationDate", _date(response.promulgation_date))
    _sub(el, "DocumentId", response.document_id)


def _envelope() -> tuple[etree._Element, etree._Element, etree._Element]:
    root = etree.Element(q("edXML"), nsmap={PREFIX: NS})
    envelope = _sub(root, "edXMLEnvelope")
    header = _sub(envelope, "edXMLHeader")
    return root, envelope, header


def letter_build(message: LetterMessage) -> etree._Element:
    """The unsigned edXML document of a letter (sign it with `message_sign`)."""
    root, envelope, header = _envelope()
    head = _sub(header, "MessageHeader")
    _organ(head, "From", message.sender)
    for organ in message.recipients:
        _organ(head, "To", organ)
    _sub(head, "DocumentId", message.document_id)
    code = _sub(head, "Code")
    _sub(code, "CodeNumber", message.code_number)
    _sub(code, "CodeNotation", message.code_notation)
    info = _sub(head, "PromulgationInfo")
    _sub(info, "Place", message.place)
    _sub(info, "PromulgationDate", _date(message.promulgation_date))
    doc_type = _sub(head, "DocumentType")
    _sub(doc_type, "Type", message.type)
    _sub(doc_type, "TypeDetail", message.type_detail)
    _sub(doc_type, "TypeName", message.type_name)
    _sub(head, "Subject", message.subject)
    _sub(head, "Content", message.content)
    signer = _sub(head, "SignerInfo")
    _sub(signer, "Competence", message.signer_competence)
    _sub(signer, "Position", message.signer_position)
    _sub(signer, "FullName", message.signer_full_name)
    _sub(head, "DueDate", _date(message.due_date))
    places = _sub(head, "ToPlaces")
    for place in message.to_places:
        _sub(places, "Place", place)
    other = _sub(head, "OtherInfo")
    _sub(other, "Priority", message.priority)
    _sub(other, "SphereOfPromulgation", message.sphere_of_promulgation)
    _sub(other, "TyperNotation", message.typer_notation)
    _sub(other, "PromulgationAmount", message.promulgation_amount)
    _sub(other, "PageAmount", message.page_amount)
    _sub(head, "SteeringType", message.steering_type)
    for response in message.response_for:
        _response_for(head, response)
    traces = _sub(header, "TraceHeaderList")
    trace = _sub(traces, "TraceHeader")
    _sub(trace, "OrganId", message.sender.organ_id)
    _sub(trace, "Timestamp", _stamp(message.timestamp))
    business = _sub(traces, "Bussiness")
    _sub(business, "DocumentId", message.document_id)
    _sub(business, "BussinessDocType", message.business_doc_type)
    _sub(business, "BussinessDocReason", message.business_doc_reason)
    _sub(business, "Paper", 0)
    _staff(business, message.staff)
    if message.replacements:
        replacements = _sub(business, "ReplacementInfoList")
        for replaced in message.replacements:
            info = _sub(replacements, "ReplacementInfo")
            _sub(info, "DocumentId", replaced.document_id)
            organs = _sub(info, "OrganIdList")
            for organ_id in replaced.organ_ids:
                _sub(organs, "OrganId", organ_id)
    _manifest(root, envelope, message.attachments)
    return root


def _manifest(root, envelope, attachments: tuple[EdxmlAttachment, ...]) -> None:
    body = _sub(envelope, "edXMLBody")
    manifest = _sub(body, "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = _sub(root, "AttachmentEncoded")
    for number, attachment in enumerate(attachments, start=1):
        cid = f"cid:{number}"
        reference = _sub(manifest, "Reference")
        _sub(reference, "ContentId", cid)
        _sub(reference, "ContentType", attachment.content_type)
        _sub(reference, "Description", attachment.description)
        _sub(reference, "AttachmentName", attachment.name)
        item = _sub(encoded, "Attachment")
        _sub(item, "ContentId", cid)
        _sub(item, "AttachmentName", attachment.name)
        _sub(item, "Description", attachment.description)
        _sub(item, "ContentType", attachment.content_type)
        _sub(item, "ContentTransferEncoded", base64.b64encode(attachment.data).decode("ascii"))


def status_build(message: StatusMessage) -> etree._Element:
    """The unsigned edXML document of a status message (01 arrived ... 06 done)."""
    root, envelope, header = _envelope()
    head = _sub(header, "MessageHeader")
    _organ(head, "From", message.sender)
    _response_for(head, message.response_for)
    _staff(head, message.staff)
    _sub(head, "StatusCode", message.status_code)
    _sub(head, "Description", message.description)
    _sub(head, "Timestamp", _stamp(message.timestamp))
    traces = _sub(header, "TraceHeaderList")
    trace = _sub(traces, "TraceHeader")
    _sub(trace, "OrganId", message.sender.organ_id)
    _sub(trace, "Timestamp", _stamp(message.timestamp))
    _manifest(root, envelope, ())
    return root


# --- signing ----------------------------------------------------------------------------------


class _KeyAdapter:
    """Any of the portal's keys (a PKCS#12 file, a PKCS#11 token) as signxml signs with it:
    the digest is signed by the key's own pyHanko signer, so the private key never leaves a
    token."""

    def __init__(self, key: SigningKey) -> None:
        self._signer = key.signer
        self.key_size = self._cert().public_key().key_size

    def _cert(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self._signer.signing_cert.dump())

    def sign(self, data: bytes, *args, **kwargs) -> bytes:
        return asyncio.run(self._signer.async_sign_raw(data, "sha256"))


def _chain(key: SigningKey) -> list[x509.Certificate]:
    certs = [key.signer.signing_cert]
    certs += [c for c in key.signer.cert_registry if c.dump() != certs[0].dump()]
    return [x509.load_der_x509_certificate(c.dump()) for c in certs]


def message_sign(root: etree._Element, *, key: SigningKey) -> bytes:
    """The document signed with the agency's key (enveloped, in `edXMLHeader`), as bytes."""
    chain = _chain(key)
    algorithm = (
        "ecdsa-sha256"
        if isinstance(chain[0].public_key(), ec.EllipticCurvePublicKey)
        else ("rsa-sha256")
    )
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    etree.SubElement(header, f"{{{DS}}}Signature", Id="placeholder", nsmap={"ds": DS})
    signer = XMLSigner(
        signature_algorithm=algorithm,
        digest_algorithm="sha256",
        c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#",
    )
    signed = signer.sign(root, key=_KeyAdapter(key), cert=chain)
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


# --- parsing and checking ---------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    # No DTD, no entity, no network; huge_tree for long base64 text (the size is capped first).
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_comments=False,
    )


def safe_parse(data: bytes, *, max_bytes: int) -> etree._Element:
    """The document, or EdxmlRefused: too large, not XML, or with a DTD or entities."""
    if len(data) > max_bytes:
        raise EdxmlRefused(TOO_LARGE, f"message of {len(data)} bytes, limit {max_bytes}")
    try:
        safe_et.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        root = etree.fromstring(data, parser=_parser())
    except (DefusedXmlException, safe_et.ParseError, etree.XMLSyntaxError, ValueError) as exc:
        raise EdxmlRefused(MALFORMED, f"not well-formed XML: {exc}") from exc
    if root.tag != q("edXML"):
        raise EdxmlRefused(MALFORMED, f"root element {root.tag!r} is not edXML")
    return root


class _RootsChainVerifier(X509CertChainVerifier):
    def __init__(self, roots: list[x509.Certificate], **kwargs) -> None:
        super().__init__(ca_pem_file="", **kwargs)
        self._roots = roots

        self.signing_cert: x509.Certificate | None = None

    @property
    def store(self) -> x509.verification.Store:
        return x509.verification.Store(self._roots)

    def verify(self, cert_chain):
        self.signing_cert = super().verify(cert_chain)
        return self.signing_cert


class _RootsVerifier(XMLVerifier):
    """signxml's verifier with the portal's trust roots instead of a CA file."""

    def __init__(self, roots: list[x509.Certificate]) -> None:
        super().__init__()
        self._roots = roots
        self.chain_verifier: _RootsChainVerifier | None = None

    def get_cert_chain_verifier(self, ca_pem_file, ee_policy, ca_policy):
        self.chain_verifier = _RootsChainVerifier(
            self._roots,
            verification_time=self._get_cert_verification_time(),
            ee_policy=ee_policy,
            ca_policy=ca_policy,
        )
        return self.chain_verifier


@dataclass(frozen=True)
class Checked:
    """What the signature covers, and who signed it."""

    root: etree._Element
    signer_subject: str
    signer_sha256: str = ""  # the signing certificate's fingerprint, as a unit names it


def signature_check(root: etree._Element, *, roots: list[asn1_x509.Certificate]) -> Checked:
    """The signed document if its enveloped signature is intact and made by a certificate that
    chains to `roots`, is in force and not revoked; else EdxmlRefused."""
    if not roots:
        raise EdxmlRefused(BAD_SIGNATURE, "no trust roots are configured")
    trusted = [x509.load_der_x509_certificate(r.dump()) for r in roots]
    config = SignatureConfiguration(
        location=f"./{q('edXMLEnvelope')}/{q('edXMLHeader')}/",
        expect_references=1,
    )
    verifier = _RootsVerifier(trusted)
    try:
        result = verifier.verify(root, parser=_parser(), expect_config=config)
    except (InvalidInput, SignXMLException, ValueError) as exc:
        raise EdxmlRefused(BAD_SIGNATURE, f"XML signature not valid: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - e.g. lxml's DocumentInvalid for a broken element
        raise EdxmlRefused(BAD_SIGNATURE, f"XML signature not valid: {exc!r}"[:500]) from exc
    signing_cert = verifier.chain_verifier.signing_cert if verifier.chain_verifier else None
    if signing_cert is None:
        raise EdxmlRefused(BAD_SIGNATURE, "the signature carries no certificate")
    cert = asn1_x509.Certificate.load(signing_cert.public_bytes(Encoding.DER))
    try:
        check_certificate(cert)
    except SigningKeyError as exc:
        raise EdxmlRefused(BAD_SIGNATURE, str(exc)) from exc
    signed = result.signed_xml
    if signed is None or signed.tag != q("edXML"):
        raise EdxmlRefused(BAD_SIGNATURE, "the signature does not cover the whole message")
    return Checked(
        root=signed,
        signer_subject=signing_cert.subject.rfc4514_string(),
        signer_sha256=hashlib.sha256(signing_cert.public_bytes(Encoding.DER)).hexdigest(),
    )


def addressing(root: etree._Element) -> tuple[str, str]:
    """(DocumentId, From/OrganId) as a message says them, to answer a refusal; not proof of
    who sent it (read them before the signature check only for that)."""
    head = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}/{q('MessageHeader')}")
    return _text(head, "DocumentId")[:200], _text(head, "From/OrganId")[:13]


def is_status(root: etree._Element) -> bool:
    return root.find(f".//{q('MessageHeader')}/{q('StatusCode')}") is not None


def _text(el, path: str, *, required: bool = False) -> str:
    found = el.find("/".join(q(part) for part in path.split("/"))) if el is not None else None
    value = (found.text or "").strip() if found is not None else ""
    if required and not value:
        raise EdxmlRefused(MALFORMED, f"{path} is missing")
    return value


def _parse_date(value: str, what: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, DATE).date()
    except ValueError as exc:
        raise EdxmlRefused(MALFORMED, f"{what} {value!r} is not dd/mm/yyyy") from exc


def _parse_stamp(value: str) -> datetime.datetime:
    try:
        return datetime.datetime.strptime(value, TIMESTAMP).replace(tzinfo=TZ)
    except ValueError as exc:
        raise EdxmlRefused(MALFORMED, f"Timestamp {value!r} is not yyyy/MM/dd HH:mm:ss") from exc


def _int(value: str, what: str) -> int:
    if not value:
        return 0
    if not re.fullmatch(r"\d{1,9}", value):
        raise EdxmlRefused(MALFORMED, f"{what} {value!r} is not a number")
    return int(value)


def _parse_organ(el) -> Organ:
    return Organ(**{attr: _text(el, xml_name) for xml_name, attr in ORGAN_FIELDS})


def _parse_staff(el) -> Staff:
    return Staff(
        department=_text(el, "Department"),
        staff=_text(el, "Staff"),
        email=_text(el, "Email"),
        mobile=_text(el, "Mobile"),
    )


def _parse_response(el) -> ResponseFor:
    return ResponseFor(
        organ_id=_text(el, "OrganId"),
        code=_text(el, "Code"),
        promulgation_date=_parse_date(_text(el, "PromulgationDate"), "ResponseFor date"),
        document_id=_text(el, "DocumentId"),
    )


def _header(root) -> etree._Element:
    head = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}/{q('MessageHeader')}")
    if head is None:
        raise EdxmlRefused(MALFORMED, "edXMLEnvelope/edXMLHeader/MessageHeader is missing")
    return head


def _attachments(root, *, max_bytes: int) -> tuple[EdxmlAttachment, ...]:
    manifest = root.find(f"{q('edXMLEnvelope')}/{q('edXMLBody')}/{q('edXMLManifest')}")
    listed = [_text(r, "ContentId") for r in manifest] if manifest is not None else []
    found = []
    for item in root.iterfind(f"{q('AttachmentEncoded')}/{q('Attachment')}"):
        payload = _text(item, "ContentTransferEncoded")
        if len(payload) * 3 // 4 > max_bytes + 3:
            raise EdxmlRefused(TOO_LARGE, f"attachment {_text(item, 'AttachmentName')!r} too large")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise EdxmlRefused(MALFORMED, "an attachment is not base64") from exc
        if len(data) > max_bytes:
            raise EdxmlRefused(TOO_LARGE, f"attachment {_text(item, 'AttachmentName')!r} too large")
        if _text(item, "ContentId") not in listed:
            raise EdxmlRefused(MALFORMED, "an attachment is not in the manifest")
        found.append(
            EdxmlAttachment(
                name=_text(item, "AttachmentName", required=True),
                content_type=_text(item, "ContentType"),
                data=data,
                description=_text(item, "Description"),
            )
        )
    if len(found) != len(listed):
        raise EdxmlRefused(MALFORMED, "the manifest lists attachments the message lacks")
    return tuple(found)


def _parse_replacements(business) -> tuple[ReplacementInfo, ...]:
    if business is None:
        return ()
    found = []
    for info in business.iterfind(f"{q('ReplacementInfoList')}/{q('ReplacementInfo')}"):
        organs = info.find(q("OrganIdList"))
        found.append(
            ReplacementInfo(
                document_id=_text(info, "DocumentId", required=True),
                organ_ids=tuple(
                    (o.text or "").strip() for o in (organs if organs is not None else ())
                ),
            )
        )
    return tuple(found)


def letter_parse(root: etree._Element, *, attachment_max_bytes: int) -> LetterMessage:
    """The letter of a signed document (`signature_check(...).root`)."""
    head = _header(root)
    business = root.find(
        f"{q('edXMLEnvelope')}/{q('edXMLHeader')}/{q('TraceHeaderList')}/{q('Bussiness')}"
    )
    trace = root.find(
        f"{q('edXMLEnvelope')}/{q('edXMLHeader')}/{q('TraceHeaderList')}/{q('TraceHeader')}"
    )
    recipients = tuple(_parse_organ(el) for el in head.iterfind(q("To")))
    if not recipients:
        raise EdxmlRefused(MALFORMED, "MessageHeader/To is missing")
    doc_type = _int(_text(business, "BussinessDocType"), "BussinessDocType")
    if doc_type not in (NEW, RECALL, UPDATE, REPLACE):
        raise EdxmlRefused(MALFORMED, f"BussinessDocType {doc_type} is not 0, 1, 2 or 3")
    places = head.find(q("ToPlaces"))
    sender = _parse_organ(head.find(q("From")))
    if not sender.organ_id:
        raise EdxmlRefused(MALFORMED, "MessageHeader/From/OrganId is missing")
    return LetterMessage(
        sender=sender,
        recipients=recipients,
        document_id=_text(head, "DocumentId", required=True),
        code_number=_text(head, "Code/CodeNumber"),
        code_notation=_text(head, "Code/CodeNotation"),
        place=_text(head, "PromulgationInfo/Place"),
        promulgation_date=_parse_date(
            _text(head, "PromulgationInfo/PromulgationDate", required=True), "PromulgationDate"
        ),
        type=_text(head, "DocumentType/Type"),
        type_detail=_text(head, "DocumentType/TypeDetail"),
        type_name=_text(head, "DocumentType/TypeName"),
        subject=_text(head, "Subject", required=True),
        timestamp=_parse_stamp(_text(trace, "Timestamp", required=True)),
        content=_text(head, "Content"),
        signer_competence=_text(head, "SignerInfo/Competence"),
        signer_position=_text(head, "SignerInfo/Position"),
        signer_full_name=_text(head, "SignerInfo/FullName"),
        due_date=_parse_date(_text(head, "DueDate"), "DueDate"),
        to_places=tuple((p.text or "").strip() for p in places) if places is not None else (),
        priority=_text(head, "OtherInfo/Priority") or "0",
        sphere_of_promulgation=_text(head, "OtherInfo/SphereOfPromulgation"),
        typer_notation=_text(head, "OtherInfo/TyperNotation"),
        promulgation_amount=_int(_text(head, "OtherInfo/PromulgationAmount"), "amount"),
        page_amount=_int(_text(head, "OtherInfo/PageAmount"), "PageAmount"),
        steering_type=_text(head, "SteeringType") or "0",
        response_for=tuple(_parse_response(el) for el in head.iterfind(q("ResponseFor"))),
        business_doc_type=doc_type,
        business_doc_reason=_text(business, "BussinessDocReason"),
        staff=_parse_staff(business.find(q("StaffInfo")) if business is not None else None),
        replacements=_parse_replacements(business),
        attachments=_attachments(root, max_bytes=attachment_max_bytes),
    )


def status_parse(root: etree._Element) -> StatusMessage:
    head = _header(root)
    response = head.find(q("ResponseFor"))
    if response is None:
        raise EdxmlRefused(MALFORMED, "ResponseFor is missing")
    return StatusMessage(
        sender=_parse_organ(head.find(q("From"))),
        response_for=_parse_response(response),
        status_code=_text(head, "StatusCode", required=True),
        description=_text(head, "Description"),
        timestamp=_parse_stamp(_text(head, "Timestamp", required=True)),
        staff=_parse_staff(head.find(q("StaffInfo"))),
    )
