"""The drafting page's lines (Kính gửi, Nơi nhận, tasks) and the bundle of the whole page.

Units and groups come from one Catalogue per request, so twenty lines cost two queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from directives.forms.letter import DirectiveForm
from directives.models import CopyRecipient, Directive
from directives.selectors.drafts import UnsentLine, units_by_name, unsent_copy_lines
from recipients.models import RecipientGroup, Unit, User, fold_text


@dataclass
class Catalogue:
    """Units and groups loaded once per request and shared by every row of every formset, so a
    page with twenty lines still makes two queries, and 500 units render as one <datalist>."""

    units: dict[int, Unit] = field(default_factory=dict)
    groups: dict[int, RecipientGroup] = field(default_factory=dict)
    lookup: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, *, keep_unit_ids: set[int] | None = None) -> Catalogue:
        condition = Q(is_active=True)
        if keep_unit_ids:
            condition |= Q(pk__in=keep_unit_ids)
        units = {
            u.pk: u for u in Unit.objects.filter(condition).only("pk", "name", "short_name", "code")
        }
        groups = {g.pk: g for g in RecipientGroup.objects.only("pk", "name", "code")}
        catalogue = cls(units=units, groups=groups)
        for unit in units.values():
            catalogue.lookup.setdefault(fold_text(unit.code), unit.pk)
            catalogue.lookup.setdefault(fold_text(cls.unit_text(unit)), unit.pk)
        for unit in units.values():
            catalogue.lookup.setdefault(fold_text(unit.name), unit.pk)
        return catalogue

    @staticmethod
    def unit_text(unit: Unit) -> str:
        return f"{unit.name} ({unit.code})"

    @property
    def unit_options(self) -> list[str]:
        return sorted((self.unit_text(u) for u in self.units.values()), key=fold_text)

    @property
    def group_choices(self) -> list[tuple[str, str]]:
        return [(str(pk), g.name) for pk, g in self.groups.items()]

    @cached_property
    def unit_choices(self) -> list[tuple[str, str]]:
        items = sorted(self.units.values(), key=lambda u: fold_text(u.name))
        return [(str(u.pk), self.unit_text(u)) for u in items]

    @cached_property
    def escaped_unit_options(self) -> list[tuple[str, str]]:
        return [(escape(value), escape(label)) for value, label in self.unit_choices]


class UnitsSelect(forms.SelectMultiple):
    """Django renders every <option> through a template: 500 units on each task row cost half a
    second per page. Here the options are escaped once per request and joined."""

    def __init__(self, *args, options: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options_html = options or []

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in (value or [])}
        final = self.build_attrs(self.attrs, attrs)
        final.pop("multiple", None)
        parts = [format_html('<select name="{}" multiple{}>', name, flatatt(final))]
        parts += [
            f'<option value="{v}"{" selected" if v in chosen else ""}>{label}</option>'
            for v, label in self.options_html
        ]
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 every value and label escaped above


class UnitTextField(forms.CharField):
    """A unit typed by name or code, suggested by the shared <datalist id="unit-options">."""

    def __init__(self, *args, catalogue: Catalogue, **kwargs):
        self.catalogue = catalogue
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"list": "unit-options", "autocomplete": "off"}),
        )
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Unit):
            return Catalogue.unit_text(value)
        if isinstance(value, int) and value in self.catalogue.units:
            return Catalogue.unit_text(self.catalogue.units[value])
        return value

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        pk = self.catalogue.lookup.get(fold_text(text))
        if pk is None:
            raise forms.ValidationError(
                _("“%(text)s” is not a unit of the directory. Pick one from the list."),
                params={"text": text},
            )
        return self.catalogue.units[pk]


class CatalogueForm(forms.Form):
    def __init__(self, *args, catalogue: Catalogue, **kwargs):
        self.catalogue = catalogue
        super().__init__(*args, **kwargs)

    def group_of(self, value: str | None) -> RecipientGroup | None:
        return self.catalogue.groups.get(int(value)) if value else None


class AddresseeForm(CatalogueForm):
    group = forms.ChoiceField(label=_("Group"), required=False)
    unit = forms.CharField(label=_("or one unit"), required=False)
    label = forms.CharField(
        label=_("Label as printed"),
        max_length=255,
        required=False,
        help_text=_("Empty: the name of the group or unit."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—"), *self.catalogue.group_choices]
        self.fields["unit"] = UnitTextField(
            label=_("or one unit"), required=False, catalogue=self.catalogue
        )

    def clean(self):
        data = super().clean()
        has_group, has_unit = bool(data.get("group")), data.get("unit") is not None
        if has_group == has_unit and not self.errors:
            raise forms.ValidationError(_("Choose either a group or a unit for each line."))
        return data

    def as_line(self) -> dict:
        data = self.cleaned_data
        return {"group": self.group_of(data["group"]), "unit": data["unit"], "label": data["label"]}


class CopyRecipientForm(CatalogueForm):
    label = forms.CharField(
        label=_("Line as printed"), max_length=255, help_text=_("e.g. Bộ TT&TT (báo cáo)")
    )
    purpose = forms.ChoiceField(
        label=_("Purpose"), choices=CopyRecipient.Purpose.choices, initial="info"
    )
    group = forms.ChoiceField(label=_("Also send to group"), required=False)
    unit = forms.CharField(label=_("Also send to unit"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—"), *self.catalogue.group_choices]
        self.fields["unit"] = UnitTextField(
            label=_("Also send to unit"), required=False, catalogue=self.catalogue
        )

    def as_line(self) -> dict:
        data = self.cleaned_data
        return {
            "label": data["label"],
            "unit": data["unit"],
            "group": self.group_of(data["group"]),
            "purpose": data["purpose"],
        }


# A searchable multi-select where scripts run (static/js/multiselect.js with tom-select); a plain
# list of eight lines without them.
SEARCHABLE = {
    "size": 8,
    "data-searchable": "1",
    "data-no-results": _("No unit or group of this name."),
}


class TaskForm(CatalogueForm):
    title = forms.CharField(label=_("Task"), max_length=500)
    # Typed as people write it (31/12/2026) whatever the browser's language: a browser's own
    # date input shows 12/31/2026 under an English interface.
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        input_formats=["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"],
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={
                "class": "portal-date",
                "placeholder": _("dd/mm/yyyy"),
                "inputmode": "numeric",
                "autocomplete": "off",
                "maxlength": "10",
            },
        ),
        help_text=_("Day/month/year, e.g. 31/12/2026."),
        error_messages={"invalid": _("Write the date as day/month/year, e.g. 31/12/2026.")},
    )
    report_required = forms.BooleanField(label=_("Written report required"), required=False)
    groups = forms.MultipleChoiceField(
        label=_("For groups"), required=False, widget=forms.SelectMultiple(attrs=SEARCHABLE)
    )
    units = forms.MultipleChoiceField(
        label=_("For units"),
        required=False,
        widget=forms.SelectMultiple(attrs=SEARCHABLE),
        help_text=_("Type part of a name to search; pick as many as needed."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = self.catalogue.group_choices
        units = self.fields["units"]
        units.choices = self.catalogue.unit_choices
        units.widget = UnitsSelect(attrs=SEARCHABLE, options=self.catalogue.escaped_unit_options)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("groups") and not data.get("units"):
            raise forms.ValidationError(_("Choose at least one group or unit for this task."))
        return data

    def as_line(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "deadline": data["deadline"],
            "report_required": data["report_required"],
            "groups": [self.catalogue.groups[int(pk)] for pk in data["groups"]],
            "units": [self.catalogue.units[int(pk)] for pk in data["units"]],
        }


AddresseeFormSet = forms.formset_factory(AddresseeForm, extra=0, can_delete=True)
CopyRecipientFormSet = forms.formset_factory(CopyRecipientForm, extra=0, can_delete=True)
TaskFormSet = forms.formset_factory(TaskForm, extra=0, can_delete=True)


# ---------------------------------------------------------------------------------------------
# The drafting page: the letter and its three formsets, validated and handed over together
# ---------------------------------------------------------------------------------------------


def _initial_lines(directive: Directive) -> tuple[list[dict], list[dict], list[dict]]:
    addressees = [
        {"group": str(a.group_id or ""), "unit": a.unit_id, "label": a.label}
        for a in directive.addressees.all()
    ]
    copies = [
        {"label": c.label, "purpose": c.purpose, "group": str(c.group_id or ""), "unit": c.unit_id}
        for c in directive.copy_recipients.all()
    ]
    tasks = [
        {
            "title": t.title,
            "deadline": t.deadline,
            "report_required": t.report_required,
            "groups": [str(g.pk) for g in t.groups.all()],
            "units": [str(u.pk) for u in t.units.all()],
        }
        for t in directive.tasks.prefetch_related("groups", "units")
    ]
    return addressees, copies, tasks


class DraftForms:
    """The main form plus the Kính gửi, Nơi nhận and task formsets of one drafting page."""

    def __init__(
        self,
        *,
        user: User,
        data=None,
        files=None,
        directive: Directive | None = None,
        form_class: type[DirectiveForm] = DirectiveForm,
    ):
        keep: set[int] = set()
        initial_lines: tuple[list, list, list] = ([], [], [])
        # Initial rows only fill an empty page: once posted, the rows are whatever was posted,
        # and a row that happens to equal a saved one must not count as "left blank".
        if directive is not None and data is None:
            initial_lines = _initial_lines(directive)
        if directive is not None:
            # Units the draft already names stay choosable even if deactivated since.
            keep = set(directive.addressees.values_list("unit_id", flat=True))
            keep |= set(directive.copy_recipients.values_list("unit_id", flat=True))
            keep |= set(directive.tasks.values_list("units", flat=True))
            keep.discard(None)
        self.catalogue = Catalogue.load(keep_unit_ids=keep)
        kwargs = {"catalogue": self.catalogue}
        # A copy: ModelForm writes into its instance while validating; the service re-reads.
        instance = Directive.objects.get(pk=directive.pk) if directive is not None else None
        self.form = form_class(data, files, instance=instance, user=user)
        self.addressees = AddresseeFormSet(
            data, prefix="addressees", initial=initial_lines[0] or None, form_kwargs=kwargs
        )
        self.copies = CopyRecipientFormSet(
            data, prefix="copies", initial=initial_lines[1] or None, form_kwargs=kwargs
        )
        self.tasks = TaskFormSet(
            data, prefix="tasks", initial=initial_lines[2] or None, form_kwargs=kwargs
        )

    @property
    def formsets(self):
        return (self.addressees, self.copies, self.tasks)

    def is_valid(self) -> bool:
        results = [self.form.is_valid()] + [fs.is_valid() for fs in self.formsets]
        return all(results)

    @staticmethod
    def _lines(formset) -> list[dict]:
        return [
            f.as_line()
            for f in formset.forms
            # Untouched extra rows validate to an empty dict; they are not lines.
            if f.cleaned_data and not formset._should_delete_form(f)
        ]

    def payload(self) -> dict:
        return {
            "fields": self.form.letter_fields(),
            "addressees": self._lines(self.addressees),
            "copies": self._lines(self.copies),
            "tasks": self._lines(self.tasks),
        }

    def unsent_copies(self) -> list[UnsentLine]:
        """The posted Nơi nhận rows linked to no unit or group (printed, not sent), by row."""
        rows = [
            (
                index,
                f.cleaned_data["label"],
                bool(f.cleaned_data["unit"] or f.cleaned_data["group"]),
            )
            for index, f in enumerate(self.copies.forms)
            if f.cleaned_data and not self.copies._should_delete_form(f)
        ]
        return unsent_copy_lines(rows, units_by_name(self.catalogue.units.values()))

    def context(self) -> dict:
        return {
            "form": self.form,
            "addressee_formset": self.addressees,
            "copy_formset": self.copies,
            "task_formset": self.tasks,
            "unit_options": self.catalogue.unit_options,
        }

    def error_summary(self, form_id: str = "draft-form") -> list[dict[str, str]]:
        """Every error with the id of the field it is about (or of its form, `form_id`, or its
        list when it is about no one field), for the summary a refused save shows at the top."""
        form = self.form
        found = [{"anchor": form_id, "text": str(e)} for e in form.non_field_errors()]
        for name, errs in form.errors.items():
            if name != "__all__" and name in form.fields:
                label = form.fields[name].label or name
                anchor = form[name].id_for_label or form_id
                found += [{"anchor": anchor, "text": f"{label}: {e}"} for e in errs]
        for formset, title in (
            (self.addressees, _("Kính gửi line")),
            (self.copies, _("Nơi nhận line")),
            (self.tasks, _("Task")),
        ):
            box = f"formset-{formset.prefix}"
            found += [{"anchor": box, "text": str(e)} for e in formset.non_form_errors()]
            for number, line in enumerate(formset.forms, start=1):
                for name, errs in line.errors.items():
                    field = line[name] if name in line.fields else None
                    anchor = (field.id_for_label if field is not None else "") or box
                    label = f" ({line.fields[name].label})" if field is not None else ""
                    found += [
                        {"anchor": anchor, "text": f"{title} {number}{label}: {e}"} for e in errs
                    ]
        return found

    def error_list(self) -> list[str]:
        """Every error as one readable line ("Task 2: This field is required.")."""
        form = self.form
        found = [str(e) for e in form.non_field_errors()]
        for name, errs in form.errors.items():
            if name != "__all__":
                label = form.fields[name].label if name in form.fields else name
                found += [f"{label}: {e}" for e in errs]
        for formset, title in (
            (self.addressees, _("Kính gửi line")),
            (self.copies, _("Nơi nhận line")),
            (self.tasks, _("Task")),
        ):
            found += [str(e) for e in formset.non_form_errors()]
            for number, line in enumerate(formset.forms, start=1):
                for errs in line.errors.values():
                    found += [f"{title} {number}: {e}" for e in errs]
        return found
