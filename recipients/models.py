"""Who receives directives: units, reusable recipient groups, and the people of each unit."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, validate_email
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from unidecode import unidecode

from common.uploads import check_upload

SIGNATURE_IMAGE_MAX_BYTES = 1024 * 1024
SIGNATURE_IMAGE_MAX_PIXELS = 4000


def fold_text(value: str) -> str:
    """Lower-case ASCII form used for accent-insensitive search ("Chư Păh" -> "chu pah")."""
    return " ".join(unidecode(value or "").lower().split())


def split_emails(value: str) -> list[str]:
    parts = (p.strip() for p in (value or "").replace(";", ",").replace("\n", ",").split(","))
    return [p for p in parts if p]


def validate_email_list(value: str) -> None:
    for address in split_emails(value):
        try:
            validate_email(address)
        except ValidationError as exc:
            raise ValidationError(
                _("“%(address)s” is not a valid e-mail address."), params={"address": address}
            ) from exc


def split_fingerprints(value: str) -> list[str]:
    """SHA-256 fingerprints as people paste them (upper or lower case, with colons or spaces
    between the bytes), one per line, as 64 lower-case hex digits."""
    lines = (line.replace(":", "").replace(" ", "").strip().lower() for line in value.splitlines())
    return [line for line in lines if line]


def validate_fingerprint_list(value: str) -> None:
    for fingerprint in split_fingerprints(value):
        if len(fingerprint) != 64 or any(c not in "0123456789abcdef" for c in fingerprint):
            raise ValidationError(
                _(
                    "“%(value)s” is not a certificate's SHA-256 fingerprint (64 hexadecimal "
                    "digits)."
                ),
                params={"value": fingerprint[:80]},
            )


def validate_png_image(value) -> None:
    """A signature or seal image: a PNG by its content (not its name), at most 1 MB, that
    Pillow can decode, so that the PDF job never meets a file it cannot draw."""
    if getattr(value, "_committed", True):
        return  # already stored: it was checked when it was uploaded
    check_upload(value, allowed=("png",), max_bytes=SIGNATURE_IMAGE_MAX_BYTES)
    try:
        value.seek(0)
        with Image.open(value) as image:
            size = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("“%(name)s” is not a readable PNG image."), params={"name": value.name}
        ) from exc
    finally:
        value.seek(0)
    if max(size) > SIGNATURE_IMAGE_MAX_PIXELS:
        raise ValidationError(
            _("“%(name)s” is too large: at most %(limit)d pixels on each side."),
            params={"name": value.name, "limit": SIGNATURE_IMAGE_MAX_PIXELS},
        )


# A unit's code: upper-case ASCII letters and digits, "." and "&" ("STTTT", "UBND.CHUPAH").
UNIT_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9&.]*$"
unit_code_validator = RegexValidator(
    UNIT_CODE_PATTERN,
    _("The code must be upper-case ASCII letters and digits (e.g. STTTT, TTBCXB)."),
)


# The abbreviation a unit writes in its letters' symbols (ký hiệu viết tắt: "UBND", "STTTT",
# "VP", "TTBCXB"): upper-case letters (Đ included), digits, "&" and "."; two units may share one.
UNIT_ABBREVIATION_PATTERN = r"^[A-ZĐ0-9][A-ZĐ0-9&.]*$"
unit_abbreviation_validator = RegexValidator(
    UNIT_ABBREVIATION_PATTERN,
    _(
        "The abbreviation must be upper-case letters and digits, without spaces or dashes "
        "(e.g. UBND, STTTT, VP)."
    ),
)

# The identifier code of Quyết định 20/2020/QĐ-TTg (mã định danh điện tử): four levels written
# from the lowest, level 4.level 3.level 2.level 1, e.g. 000.00.31.H18.
IDENTIFIER_CODE_PATTERN = r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$"
identifier_code_validator = RegexValidator(
    IDENTIFIER_CODE_PATTERN,
    _(
        "The identifier code has four levels separated by dots, e.g. 000.00.31.H18: three "
        "digits, two digits, two digits, then a capital letter and two digits."
    ),
)


def normalize_identifier_code(value: str | None) -> str:
    return (value or "").strip().upper()


# The name of the units' version (common/cache.py), set anew whenever a unit is saved or deleted
# (apps.py): what is drawn from their names and kept names it.
UNITS_VERSION = "units"


class Unit(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry or central agency")
        PROVINCIAL_COMMITTEE = "provincial_committee", _("Provincial People's Committee")
        DEPARTMENT = "department", _("Provincial department")
        DISTRICT_COMMITTEE = "district_committee", _("District People's Committee")
        PRESS = "press", _("Press agency")
        REPRESENTATIVE_OFFICE = "representative_office", _("Representative office")
        DIVISION = "division", _("Internal division")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[unit_code_validator])
    abbreviation = models.CharField(
        _("abbreviation in symbols"),
        max_length=20,
        blank=True,
        validators=[unit_abbreviation_validator],
        help_text=_(
            "Written in the symbols of the letters the unit issues or drafts (ký hiệu viết tắt), "
            "e.g. UBND, STTTT, VP. Two units may share one. Empty: the code."
        ),
    )
    identifier_code = models.CharField(
        _("identifier code"),
        max_length=13,
        blank=True,
        validators=[identifier_code_validator],
        help_text=_(
            "The electronic identifier code of Quyết định 20/2020/QĐ-TTg (mã định danh), "
            "e.g. 000.00.31.H18. Unique; empty while the unit has none."
        ),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    contact_emails = models.TextField(
        _("contact e-mails"),
        blank=True,
        validators=[validate_email_list],
        help_text=_("One or more addresses, separated by commas."),
    )
    edxml_certificates = models.TextField(
        _("edXML signing certificates"),
        blank=True,
        validators=[validate_fingerprint_list],
        help_text=_(
            "The SHA-256 fingerprints of the certificates the unit's document system signs its "
            "edXML messages with, one per line (the new one beside the old one while a "
            "certificate is renewed). A message that names this unit as its sender is refused "
            "unless one of them signed it. Empty: any certificate the portal trusts."
        ),
    )
    head_title = models.CharField(
        _("head's title"), max_length=100, blank=True, help_text=_("e.g. GIÁM ĐỐC, CHỦ TỊCH")
    )
    is_external = models.BooleanField(
        _("external"), default=False, help_text=_("Reached by e-mail only; has no officers.")
    )
    seal_image = models.FileField(
        _("seal image"),
        upload_to="seals/",
        blank=True,
        validators=[validate_png_image],
        help_text=_(
            "The unit's red seal as a PNG file of at most 1 MB, with a transparent background. "
            "It is printed over the left third of the signature on the signed letters the unit "
            "issues."
        ),
    )
    has_normative_register = models.BooleanField(
        _("separate register of legal normative documents"),
        default=False,
        help_text=_(
            "The unit numbers its legal normative documents (văn bản quy phạm pháp luật) from a "
            "register of their own, apart from its other outgoing letters."
        ),
    )
    requires_two_factor = models.BooleanField(
        _("require two-factor login for signers, clerks and administrators"),
        default=False,
        help_text=_(
            "The unit's signers, clerks and administrators enter a code from an authenticator "
            "app on their phone after their password, and set one up at their next login."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["sort_order", "name"]
        permissions = [("view_directory", _("Can view the recipient directory"))]
        indexes = [models.Index(fields=["kind", "is_active"])]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier_code"],
                condition=~Q(identifier_code=""),
                name="unit_identifier_code_unique",
                violation_error_message=_("Another unit already has this identifier code."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None) -> None:
        # Written as people type them ("ubnd", " 000.00.31.h18 "), checked as they are stored.
        self.abbreviation = (self.abbreviation or "").strip().upper() or self.code
        self.identifier_code = normalize_identifier_code(self.identifier_code)
        self.edxml_certificates = "\n".join(split_fingerprints(self.edxml_certificates or ""))
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        self.code = (self.code or "").strip().upper()
        self.abbreviation = (self.abbreviation or "").strip().upper() or self.code
        self.identifier_code = normalize_identifier_code(self.identifier_code)
        if (
            self.identifier_code
            and Unit.objects.filter(identifier_code=self.identifier_code)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"identifier_code": _("Another unit already has this identifier code.")}
            )
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A unit cannot be its own parent.")})

    def save(self, *args, **kwargs):
        self.abbreviation = self.abbreviation or self.code
        self.search_text = fold_text(
            f"{self.name} {self.short_name} {self.code} {self.abbreviation} {self.identifier_code}"
        )
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "abbreviation"}
        super().save(*args, **kwargs)

    @property
    def edxml_fingerprints(self) -> frozenset[str]:
        return frozenset(split_fingerprints(self.edxml_certificates))

    @property
    def symbol_abbreviation(self) -> str:
        """What the unit writes in symbols: its abbreviation, its code while it has none."""
        return self.abbreviation or self.code

    @property
    def email_list(self) -> list[str]:
        return split_emails(self.contact_emails)


class RecipientGroup(models.Model):
    """A reusable recipient list: explicit members and/or every active unit of some kinds."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        Unit, verbose_name=_("members"), blank=True, related_name="recipient_groups"
    )
    kinds = models.JSONField(
        _("all active units of kinds"),
        default=list,
        blank=True,
        help_text=_("Every active unit of these kinds belongs to the group."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("recipient group")
        verbose_name_plural = _("recipient groups")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.kinds or []) - set(Unit.Kind.values)
        if unknown:
            raise ValidationError(
                {"kinds": _("Unknown unit kind: %s") % ", ".join(sorted(unknown))}
            )

    def save(self, *args, **kwargs):
        self.search_text = fold_text(f"{self.name} {self.code}")
        super().save(*args, **kwargs)

    def current_units(self) -> QuerySet[Unit]:
        """The group's active units today, ordered, without duplicates, in one query."""
        condition = Q(recipient_groups=self)
        if self.kinds:
            condition |= Q(kind__in=self.kinds)
        member_ids = Unit.objects.filter(condition, is_active=True).values("pk")
        return Unit.objects.filter(pk__in=member_ids).order_by("sort_order", "name", "pk")


class User(AbstractUser):
    """A person of one unit; what they may do comes from their roles (Django groups)."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="officers",
    )
    title = models.CharField(_("title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_unit_head = models.BooleanField(
        _("head of unit"), default=False, help_text=_("Receives escalations for overdue tasks.")
    )
    notify_by_email = models.BooleanField(
        _("also by e-mail"),
        default=False,
        help_text=_("Notices of the letters waiting for this person also come by e-mail."),
    )

    class Language(models.TextChoices):
        # Each language named in its own words, as a language switch shows them.
        VIETNAMESE = "vi", "Tiếng Việt"
        ENGLISH = "en", "English"

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        default="",
        help_text=_(
            "The language of the portal for this person. Empty: Vietnamese, unless English was "
            "chosen in the browser before signing in."
        ),
    )
    signature_image = models.FileField(
        _("signature image"),
        upload_to="signatures/",
        blank=True,
        validators=[validate_png_image],
        help_text=_(
            "The person's handwritten signature in blue as a PNG file of at most 1 MB, with a "
            "transparent background. It is printed on the signed letters this person signs."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Vietnamese order: family name first.
        return " ".join(p for p in (self.last_name, self.first_name) if p).strip()

    def has_role(self, role: str) -> bool:
        return self.is_superuser or self.groups.filter(name=role).exists()


class SigningKeyStore(models.Model):
    """Where the key of one signer or one issuing unit lives, as an administrator configured it.

    Exactly one owner: a unit (the agency's seal-signature) or a user (a signer's own). The PIN
    or password is never stored here: it is entered at signing, or, for a key that signs
    unattended on the server, read from the environment variable that `pin_env` names."""

    class Backend(models.TextChoices):
        PKCS12 = "pkcs12", _("PKCS#12 file")
        PKCS11 = "pkcs11", _("PKCS#11 token or HSM")
        REMOTE = "remote", _("Remote signing service (CSC)")

    unit = models.OneToOneField(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signing_key_store",
        help_text=_("The issuing unit whose agency signature this key makes."),
    )
    user = models.OneToOneField(
        "User",
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signing_key_store",
        help_text=_("The signer whose personal signature this key makes."),
    )
    backend = models.CharField(_("backend"), max_length=10, choices=Backend.choices)
    pkcs12_path = models.CharField(
        _("PKCS#12 file"),
        max_length=500,
        blank=True,
        help_text=_(
            "Absolute path of the .p12 file on the server, or a path relative to "
            "MEDIA_ROOT/private/."
        ),
    )
    pkcs11_module = models.CharField(
        _("PKCS#11 module"),
        max_length=500,
        blank=True,
        help_text=_(
            "Path of the token's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. "
            "Empty: the PKCS11_MODULE setting."
        ),
    )
    token_label = models.CharField(
        _("token label"), max_length=64, blank=True, help_text=_("The label of the token.")
    )
    key_label = models.CharField(
        _("key label"),
        max_length=128,
        blank=True,
        help_text=_("The label of the private key on the token."),
    )
    cert_label = models.CharField(
        _("certificate label"),
        max_length=128,
        blank=True,
        help_text=_("The label of the certificate on the token. Empty: the key label."),
    )
    service_url = models.URLField(
        _("service URL"),
        blank=True,
        help_text=_("Base URL of the CSC API, the part before /csc/v1/."),
    )
    credential_id = models.CharField(
        _("credential ID"),
        max_length=255,
        blank=True,
        help_text=_("The signer's credential at the signing service."),
    )
    client_id = models.CharField(
        _("client ID"),
        max_length=255,
        blank=True,
        help_text=_("The portal's client ID at the signing service."),
    )
    pin_env = models.CharField(
        _("PIN environment variable"),
        max_length=100,
        blank=True,
        validators=[RegexValidator(r"^[A-Z_][A-Z0-9_]*$", _("An environment variable name."))],
        help_text=_(
            "Only for a key that signs unattended on the server: the name of the environment "
            "variable holding its PIN or password. Empty: the PIN is entered at signing."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("signing key store")
        verbose_name_plural = _("signing key stores")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, user__isnull=True)
                | Q(unit__isnull=True, user__isnull=False),
                name="signing_key_store_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit or self.user} ({self.get_backend_display()})"

    def clean(self) -> None:
        if bool(self.unit_id) == bool(self.user_id):
            raise ValidationError(_("Choose either a unit or a user, not both."))
        required = {
            self.Backend.PKCS12: ["pkcs12_path"],
            self.Backend.PKCS11: ["token_label", "key_label"],
            self.Backend.REMOTE: ["service_url", "credential_id"],
        }.get(self.backend, [])
        missing = {
            name: _("Required for this backend.") for name in required if not getattr(self, name)
        }
        if missing:
            raise ValidationError(missing)


class ApiToken(models.Model):
    """A personal API token: a program acts as its owner. Only the SHA-256 of the secret is
    kept; the secret itself is shown once, when the token is made."""

    user = models.ForeignKey("recipients.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
