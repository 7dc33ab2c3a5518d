"""Administrators keep the recipient lists here: units, recipient groups, officers and roles."""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin as AuditlogLogEntryAdmin
from auditlog.filters import CIDFilter
from auditlog.filters import ResourceTypeFilter as AuditlogResourceTypeFilter
from auditlog.mixins import AuditlogHistoryAdminMixin
from auditlog.models import LogEntry
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from import_export.admin import ImportExportModelAdmin

from common.params import id_param, int_param
from recipients import roles
from recipients.forms import (
    ColumnNamesExportForm,
    FileFormatImportForm,
    PermissionChoiceField,
    RecipientGroupAdminForm,
    permission_label,
)
from recipients.models import RecipientGroup, SigningKeyStore, Unit, User, fold_text
from recipients.resources import (
    RecipientGroupResource,
    TextCSV,
    TextXLSX,
    UnitResource,
    encoding_errors,
    report_from_result,
)
from recipients.selectors import account_moves, two_factor_state
from recipients.services import (
    groups_import_template,
    named_by_lines,
    two_factor_devices_reset,
    units_import_template,
)

# Only the two formats the issue promises; fewer choices, fewer surprises.
IMPORT_EXPORT_FORMATS = [TextCSV, TextXLSX]


class KeptWhileNamedMixin:
    """The admin's delete (one object or the list's action) refuses a unit or group that a
    letter's task names, as unit_delete/group_delete do: the database would silently drop it
    from the task. Django's own page then lists why, as for a protected reference, and deletes
    nothing."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected) + [
            f"{obj}: {reason}" for obj in objs for reason in named_by_lines(obj)
        ]
        return deleted, counts, perms_needed, protected


class AllOrNothingImportMixin:
    """Import pages that list every bad row in plain words, and never import a partial file."""

    import_template_name = "admin/recipients/import.html"
    import_formats = IMPORT_EXPORT_FORMATS
    export_formats = IMPORT_EXPORT_FORMATS
    import_form_class = FileFormatImportForm
    export_form_class = ColumnNamesExportForm
    # The empty file to fill in (recipients.services), per format.
    import_template_file = None
    TEMPLATE_TYPES = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def get_urls(self):
        opts = self.model._meta
        own = [
            path(
                "import/template.<str:format>",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{opts.app_label}_{opts.model_name}_import_template",
            )
        ]
        return own + super().get_urls()

    def import_template_view(self, request, format: str):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if format not in self.TEMPLATE_TYPES:
            raise Http404
        data = self.import_template_file(format=format)
        response = HttpResponse(data, content_type=self.TEMPLATE_TYPES[format])
        name = f"mau-nhap-{self.model._meta.model_name}.{format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def has_import_permission(self, request) -> bool:
        # import-export lets anyone who reaches the changelist import; require add+change.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        if isinstance(e, UnicodeDecodeError):
            for error in encoding_errors(e.object):
                form.add_error("import_file", str(error))
            return
        form.add_error(
            "import_file",
            _("The file could not be read. Check that its format is CSV (UTF-8) or XLSX."),
        )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse):
            context = response.context_data
            if context.get("result"):
                context["import_report"] = report_from_result(context["result"], dry_run=True)
            if context.get("fields_list"):
                # The columns as the template names them, with the English names still read.
                resource = self.get_import_resource_classes(request)[0]()
                context["fields_list"] = [
                    (
                        resource.get_display_name(),
                        [resource.column_label(c) for c in resource.get_export_headers()],
                    )
                ]
            opts = self.model._meta
            context["import_templates"] = [
                (
                    fmt.upper(),
                    reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_import_template", args=[fmt]
                    ),
                )
                for fmt in self.TEMPLATE_TYPES
            ]
        return response


class AuditHistoryMixin(AuditlogHistoryAdminMixin):
    """Every change of the record (django-auditlog: who, when, from where, old and new values),
    from the changelist's column and from the change form's "History" button."""

    show_auditlog_history_link = True
    auditlog_history_per_page = 50

    def history_view(self, request, object_id, extra_context=None):
        opts = self.model._meta
        return redirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_auditlog", args=[object_id])
        )


class ParentFilter(admin.SimpleListFilter):
    """Only units that have children are offered, so the list stays short with 500 units."""

    title = _("parent unit")
    parameter_name = "parent"

    def lookups(self, request, model_admin):
        parents = Unit.objects.filter(children__isnull=False).distinct().order_by("name")
        return [("none", _("Top level (no parent)")), *((str(u.pk), u.name) for u in parents)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(parent__isnull=True)
        parent = id_param(self.value())
        return queryset if parent is None else queryset.filter(parent_id=parent)


class FoldedSearchMixin:
    """Search with or without accents: "chu pah" finds "Chư Păh" (also in autocomplete)."""

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = fold_text(search_term).split()
        if words:
            folded = self.model.objects.all()
            for word in words:
                folded = folded.filter(search_text__contains=word)
            results = results | queryset.filter(pk__in=folded.values("pk"))
        return results, may_have_duplicates


@admin.register(Unit)
class UnitAdmin(
    KeptWhileNamedMixin,
    AuditHistoryMixin,
    FoldedSearchMixin,
    AllOrNothingImportMixin,
    ImportExportModelAdmin,
):
    resource_classes = [UnitResource]
    import_template_file = staticmethod(units_import_template)
    list_display = (
        "name",
        "code",
        "abbreviation",
        "identifier_code",
        "kind",
        "parent",
        "is_external",
        "is_active",
        "officer_count",
    )
    list_display_links = ("name", "code")
    list_filter = ("kind", "is_active", "is_external", "requires_two_factor", ParentFilter)
    list_select_related = ("parent",)
    search_fields = (
        "name",
        "short_name",
        "code",
        "abbreviation",
        "identifier_code",
        "contact_emails",
    )
    autocomplete_fields = ("parent",)
    list_per_page = 100
    ordering = ("sort_order", "name")
    readonly_fields = ("officer_list",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "short_name",
                    "code",
                    "abbreviation",
                    "identifier_code",
                    "kind",
                    "parent",
                    "head_title",
                )
            },
        ),
        (_("Contact"), {"fields": ("contact_emails", "is_external", "edxml_certificates")}),
        (_("Issuing letters"), {"fields": ("has_normative_register", "seal_image")}),
        (_("Login"), {"fields": ("requires_two_factor",)}),
        (_("Status and order"), {"fields": ("is_active", "sort_order")}),
        (_("Officers"), {"fields": ("officer_list",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_officers=Count("officers", distinct=True))

    @admin.display(description=_("officers"), ordering="_officers")
    def officer_count(self, obj: Unit) -> int:
        return obj._officers

    @admin.display(description=_("officers"))
    def officer_list(self, obj: Unit) -> str:
        if not obj.pk:
            return "—"
        officers = obj.officers.order_by("username")
        if not officers:
            return _("No officer yet.")
        return format_html(
            "<ul class='mb-0'>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({}){}</li>",
                ((o, o.username, ", " + o.title if o.title else "") for o in officers),
            ),
        )


@admin.register(RecipientGroup)
class RecipientGroupAdmin(
    KeptWhileNamedMixin,
    AuditHistoryMixin,
    FoldedSearchMixin,
    AllOrNothingImportMixin,
    ImportExportModelAdmin,
):
    form = RecipientGroupAdminForm
    resource_classes = [RecipientGroupResource]
    import_template_file = staticmethod(groups_import_template)
    list_display = ("name", "code", "kinds_display", "member_count", "sort_order")
    search_fields = ("name", "code", "description")
    # An autocomplete box scales to 500 units where a checkbox list would not.
    autocomplete_fields = ("members",)
    prepopulated_fields = {"code": ("name",)}
    readonly_fields = ("current_units_display",)
    fields = (
        "name",
        "code",
        "description",
        "kinds",
        "members",
        "sort_order",
        "current_units_display",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members", distinct=True))

    @admin.display(description=_("explicit members"), ordering="_members")
    def member_count(self, obj: RecipientGroup) -> int:
        return obj._members

    @admin.display(description=_("all active units of kinds"))
    def kinds_display(self, obj: RecipientGroup) -> str:
        labels = dict(Unit.Kind.choices)
        return ", ".join(str(labels.get(k, k)) for k in obj.kinds or []) or "—"

    @admin.display(description=_("current units"))
    def current_units_display(self, obj: RecipientGroup) -> str:
        if not obj.pk:
            return _("Saved groups show their current units here.")
        units = list(obj.current_units())
        return format_html(
            "<p><strong>{}</strong></p><ol class='mb-0'>{}</ol>",
            _("%(count)s units today (explicit members and active units of the kinds).")
            % {"count": len(units)},
            format_html_join("", "<li>{} <code>{}</code></li>", ((u.name, u.code) for u in units)),
        )


@admin.register(User)
class UserAdmin(AuditHistoryMixin, FoldedSearchMixin, DjangoUserAdmin):
    list_display = (
        "username",
        "full_name",
        "unit",
        "title",
        "is_unit_head",
        "role_list",
        "is_active",
    )
    list_filter = ("groups", "is_unit_head", "is_active", "is_staff", "unit__kind")
    list_select_related = ("unit",)
    search_fields = ("username", "first_name", "last_name", "email", "unit__name", "unit__code")
    autocomplete_fields = ("unit",)
    ordering = ("unit__sort_order", "unit__name", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("last_name", "first_name", "email", "phone", "language")}),
        (
            _("Unit and roles"),
            {"fields": ("unit", "title", "is_unit_head", "notify_by_email", "groups")},
        ),
        (_("Signature"), {"fields": ("signature_image",)}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")},
        ),
        (_("Two-factor login"), {"fields": ("two_factor_display",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("two_factor_display",)
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (
            _("Unit and roles"),
            {
                "fields": (
                    "last_name",
                    "first_name",
                    "email",
                    "unit",
                    "title",
                    "is_unit_head",
                    "groups",
                )
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    # What an administrator who is not a superuser may do to an account: recipients.selectors
    # account_moves decides, these hooks only apply it (the form, the save, the password page).
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not account_moves(by=request.user, account=obj).grant_privileges:
            fields += ["is_superuser", "user_permissions"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and not account_moves(by=request.user, account=obj).edit:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # The five roles, not any group a superuser may have made with other permissions.
            kwargs["queryset"] = Group.objects.filter(name__in=roles.ALL_ROLES).order_by("name")
        if db_field.name == "user_permissions":
            kwargs["form_class"] = PermissionChoiceField
            kwargs["queryset"] = Permission.objects.select_related("content_type")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def user_change_password(self, request, id, form_url=""):
        account = self.get_object(request, unquote(id))
        if account is not None and not account_moves(by=request.user, account=account).set_password:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/two-factor-reset/",
                self.admin_site.admin_view(self.two_factor_reset_view),
                name="recipients_user_two_factor_reset",
            ),
            *super().get_urls(),
        ]

    def two_factor_reset_view(self, request, object_id):
        """A superuser removes the person's authenticator app and backup codes (a lost phone);
        recorded in the audit log. Administrators who are not superusers cannot."""
        if not request.user.is_superuser:
            raise PermissionDenied
        account = self.get_object(request, unquote(object_id))
        if account is None:
            raise Http404
        change_url = reverse("admin:recipients_user_change", args=[account.pk])
        if request.method == "POST":
            count = two_factor_devices_reset(account=account, by=request.user)
            self.message_user(
                request,
                _("Two-factor login of %(person)s is reset (%(count)d devices removed).")
                % {"person": account, "count": count},
                messages.SUCCESS,
            )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reset two-factor login"),
            "account": account,
            "opts": self.model._meta,
            "change_url": change_url,
            "state": two_factor_state(user=account),
        }
        return TemplateResponse(request, "admin/recipients/user/two_factor_reset.html", context)

    @admin.display(description=_("two-factor login"))
    def two_factor_display(self, obj: User) -> str:
        if not obj.pk:
            return "—"
        state = two_factor_state(user=obj)
        if state.enrolled:
            status = _("On")
        elif state.required:
            status = _("Required, not set up yet")
        else:
            status = _("Off")
        if state.required:
            return format_html("{} ({})", status, _("required for this person"))
        return status

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The "Reset two-factor login" button (templates/admin/recipients/user/change_form.html).
        if request.user.is_superuser:
            extra_context = {
                **(extra_context or {}),
                "two_factor_reset_url": reverse(
                    "admin:recipients_user_two_factor_reset", args=[unquote(object_id)]
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all())

    def get_search_results(self, request, queryset, search_term):
        # Users have no search_text of their own; the folded search is on their unit.
        results, dup = DjangoUserAdmin.get_search_results(self, request, queryset, search_term)
        words = fold_text(search_term).split()
        if words:
            units = Unit.objects.all()
            for word in words:
                units = units.filter(search_text__contains=word)
            results = results | queryset.filter(unit__in=units.values("pk"))
        return results, dup


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Django's, with the permissions named in the language of the page."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "permissions":
            kwargs["form_class"] = PermissionChoiceField
        return super().formfield_for_manytomany(db_field, request=request, **kwargs)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read only: Django would show each permission's English name.
            return ["permission_names" if f == "permissions" else f for f in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "permission_names"]

    @admin.display(description=_("permissions"))
    def permission_names(self, obj: Group) -> str:
        permissions = obj.permissions.select_related("content_type").order_by(
            "content_type__app_label", "codename"
        )
        return format_html_join("", "<div>{}</div>", ((permission_label(p),) for p in permissions))


@admin.register(SigningKeyStore)
class SigningKeyStoreAdmin(AuditHistoryMixin, admin.ModelAdmin):
    """Where each signer's and each issuing unit's key lives; PINs are never entered here."""

    list_display = ("__str__", "backend", "token_label", "key_label", "is_active")
    list_filter = ("backend", "is_active")
    search_fields = ("unit__name", "unit__code", "user__username", "user__last_name")
    autocomplete_fields = ("unit", "user")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (_("Owner"), {"fields": ("unit", "user", "backend", "is_active")}),
        (_("PKCS#12 file"), {"fields": ("pkcs12_path",)}),
        (
            _("PKCS#11 token or HSM"),
            {"fields": ("pkcs11_module", "token_label", "key_label", "cert_label")},
        ),
        (
            _("Remote signing service (CSC)"),
            {"fields": ("service_url", "credential_id", "client_id")},
        ),
        (_("Unattended signing"), {"fields": ("pin_env",)}),
    )


class ResourceTypeFilter(AuditlogResourceTypeFilter):
    def queryset(self, request, queryset):
        content_type = id_param(self.value())
        return queryset if content_type is None else queryset.filter(content_type_id=content_type)


admin.site.unregister(LogEntry)
# Two-factor devices are not edited in the admin (their secrets stay out of it): a superuser
# resets a person's from the person's page.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogLogEntryAdmin):
    """django-auditlog's log, read only, with its filters reading their ids as numbers."""

    list_filter = ["action", ResourceTypeFilter, CIDFilter]

    def changelist_view(self, request, extra_context=None):
        # Django's date drill-down reads any number as a year and fails past 9999: a part of
        # the date that is no plausible number is dropped, as an unknown filter would be.
        ranges = {"year": (1, 9999), "month": (1, 12), "day": (1, 31)}
        bad = [
            key
            for part, (low, high) in ranges.items()
            if (key := f"{self.date_hierarchy}__{part}") in request.GET
            and int_param(request.GET[key], minimum=low, maximum=high) is None
        ]
        if bad:
            request.GET = request.GET.copy()
            for key in bad:
                del request.GET[key]
        return super().changelist_view(request, extra_context)


