"""The filter of the agency's directive list: boxes, search, status, type, year, signer, drafting
unit, urgency."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.params import YearField
from directives.models import Directive, DocumentType, Urgency
from directives.selectors.moves import awaiting_signature_q
from directives.selectors.scope import agency_unit_ids
from directives.selectors.search import directives_search
from recipients import roles
from recipients.models import Unit, User

BOXES = [
    ("mine", _("My drafts")),
    ("to_approve", _("Awaiting my approval")),
    ("to_issue", _("Approved, awaiting issue")),
    ("issued", _("Issued")),
    ("recalled", _("Recalled or replaced")),
]


class YearFilter(django_filters.Filter):
    """A year; any other value (99999, -5, 1e20, ²) is no filter rather than a server error."""

    field_class = YearField


class DirectiveFilter(django_filters.FilterSet):
    box = django_filters.ChoiceFilter(
        label=_("Box"), choices=BOXES, method="filter_box", empty_label=_("All")
    )
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Directive.Status.choices, empty_label=_("All")
    )
    doc_type = django_filters.ChoiceFilter(
        label=_("Type"), choices=DocumentType.choices, empty_label=_("All")
    )
    year = YearFilter(label=_("Year"), method="filter_year")
    signer = django_filters.ModelChoiceFilter(
        label=_("Signer"), queryset=User.objects.none(), empty_label=_("All")
    )
    drafting_unit = django_filters.ModelChoiceFilter(
        label=_("Drafting unit"), queryset=Unit.objects.none(), empty_label=_("All")
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), choices=Urgency.choices, empty_label=_("All")
    )

    class Meta:
        model = Directive
        fields = ["box", "q", "status", "doc_type", "year", "signer", "drafting_unit", "urgency"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Only the people and divisions of the user's own agency are worth offering.
        desk = agency_unit_ids(user)
        agency = Q(pk__in=desk) | Q(parent_id__in=desk)
        self.filters["signer"].queryset = (
            User.objects.filter(groups__name=roles.SIGNER, unit__in=Unit.objects.filter(agency))
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.filters["drafting_unit"].queryset = Unit.objects.filter(agency).order_by("name")
        for name, form_field in self.form.fields.items():
            css = "form-control form-control-sm" if name in {"q", "year"} else "form-select"
            form_field.widget.attrs["class"] = css + (" form-select-sm" if "select" in css else "")

    def filter_box(self, queryset, name, value):
        user = self.user
        status = Directive.Status
        if value == "mine":
            return queryset.filter(drafter=user, status__in=[status.DRAFT, status.SUBMITTED])
        if value == "to_approve":
            return queryset.filter(awaiting_signature_q(user))
        if value == "to_issue":
            return queryset.filter(status=status.APPROVED)
        if value == "issued":
            return queryset.filter(status=status.ISSUED)
        return queryset.filter(status__in=[status.RECALLED, status.REPLACED])

    def filter_year(self, queryset, name, value):
        year = value
        return queryset.filter(
            Q(register_year=year) | Q(register_year__isnull=True, created_at__year=year)
        )

    def filter_q(self, queryset, name, value):
        """Number, symbol ("1038/STTTT-TTBCXB"), subject and body, accents optional."""
        return directives_search(queryset, value)
