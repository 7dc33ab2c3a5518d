"""The receiving unit's forms: accept or refuse a letter, enter a letter from outside the
portal, and the incoming book's filters. They parse input; the services decide."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy

from directives.models import DocumentType, IncomingEntry
from directives.selectors.incoming import incoming_book_search
from directives.workdays import local_today


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AcceptForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note in the book (optional)"), max_length=1000, required=False
    )


class RefuseForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=IncomingEntry.RefusalReason.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Explanation for the issuer"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when the reason is “Other reason”."),
    )


class OutsideLetterForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("Arrived"),
        choices=[
            (IncomingEntry.Source.PAPER.value, IncomingEntry.Source.PAPER.label),
            (IncomingEntry.Source.EMAIL.value, IncomingEntry.Source.EMAIL.label),
        ],
        initial=IncomingEntry.Source.PAPER.value,
    )
    issuer_name = forms.CharField(label=gettext_lazy("Issuer (tác giả)"), max_length=255)
    number = forms.CharField(label=gettext_lazy("Number"), max_length=16, required=False)
    symbol = forms.CharField(label=gettext_lazy("Symbol"), max_length=64, required=False)
    letter_date = forms.DateField(label=gettext_lazy("Date of the letter"), widget=DateInput())
    doc_type = forms.ChoiceField(
        label=gettext_lazy("Type of letter"),
        choices=DocumentType.choices,
        initial=DocumentType.CONG_VAN,
    )
    subject = forms.CharField(
        label=gettext_lazy("Subject (trích yếu)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    scan = forms.FileField(label=gettext_lazy("Scanned letter (PDF)"))
    note = forms.CharField(label=gettext_lazy("Notes"), max_length=1000, required=False)
    confirm_duplicate = forms.BooleanField(
        label=gettext_lazy("I have checked: this is another letter, enter it"), required=False
    )


class IncomingBookFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=gettext_lazy("Year"), field_name="year")
    date_from = django_filters.DateFilter(
        label=gettext_lazy("Arrived from"),
        field_name="arrived_at__date",
        lookup_expr="gte",
        widget=DateInput(),
    )
    date_to = django_filters.DateFilter(
        label=gettext_lazy("to"),
        field_name="arrived_at__date",
        lookup_expr="lte",
        widget=DateInput(),
    )
    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="filter_q")

    class Meta:
        model = IncomingEntry
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        year = str(data.get("year", "")).strip()
        if not (year.isdigit() and 1900 < int(year) < 3000):
            data["year"] = str(local_today().year)  # the book of this year unless asked
        super().__init__(data, *args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def filter_q(self, queryset, name, value):
        return incoming_book_search(queryset, value)

    @property
    def book_year(self) -> int:
        value = self.form.cleaned_data.get("year") if self.form.is_valid() else None
        return int(value) if value else local_today().year
