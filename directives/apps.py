from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectivesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "directives"
    verbose_name = _("Directives")

    def ready(self) -> None:
        """A notice saved or deleted (one by one, or by the deletion of what it belongs to)
        has its person's bell counted again (services.notices.notice_counts_expire); a letter
        deleted from an inbox has the inbox's kept count and issuers worked out again."""
        from django.db.models.signals import post_delete, post_save

        from directives.models import Dispatch, Notification

        for signal in (post_save, post_delete):
            signal.connect(
                _notice_changed,
                sender=Notification,
                dispatch_uid=f"directives.notices.{signal is post_save}",
            )
        # Letters are written in bulk (services.issuing, which says so itself); one that
        # leaves an inbox goes with its letter or its unit.
        post_delete.connect(_letter_left, sender=Dispatch, dispatch_uid="directives.inbox.left")


def _notice_changed(instance, **kwargs) -> None:
    from directives.services.notices.outbox import notice_counts_expire

    notice_counts_expire(rows=[instance])  # an e-mail's row is no bell's


def _letter_left(instance, **kwargs) -> None:
    from directives.services.issuing import inbox_letters_changed

    inbox_letters_changed(unit_ids=[instance.unit_id])
