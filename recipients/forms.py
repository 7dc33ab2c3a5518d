"""Forms of the recipients app: the group admin form and the directory search."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Permission
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm, SelectableFieldsExportForm

from recipients.models import RecipientGroup, Unit, User
from recipients.resources import FileReadError, file_format


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


# Django stores the permissions' names in English when it creates them ("Can add unit"): the
# four default ones are said again from the model's (translated) name, the apps' own ones go
# through the catalogue, since they are the msgids the apps declared.
DEFAULT_PERMISSION_LABELS = {
    "add": _("Can add %(model)s"),
    "change": _("Can change %(model)s"),
    "delete": _("Can delete %(model)s"),
    "view": _("Can view %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """ "Nơi nhận | đơn vị | Được xem đơn vị", in the language of the page."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    opts = model._meta
    action, _sep, model_name = permission.codename.partition("_")
    if model_name == opts.model_name and action in DEFAULT_PERMISSION_LABELS:
        name = DEFAULT_PERMISSION_LABELS[action] % {"model": opts.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{opts.app_config.verbose_name} | {opts.verbose_name} | {name}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """The permissions of a role or a person, named in the language of the page."""

    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


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
    """The profile page's choices: the portal's language, notices also by e-mail."""

    language = forms.ChoiceField(
        label=_("Language of the portal"),
        choices=User.Language.choices,
        widget=forms.RadioSelect,
        required=False,  # not sent: the choice stays as it was
    )

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


class FileFormatImportForm(ImportForm):
    """django-import-export's import form without its format select: the format is read from
    the file (its extension and its content must agree, common.uploads' rule)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self._format_index = {f().get_title(): str(i) for i, f in enumerate(formats)}
        field = self.fields["format"]
        field.required = False
        field.widget = forms.HiddenInput()
        self.fields["import_file"].widget.attrs.pop("class", None)
        self.fields["import_file"].help_text = _(
            "CSV (UTF-8) or XLSX; the format is read from the file."
        )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is None:
            return cleaned
        head = upload.read(8)
        upload.seek(0)
        try:
            found = file_format(data=head, name=upload.name)
        except FileReadError as exc:
            for error in exc.errors:
                self.add_error("import_file", error.message)
            return cleaned
        index = self._format_index.get(found)
        if index is None:
            self.add_error("import_file", _("The file is neither CSV nor XLSX."))
        else:
            cleaned["format"] = index
        return cleaned


class ColumnNamesExportForm(SelectableFieldsExportForm):
    """The export's column choices named as the import template names them ("Mã đơn vị
    (code)"), not by their field names."""

    def _get_field_label(self, resource, field_name: str) -> str:
        instance = resource()
        if hasattr(instance, "column_label"):
            return instance.column_label(field_name)
        return super()._get_field_label(resource, field_name)


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
