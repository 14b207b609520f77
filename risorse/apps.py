from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisorseConfig(AppConfig):
    name = "risorse"
    verbose_name = _("Risorse e monitoraggio")

    def ready(self):
        # atti registers the yearly monitoring report's content with the document service;
        # selectors_cruscotti connects the signals that date the dashboards' cached figures, in
        # every process that writes (web, Celery workers, commands), not only where URLs load.
        from . import atti, selectors_cruscotti  # noqa: F401
