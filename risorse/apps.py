from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisorseConfig(AppConfig):
    name = "risorse"
    verbose_name = _("Risorse e monitoraggio")

    def ready(self):
        # registers the yearly monitoring report's content with the document service
        from . import atti  # noqa: F401
        # connects the signals that date the dashboards' cached figures: in every process that
        # writes (web, Celery workers, management commands), not only where the URLs are loaded
        from . import selectors_cruscotti  # noqa: F401
