"""Celery tasks of the iter: thin wrappers over services."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services
from .models import TransizionePiano
from .selectors import destinatari_notifica


@shared_task(acks_late=True)
def notifica_transizione(transizione_id: int) -> int:
    """E-mail the people of the plan's ambiti about a step of the iter."""
    voce = TransizionePiano.objects.select_related("piano", "utente").get(pk=transizione_id)
    indirizzi = destinatari_notifica(voce.piano, escludi=voce.utente)
    if not indirizzi:
        return 0
    url = settings.PIANOZONA_SITE_URL + reverse("accordi:piano", args=[voce.piano.pk])
    oggetto = _("%(piano)s: ora in «%(stato)s»") % {
        "piano": voce.piano.titolo, "stato": voce.get_a_stato_display()
    }
    chi = str(voce.utente) if voce.utente else _("il sistema")
    testo = _("%(chi)s ha eseguito «%(t)s».\nNota: %(nota)s\n\nApri il piano: %(url)s\n") % {
        "chi": chi, "t": voce.nome.replace("_", " "), "nota": voce.nota or "—", "url": url,
    }
    messaggi = [(oggetto, testo, settings.DEFAULT_FROM_EMAIL, [i]) for i in indirizzi]
    return send_mass_mail(messaggi, fail_silently=False)


@shared_task
def concludi_piani_scaduti() -> list[int]:
    return services.concludi_piani_scaduti()
