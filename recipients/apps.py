from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecipientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recipients"
    verbose_name = _("Recipients")
