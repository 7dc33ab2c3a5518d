"""The forms of the unit officer's inbox and of the clerk's review: filters, reports with files,
extension requests and decisions."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from directives.forms.filters import YearFilter
from directives.models import Urgency
from directives.selectors.inbox import inbox_issuers, inbox_search, with_task_figures
from directives.selectors.workspace import DEADLINE_SOON_DAYS
from directives.workdays import local_today, overdue_cutoff
from recipients.models import Unit


class InboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="filter_q")
    acknowledged = django_filters.ChoiceFilter(
        label=gettext_lazy("Receipt"),
        choices=[
            ("no", gettext_lazy("Not acknowledged")),
            ("yes", gettext_lazy("Acknowledged")),
        ],
        method="filter_acknowledged",
        empty_label=gettext_lazy("All"),
    )
    due = django_filters.ChoiceFilter(
        label=gettext_lazy("Deadline"),
        choices=[
            ("soon", gettext_lazy("Due within 7 days")),
            ("overdue", gettext_lazy("Overdue")),
        ],
        method="filter_due",
        empty_label=gettext_lazy("All"),
    )
    urgency = django_filters.ChoiceFilter(
        label=gettext_lazy("Urgency"),
        field_name="directive__urgency",
        choices=Urgency.choices,
        empty_label=gettext_lazy("All"),
    )
    year = YearFilter(label=gettext_lazy("Year"), field_name="directive__issued_on__year")
    issuer = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Issued by"),
        field_name="directive__issuing_unit",
        queryset=Unit.objects.none(),
        empty_label=gettext_lazy("All"),
    )

    def __init__(self, *args, user, issuers: QuerySet[Unit] | None = None, **kwargs):
        """`issuers`: the filter's units as the page already has them (inbox_issuers)."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["issuer"].queryset = inbox_issuers(user) if issuers is None else issuers
        for name, field in self.form.fields.items():
            css = (
                "form-select form-select-sm"
                if name
                in {
                    "acknowledged",
                    "due",
                    "urgency",
                    "issuer",
                }
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css

    def filter_q(self, queryset, name, value):
        return inbox_search(queryset, self.user, value)

    def filter_acknowledged(self, queryset, name, value):
        return queryset.filter(acknowledged_at__isnull=(value == "no"))

    def filter_due(self, queryset, name, value):
        today = local_today()
        queryset = with_task_figures(queryset, today=today)
        if value == "overdue":
            return queryset.filter(overdue_count__gt=0)
        # Not overdue yet (a Saturday deadline is still "soon" on Monday), due within the week.
        return queryset.filter(
            next_due__gt=overdue_cutoff(today),
            next_due__lte=today + datetime.timedelta(days=DEADLINE_SOON_DAYS),
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one is checked by content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ReportForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("What your unit did, with figures where relevant."),
    )
    files = MultipleFileField(
        label=gettext_lazy("Attached files"),
        required=False,
        help_text=gettext_lazy("PDF, Word, Excel, OpenDocument or images."),
    )


class ExtensionForm(forms.Form):
    requested_date = forms.DateField(
        label=gettext_lazy("New due date requested"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 4}))


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("What should the unit complete or correct?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecideExtensionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("grant", gettext_lazy("Grant")), ("decline", gettext_lazy("Decline"))]
    )
    new_date = forms.DateField(
        label=gettext_lazy("New due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=gettext_lazy("Note to the unit"), required=False)
