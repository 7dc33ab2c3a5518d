"""Forms of the recipients app: the group admin form and the directory search."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from recipients.models import RecipientGroup, Unit


class RecipientGroupAdminForm(forms.ModelForm):
    """The group's kinds as checkboxes of Unit.Kind instead of raw JSON."""

    kinds = forms.MultipleChoiceField(
        label=_("all active units of kinds"),
        choices=Unit.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every active unit of these kinds belongs to the group, now and later."),
    )

    class Meta:
        model = RecipientGroup
        fields = ("name", "code", "description", "kinds", "members", "sort_order")

    def clean_kinds(self) -> list[str]:
        chosen = set(self.cleaned_data.get("kinds") or [])
        # Stored in the order Unit.Kind declares, so an unchanged group compares equal.
        return [k for k in Unit.Kind.values if k in chosen]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Unit, group, code or identifier code; accents optional"),
                "type": "search",
            }
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *Unit.Kind.choices],
    )


class NoticePreferenceForm(forms.Form):
    """The profile page's one choice: notices also by e-mail."""

    notify_by_email = forms.BooleanField(
        label=_("Also by e-mail"),
        required=False,
        help_text=_(
            "Besides the notices in the portal, send me an e-mail for each letter that waits "
            "for me."
        ),
    )


class LoginCodeForm(forms.Form):
    """The login's second step: six digits from the authenticator app, or a backup code."""

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "form-control-lg text-center",
            }
        ),
        error_messages={"required": _("Type the code.")},
    )


class EnrolCodeForm(forms.Form):
    """Setting up the app: the six digits it shows once the QR code is scanned."""

    otp_token = forms.CharField(
        label=_("Code shown by the app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "class": "form-control-lg text-center",
            }
        ),
        error_messages={"required": _("Type the code.")},
    )
