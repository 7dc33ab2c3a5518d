"""The public verification page's upload form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from directives.documents.verification import check_verify_upload


class VerifyForm(forms.Form):
    pdf = forms.FileField(
        label=_("PDF file"), help_text=_("The letter exactly as you received it.")
    )

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        self.pdf_bytes = check_verify_upload(upload)  # ValidationError shows under the field
        return upload
