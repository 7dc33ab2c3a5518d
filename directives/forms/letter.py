"""The letter's own fields, the paper entry, and the small forms of the workflow's buttons."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from directives.models import LETTER_FIELDS, Directive
from directives.selectors.scope import issuing_agency_id
from recipients import roles
from recipients.models import Unit, User


def desk_units(
    user: User, directive: Directive | None = None
) -> tuple[QuerySet[Unit], QuerySet[Unit]]:
    """Units this user may name as issuer (their unit or the agency above it) and as drafter
    (those and the agency's divisions: the Văn phòng clerk enters a letter of P.TTBCXB)."""
    from directives.selectors.scope import agency_unit_ids

    ids = set(agency_unit_ids(user))
    if directive is not None:
        ids |= {directive.issuing_unit_id, directive.drafting_unit_id}
    issuers = Unit.objects.filter(pk__in=ids)
    drafters = Unit.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids, is_active=True))
    return issuers, drafters


class SignerSelect(forms.Select):
    """The signers, each option carrying the title and name the letter prints for them, which
    static/js/drafting.js copies into the signature's fields when the choice changes."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        user = getattr(value, "instance", None)
        if user is not None:
            option["attrs"]["data-title"] = user.title
            option["attrs"]["data-name"] = user.get_full_name()
        return option


class SignerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.get_full_name()} – {obj.title}" if obj.title else obj.get_full_name()


class DirectiveForm(forms.ModelForm):
    """The letter itself. Bound to a throw-away copy of the directive: the service saves."""

    signer = SignerChoiceField(
        label=_("Signer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— choose the signer —"),
        widget=SignerSelect,
        help_text=_(
            "The draft is submitted to this signer; the signer's title and name below follow "
            "the choice and stay editable."
        ),
    )

    class Meta:
        model = Directive
        fields = (*LETTER_FIELDS, "signer")
        widgets = {
            "issuer_name": forms.Textarea(attrs={"rows": 2}),
            "subject": forms.Textarea(attrs={"rows": 2}),
            "legal_bases": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 18, "class": "font-monospace"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "body": _(
                "Numbered sections start with “1.”, items with “-”, sub-items with “+”; "
                "**bold**, *italic*, links as https://… or [text](https://…)."
            ),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        issuers, drafters = desk_units(user, self.instance if self.instance.pk else None)
        self.fields["issuing_unit"].queryset = issuers
        self.fields["drafting_unit"].queryset = drafters
        self.fields["issuing_unit"].empty_label = None
        self.fields["drafting_unit"].empty_label = None
        keep = self.instance.signer_id if self.instance.pk else None
        self.fields["signer"].queryset = signers_of(
            list(issuers.values_list("pk", flat=True)), keep
        )
        if not self.instance.pk and user.unit_id:
            self.initial.setdefault("drafting_unit", user.unit_id)
            self.initial.setdefault("issuing_unit", issuing_agency_id(user))
            # The body above the issuer ("UBND TỈNH GIA LAI") and the issuer's name as printed
            # (with its line break) rarely change: offer the last ones.
            previous = Directive.objects.filter(issuing_unit_id=self.initial["issuing_unit"])
            for name in ("parent_body", "issuer_name"):
                last = (
                    previous.exclude(**{name: ""})
                    .order_by("-created_at")
                    .values_list(name, flat=True)
                    .first()
                )
                if last:
                    self.initial.setdefault(name, last)

    def letter_fields(self) -> dict:
        names = (*LETTER_FIELDS, "signer") if "signer" in self.fields else LETTER_FIELDS
        return {name: self.cleaned_data[name] for name in names}


class PaperForm(DirectiveForm):
    """A letter signed on paper: the same letter plus the number and date it already has."""

    number = forms.IntegerField(label=_("Number"), min_value=1)
    issued_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    pdf_upload = forms.FileField(
        label=_("Scanned PDF"), required=False, help_text=_("Optional: the signed paper copy.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Signed on paper already: the printed name is the signer; nobody is asked to approve.
        self.fields.pop("signer")


class SubmitForm(forms.Form):
    """The draft goes to the signer chosen on the drafting page; a draft saved before the page
    offered the choice (no signer yet) chooses here."""

    signer = SignerChoiceField(label=_("Signer"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, directive: Directive, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen = directive.signer if directive.signer_id else None
        self.fields["signer"].queryset = signers_of(
            [directive.issuing_unit_id], keep=directive.signer_id
        )
        if self.chosen is not None:
            self.fields["signer"].widget = forms.HiddenInput()
            self.initial.setdefault("signer", directive.signer_id)
        else:
            self.fields["signer"].required = True


def signers_of(unit_ids: list[int], keep: int | None = None) -> QuerySet[User]:
    """The active Signers of these issuing units and of their internal divisions (the people
    `is_signer_for` accepts), and `keep`, a draft's signer chosen before."""
    found = Q(unit_id__in=unit_ids) | Q(unit__parent_id__in=unit_ids, unit__kind=Unit.Kind.DIVISION)
    ids = User.objects.filter(found, groups__name=roles.SIGNER, is_active=True).values("pk")
    condition = Q(pk__in=ids) | Q(pk=keep) if keep else Q(pk__in=ids)
    return User.objects.filter(condition).order_by("last_name", "first_name")


def signers_for(directive: Directive) -> QuerySet[User]:
    return signers_of([directive.issuing_unit_id])


class CopyLinkForm(forms.Form):
    """The one-click "send it to this unit" of a Nơi nhận line printed but not sent."""

    index = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.filter(is_active=True), widget=forms.HiddenInput
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(forms.Form):
    """The signer's approval, with an optional comment. `reason` carries what is typed in the
    return form beside it (copied by static/js/actions.js), so that approving never drops a
    reason written for returning: the page asks which one is meant."""

    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-mirror-of": "return_reason"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "approve_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if (data.get("reason") or "").strip():
            raise forms.ValidationError(
                _(
                    "You have also written a reason for returning the draft. To approve, clear "
                    "that reason; to return it, press “Return to the drafter”."
                )
            )
        return data


class SignerReturnForm(forms.Form):
    """The signer's return, with its required reason. `comment` carries what is typed in the
    approval form beside it, so that returning never drops a comment written for approving."""

    reason = forms.CharField(
        label=_("Reason for returning (required)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    comment = forms.CharField(
        required=False, widget=forms.HiddenInput(attrs={"data-mirror-of": "approve_comment"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "return_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if (data.get("comment") or "").strip() and (data.get("reason") or "").strip():
            raise forms.ValidationError(
                _(
                    "You have also written an approval comment. To return the draft, clear that "
                    "comment; to approve it, press “Approve and sign off”."
                )
            )
        return data


class SignForm(forms.Form):
    """The PIN that opens the signer's key; used for this signature only, never stored."""

    pin = forms.CharField(
        label=_("PIN of your signing key"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class RemoteConfirmForm(forms.Form):
    """The code the remote signing service asks for to confirm one signature (the signer's PIN,
    or the one-time password sent to their phone); used for this signature only, never stored."""

    pin = forms.CharField(
        label=_("PIN or one-time code from your phone"),
        strip=True,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "one-time-code"}),
    )


class AttachmentForm(forms.Form):
    upload = forms.FileField(
        label=_("Attach a file"),
        help_text=_("PDF, DOCX, XLSX, ODT, PNG or JPEG; at most 20 MB."),
    )
