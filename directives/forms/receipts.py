"""The one-click acknowledgement page's form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class AckForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your name and position (optional)"), max_length=150, required=False
    )
