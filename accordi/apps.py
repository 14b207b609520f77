from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccordiConfig(AppConfig):
    name = "accordi"
    verbose_name = _("Piani di Zona e Accordi di Programma")

    def ready(self):
        # Register the acts this app issues with the document service.
        # consultazione: the guards of the unions' consultation and of the ASL's intesa.
        from . import atti, consultazione, governance, partecipazione  # noqa: F401
