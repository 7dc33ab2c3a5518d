"""The letter: a directive with its addressees, copy recipients, tasks and attachments."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recipients.models import Unit


def new_verify_token() -> str:
    return secrets.token_urlsafe(24)


class DocumentType(models.TextChoices):
    """Document types of Nghị định 30; the value is the abbreviation used in the symbol."""

    CONG_VAN = "CV", _("Official letter (công văn)")
    NGHI_QUYET = "NQ", _("Resolution (nghị quyết)")
    QUYET_DINH = "QĐ", _("Decision (quyết định)")
    CHI_THI = "CT", _("Directive (chỉ thị)")
    QUY_CHE = "QC", _("Regulation (quy chế)")
    QUY_DINH = "QyĐ", _("Rule (quy định)")
    THONG_CAO = "TC", _("Communiqué (thông cáo)")
    THONG_BAO = "TB", _("Notice (thông báo)")
    HUONG_DAN = "HD", _("Guidance (hướng dẫn)")
    CHUONG_TRINH = "CTr", _("Programme (chương trình)")
    KE_HOACH = "KH", _("Plan (kế hoạch)")
    PHUONG_AN = "PA", _("Scheme (phương án)")
    DE_AN = "ĐA", _("Proposal (đề án)")
    DU_AN = "DA", _("Project (dự án)")
    BAO_CAO = "BC", _("Report (báo cáo)")
    BIEN_BAN = "BB", _("Minutes (biên bản)")
    TO_TRINH = "TTr", _("Submission (tờ trình)")
    HOP_DONG = "HĐ", _("Contract (hợp đồng)")
    CONG_DIEN = "CĐ", _("Telegram (công điện)")
    GIAY_MOI = "GM", _("Invitation (giấy mời)")
    GIAY_GIOI_THIEU = "GGT", _("Letter of introduction (giấy giới thiệu)")


# The type name as printed, upper case, centred above the subject of a typed document.
DOCUMENT_TYPE_TITLES = {
    "NQ": "NGHỊ QUYẾT",
    "QĐ": "QUYẾT ĐỊNH",
    "CT": "CHỈ THỊ",
    "QC": "QUY CHẾ",
    "QyĐ": "QUY ĐỊNH",
    "TC": "THÔNG CÁO",
    "TB": "THÔNG BÁO",
    "HD": "HƯỚNG DẪN",
    "CTr": "CHƯƠNG TRÌNH",
    "KH": "KẾ HOẠCH",
    "PA": "PHƯƠNG ÁN",
    "ĐA": "ĐỀ ÁN",
    "DA": "DỰ ÁN",
    "BC": "BÁO CÁO",
    "BB": "BIÊN BẢN",
    "TTr": "TỜ TRÌNH",
    "HĐ": "HỢP ĐỒNG",
    "CĐ": "CÔNG ĐIỆN",
    "GM": "GIẤY MỜI",
    "GGT": "GIẤY GIỚI THIỆU",
}


class RegisterKind(models.TextChoices):
    """The registers an issuing unit keeps: every outgoing letter in the general one, except its
    legal normative documents when the unit keeps them apart (Nghị định 30/2020/NĐ-CP, Điều 15)."""

    GENERAL = "general", _("Outgoing letters")
    NORMATIVE = "normative", _("Legal normative documents")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent (khẩn)")
    VERY_URGENT = "very_urgent", _("Very urgent (thượng khẩn)")
    FLASH = "flash", _("Flash (hỏa tốc)")


URGENCY_STAMPS = {"urgent": "KHẨN", "very_urgent": "THƯỢNG KHẨN", "flash": "HỎA TỐC"}
# The inbox's order of the letters waiting for acknowledgement, most urgent first: copied onto
# each Dispatch at issue (Dispatch.urgency_rank), when the letter's urgency is settled.
URGENCY_RANK = {"normal": 0, "urgent": 1, "very_urgent": 2, "flash": 3}


class SigningAuthority(models.TextChoices):
    NONE = "", _("Head signs in own name")
    TM = "TM", _("TM. (on behalf of a collective body)")
    TM_KT = "TM_KT", _("TM. and KT. (deputy for the head of a collective body)")
    KT = "KT", _("KT. (deputy signs for the head)")
    TL = "TL", _("TL. (by order of the head)")
    TUQ = "TUQ", _("TUQ. (under delegation)")
    Q = "Q", _("Q. (acting head)")


class Directive(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        NUMBERED = "numbered", _("Numbered, awaiting the signer's digital signature")
        SIGNED = "signed", _("Signed by the signer, awaiting the agency's seal")
        ISSUED = "issued", _("Issued")
        RECALLED = "recalled", _("Recalled")
        REPLACED = "replaced", _("Replaced")

    class PdfStatus(models.TextChoices):
        NONE = "none", _("Not started")
        PENDING = "pending", _("Waiting for the worker")
        RENDERING = "rendering", _("Rendering and signing")
        READY = "ready", _("Signed PDF ready")
        FAILED = "failed", _("Failed")

    issuing_unit = models.ForeignKey(
        Unit, verbose_name=_("issuing unit"), on_delete=models.PROTECT, related_name="issued"
    )
    parent_body = models.CharField(
        _("parent body line"), max_length=255, blank=True, help_text=_("e.g. UBND TỈNH GIA LAI")
    )
    issuer_name = models.CharField(
        _("issuing body as printed"),
        max_length=255,
        blank=True,
        help_text=_(
            "Empty: the issuing unit's name. Press Enter where a long name breaks in the header, "
            "e.g. TRUNG TÂM VĂN HÓA, ĐIỆN ẢNH / VÀ DU LỊCH TỈNH GIA LAI; "
            "without a break the portal wraps it."
        ),
    )
    drafting_unit = models.ForeignKey(
        Unit, verbose_name=_("drafting unit"), on_delete=models.PROTECT, related_name="drafted"
    )
    doc_type = models.CharField(
        _("document type"),
        max_length=8,
        choices=DocumentType.choices,
        default=DocumentType.CONG_VAN,
    )
    is_normative = models.BooleanField(
        _("legal normative document"),
        default=False,
        help_text=_(
            "A legal normative document (văn bản quy phạm pháp luật): its number carries the "
            "year (15/2021/QĐ-UBND) and, when the issuing unit keeps one, it is numbered from "
            "the register of legal normative documents."
        ),
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    register_kind = models.CharField(
        _("register"),
        max_length=16,
        choices=RegisterKind.choices,
        default=RegisterKind.GENERAL,
        help_text=_("The issuing unit's register the number is taken from, set at numbering."),
    )
    register_year = models.PositiveIntegerField(_("register year"), null=True, blank=True)
    symbol = models.CharField(_("symbol"), max_length=64, blank=True)
    place = models.CharField(_("place"), max_length=100, default="Gia Lai")
    issued_on = models.DateField(_("date"), null=True, blank=True)
    subject = models.TextField(_("subject (trích yếu)"))
    legal_bases = models.TextField(
        _("legal bases"), blank=True, help_text=_("One per line (typed documents).")
    )
    body = models.TextField(
        _("body"), blank=True, help_text=_("Markdown: 1. sections, - and + items.")
    )
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafter"),
        on_delete=models.PROTECT,
        related_name="drafted_directives",
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signed_directives",
    )
    signing_authority = models.CharField(
        _("signing authority"), max_length=8, choices=SigningAuthority.choices, blank=True
    )
    collective_body = models.CharField(
        _("collective body"), max_length=150, blank=True, help_text=_("For TM.: ỦY BAN NHÂN DÂN")
    )
    head_title = models.CharField(_("head's title"), max_length=150, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=150, blank=True)
    signer_name = models.CharField(_("signer's name as printed"), max_length=150, blank=True)
    drafter_initials = models.CharField(
        _("drafter's initials and copies"), max_length=50, blank=True
    )
    file_copy_holder = models.CharField(_("file copy kept by"), max_length=150, blank=True)
    copies = models.PositiveIntegerField(_("number of copies"), default=1)
    notes = models.TextField(_("register notes"), blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    recall_reason = models.TextField(_("reason for recall"), blank=True)
    is_paper = models.BooleanField(_("signed on paper"), default=False)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )

    pdf = models.FileField(_("signed PDF"), upload_to="directives/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    pdf_status = models.CharField(
        _("PDF status"), max_length=16, choices=PdfStatus.choices, default=PdfStatus.NONE
    )
    pdf_error = models.TextField(blank=True)
    # The tasks' units as issue expanded them ({task id: [unit ids]}), until the PDF job writes
    # their assignments (services/issuing.py, assignments_snapshot_write); None once written.
    # The clerk's request writes one dispatch per unit and this one value, not thousands of
    # assignment rows; the pages read these units as assignments not started meanwhile.
    pending_assignments = models.JSONField(null=True, blank=True, editable=False)
    # The signing flow (services/numbering.py, services/signing.py): the final letter rendered
    # unsigned when the clerk numbers it, then the same bytes with the signer's signature; the
    # agency's signature at issue makes `pdf`. `signature_layout` keeps where the layout put the
    # signature and seal images (PDF points), for each signature's own widget.
    unsigned_pdf = models.FileField(
        _("numbered PDF (unsigned)"), upload_to="signing/%Y/", blank=True
    )
    signer_pdf = models.FileField(
        _("PDF signed by the signer"), upload_to="signing/%Y/", blank=True
    )
    signature_layout = models.JSONField(default=dict, blank=True)
    verify_token = models.CharField(max_length=64, unique=True, default=new_verify_token)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    numbered_at = models.DateTimeField(null=True, blank=True)
    signer_signed_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    recalled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-issued_at", "-created_at"]
        permissions = [
            ("submit_directive", _("Can submit a directive for approval")),
            ("approve_directive", _("Can approve (sign) or return a directive")),
            ("issue_directive", _("Can issue a directive from the register")),
            ("recall_directive", _("Can recall or replace an issued directive")),
            ("track_directive", _("Can track dispatches and reports")),
            ("enter_paper_directive", _("Can enter a directive signed on paper")),
            ("receive_directive", _("Can receive, acknowledge and report as a unit")),
            ("view_all_directives", _("Can see every directive")),
            ("keep_incoming_book", _("Can keep the agency's incoming book")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_unit", "register_kind", "register_year", "number"],
                condition=Q(number__isnull=False),
                name="directive_unique_number_per_register_year",
            ),
        ]
        indexes = [
            # An agency's letters by state, with every column the scoping door reads
            # (selectors.workspace.tracked_directives), so that the dashboard's counts over ten
            # years of letters take the agency's live letters from the index alone.
            models.Index(
                fields=["issuing_unit", "status", "drafting_unit", "id"], name="directive_tracked"
            ),
            # The desk's list, most recently changed first, walked from its newest end.
            models.Index(fields=["-updated_at", "-id"], name="directive_recent_first"),
            # The dashboard's year of letters, this month's count and its recent letters: a
            # range of the index rather than a pass over ten years of letters.
            models.Index(fields=["issued_at"], name="directive_issued_at"),
        ]

    def __str__(self) -> str:
        return f"{self.number_symbol or _('(unnumbered)')} {self.subject[:60]}"

    def clean(self) -> None:
        if self.is_normative and self.doc_type == DocumentType.CONG_VAN:
            raise ValidationError(
                {
                    "is_normative": _(
                        "An official letter (công văn) is never a legal normative document: "
                        "choose its type (quyết định, nghị quyết, chỉ thị...)."
                    )
                }
            )

    @property
    def is_cong_van(self) -> bool:
        return self.doc_type == DocumentType.CONG_VAN

    @property
    def number_display(self) -> str:
        return f"{self.number:02d}" if self.number is not None else ""

    @property
    def number_symbol(self) -> str:
        """ "1038/STTTT-TTBCXB" or "15/QĐ-STTTT"; empty before issue."""
        if self.number is None:
            return ""
        return f"{self.number_display}/{self.symbol}"

    @property
    def type_title(self) -> str:
        return DOCUMENT_TYPE_TITLES.get(self.doc_type, "")

    @property
    def urgency_stamp(self) -> str:
        return URGENCY_STAMPS.get(self.urgency, "")

    @property
    def is_issued_state(self) -> bool:
        return self.status in ISSUED_STATES

    @property
    def pdf_filename(self) -> str:
        base = (
            self.number_symbol.replace("/", "-")
            if self.number is not None
            else f"du-thao-{self.pk}"
        )
        return f"{base}.pdf"


ISSUED_STATES = (Directive.Status.ISSUED, Directive.Status.RECALLED, Directive.Status.REPLACED)

# Numbered but not issued yet: the number is held; the clerk may still cancel the numbering.
SIGNING_STATES = (Directive.Status.NUMBERED, Directive.Status.SIGNED)


# What a drafter writes of the letter itself, in the order of the drafting page. The signer (chosen
# at submission) and the directive it replaces are set apart.
LETTER_FIELDS = (
    "issuing_unit",
    "drafting_unit",
    "parent_body",
    "issuer_name",
    "doc_type",
    "is_normative",
    "urgency",
    "place",
    "subject",
    "legal_bases",
    "body",
    "signing_authority",
    "collective_body",
    "head_title",
    "signer_title",
    "signer_name",
    "drafter_initials",
    "file_copy_holder",
    "copies",
    "notes",
)
