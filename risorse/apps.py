from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisorseConfig(AppConfig):
    name = "risorse"
    verbose_name = _("Risorse e monitoraggio")

    def ready(self):
        # atti registers the yearly monitoring report's content with the document service;
        # versioni connects the signals that date the cached dashboards and API lists, in every
        # process that writes (web, Celery workers, commands), not only where URLs load.
        from . import atti, versioni  # noqa: F401
