from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisorseConfig(AppConfig):
    name = "risorse"
    verbose_name = _("Risorse e monitoraggio")
