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


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for, and for how long."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What program uses it, e.g. “e-office sync”."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366, initial=90)