# django-celery-beat's admin, its one label without gettext said in the page's language: the
# periodic task's field `task` (verbose_name="Task Name") in the list's filter and in the
# schedules' list of the tasks that use them.
class TaskNameFilter(admin.AllValuesFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = _("task name")


class PeriodicTaskInline(beat_admin.PeriodicTaskInline):
    fields = ("name", "task_name", "args", "kwargs")
    readonly_fields = fields

    @admin.display(description=_("task name"))
    def task_name(self, obj: PeriodicTask) -> str:
        return obj.task


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    list_filter = [
        ("task", TaskNameFilter) if f == "task" else f
        for f in beat_admin.PeriodicTaskAdmin.list_filter
    ]


for _schedule, _schedule_admin in (
    (ClockedSchedule, beat_admin.ClockedScheduleAdmin),
    (CrontabSchedule, beat_admin.CrontabScheduleAdmin),
    (SolarSchedule, beat_admin.SolarScheduleAdmin),
    (IntervalSchedule, beat_admin.IntervalScheduleAdmin),
):
    admin.site.unregister(_schedule)
    admin.site.register(
        _schedule,
        type(_schedule_admin.__name__, (_schedule_admin,), {"inlines": [PeriodicTaskInline]}),
    )
admin.site.unregister(PeriodicTask)
admin.site.register(PeriodicTask, PeriodicTaskAdmin)
