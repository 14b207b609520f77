from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccordiConfig(AppConfig):
    name = "accordi"
    verbose_name = _("Piani di Zona e Accordi di Programma")

    def ready(self):
        # Register the acts this app issues with the document service.
        # consultazione: the guards of the unions' consultation and of the ASL's intesa.
        # guardie_accordo: the Accordo's guards and the automatic entry into force; adesioni: the
        # adesione act and its signature.
        from . import adesioni, atti, consultazione, governance, guardie_accordo, partecipazione  # noqa: F401
