"""Celery tasks of the Assemblea: thin wrappers over services and selectors."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.posta import invia_a_ciascuno

from .calendario import invito_ics
from .models import Seduta
from .selectors import destinatari_convocazione


@shared_task(acks_late=True)
def invia_convocazione(seduta_id: int) -> int:
    """E-mail every member (mayors, delegates for this session, the Presidente and the Ufficio
    di Piano) the convocation — or the cancellation — with an .ics invitation."""
    seduta = Seduta.objects.select_related("assemblea", "assemblea__ambito").get(pk=seduta_id)
    annullata = seduta.stato == Seduta.Stato.ANNULLATA
    indirizzi = destinatari_convocazione(seduta)
    if not indirizzi:
        return 0
    url = settings.PIANOZONA_SITE_URL.rstrip("/") + reverse("tavoli:seduta", args=[seduta.pk])
    quando = timezone.localtime(seduta.data)
    dove = seduta.luogo or seduta.collegamento
    if annullata:
        oggetto = _("Annullata: %(s)s") % {"s": seduta}
        testo = _("La seduta dell'Assemblea dei Sindaci del %(d)s alle %(h)s è annullata.\nMotivo: %(m)s\n\n"
                  "%(url)s\n") % {"d": quando.strftime("%d/%m/%Y"), "h": quando.strftime("%H:%M"),
                                  "m": seduta.motivo_annullamento, "url": url}
    else:
        ordine = "\n".join(f"  {p.numero}. {p.oggetto}" for p in seduta.punti.all())
        oggetto = _("Convocazione: %(s)s") % {"s": seduta}
        testo = _(
            "È convocata l'Assemblea dei Sindaci – %(ambito)s.\n"
            "Data: %(d)s alle %(h)s.\nLuogo: %(dove)s.\n\nOrdine del giorno:\n%(odg)s\n\n"
            "Pagina della seduta (presenze e voto): %(url)s\n"
            "In allegato l'invito per il calendario.\n"
        ) % {"ambito": seduta.assemblea.ambito.nome, "d": quando.strftime("%d/%m/%Y"), "h": quando.strftime("%H:%M"),
             "dove": dove, "odg": ordine, "url": url}
    ics = invito_ics(seduta, annullata=annullata, sequenza=1 if annullata else 0)
    metodo = "CANCEL" if annullata else "REQUEST"
    return invia_a_ciascuno(oggetto, testo, indirizzi,
                            allegato=("seduta.ics", ics, f"text/calendar; charset=utf-8; method={metodo}"))
