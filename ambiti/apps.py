from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbitiConfig(AppConfig):
    name = "ambiti"
    verbose_name = _("Territorio ed enti")
