from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecipientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recipients"
    verbose_name = _("Recipients")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_migrate

        from common.sessions import session_refreshed_at_login
        from recipients.middleware import two_factor_checked_at_login

        post_migrate.connect(_sync_roles, dispatch_uid="recipients.roles_sync")
        _permission_changes_connect()
        _unit_changes_connect()
        user_logged_in.connect(session_refreshed_at_login, dispatch_uid="common.sessions")
        # After the one above: it records the refresh time that one sets.
        user_logged_in.connect(two_factor_checked_at_login, dispatch_uid="recipients.two_factor")
        _audit_without_reverse_relations()


def _permission_changes_connect() -> None:
    """Every change of roles or permissions sets the permission cache's new version
    (recipients/permissions.py)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

    from recipients.permissions import permissions_changed

    user = get_user_model()
    for through in (user.groups.through, user.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(
            _m2m_changed, sender=through, dispatch_uid=f"recipients.permissions.{through.__name__}"
        )
    for model in (Group, Permission):
        for signal in (post_save, post_delete):
            signal.connect(
                permissions_changed,
                sender=model,
                dispatch_uid=f"recipients.permissions.{signal is post_save}.{model.__name__}",
            )
    # A deleted person's id may be given again (SQLite reuses the highest one).
    post_delete.connect(
        permissions_changed, sender=user, dispatch_uid="recipients.permissions.user"
    )
    post_migrate.connect(permissions_changed, dispatch_uid="recipients.permissions.migrate")


def _unit_changes_connect() -> None:
    """Every unit saved or deleted sets a new version of the units' names: what is drawn from
    them and kept (the inbox filter's list of issuers) is drawn again."""
    from django.db.models.signals import post_delete, post_save

    from recipients.models import Unit

    for signal in (post_save, post_delete):
        signal.connect(
            _units_changed, sender=Unit, dispatch_uid=f"recipients.units.{signal is post_save}"
        )


def _units_changed(**kwargs) -> None:
    from common.cache import cache_version_bump
    from recipients.models import UNITS_VERSION

    cache_version_bump(UNITS_VERSION)


def _m2m_changed(action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        from recipients.permissions import permissions_changed

        permissions_changed()


def _audit_without_reverse_relations() -> None:
    """django-auditlog records a new record's reverse relations as if they were fields
    ("Officers: recipients.User.None", "Registers: directives.Register.None"): English names
    and no information. The models it tracks (AUDITLOG_INCLUDE_TRACKING_MODELS, registered when
    auditlog's app was ready, before this one) exclude them."""
    from auditlog.registry import auditlog

    for model, config in auditlog._registry.items():
        reverse = [
            f.name
            for f in model._meta.get_fields()
            if f.auto_created and not f.concrete and not f.many_to_many
        ]
        config["exclude_fields"] = [
            *config["exclude_fields"],
            *(name for name in reverse if name not in config["exclude_fields"]),
        ]


def _sync_roles(sender, app_config=None, using="default", **kwargs) -> None:
    """Once every app's permissions exist: post_migrate is sent once per app with models, and
    the permissions of an app are made by that app's own signal."""
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if app_config is not None and app_config.label != last.label:
        return
    from recipients.roles import roles_sync

    roles_sync()
