"""App configurations the portal gives third-party apps: their names in the admin's language."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes, which declares no name of its own (the admin would say "Axes")."""

    verbose_name = _("Login lockout")
