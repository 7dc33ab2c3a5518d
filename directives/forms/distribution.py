"""Forms of distribution inside the unit: the head hands a letter or a task to a handler, the
handler reports, the head returns a report. They parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from directives.forms.incoming import DateInput
from directives.forms.workspace import MultipleFileField


class HandOverForm(forms.Form):
    handler = forms.ChoiceField(label=gettext_lazy("Division or officer handling it"))
    due_date = forms.DateField(
        label=gettext_lazy("Deadline inside the unit"), required=False, widget=DateInput()
    )
    note = forms.CharField(
        label=gettext_lazy("Note for the handler"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [("", "---------"), *choices]


class HandlerReportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Report to the head of the unit"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    files = MultipleFileField(
        label=gettext_lazy("Attached files"),
        required=False,
        help_text=gettext_lazy(
            "PDF, Word, Excel, OpenDocument or images. Files sent again replace the earlier ones."
        ),
    )


class HandledForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("How the letter was handled"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HeadReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What the handler should complete or correct"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
