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


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3,
             ignore_result=True)
def genera_documento_task(self, documento_id: int) -> int:
    """Render, seal and store an act. Idempotent: a rerun after a crash finishes the job
    without making a second document (see services_documenti.genera_documento)."""
    from .services_documenti import genera_documento

    return genera_documento(documento_id).pk


@shared_task
def riaccoda_documenti_fermi() -> list[int]:
    """Beat: the acts left «in coda» while the broker was down are sent again."""
    from .services_documenti import riaccoda_documenti_fermi as servizio

    return servizio()


@shared_task(acks_late=True)
def invita_firmatari(richiesta_id: int) -> int:
    """E-mail the signers whose turn it is (all at once, or the next in order)."""
    from .models import EventoFirma, RichiestaFirma
    from .services_firme import firmatari_di_turno

    richiesta = RichiestaFirma.objects.select_related("documento").get(pk=richiesta_id)
    gia_invitati = set(
        richiesta.eventi.filter(tipo=EventoFirma.Tipo.INVITO).values_list("firmatario_id", flat=True)
    )
    inviati = 0
    for firmatario in firmatari_di_turno(richiesta):
        if firmatario.pk in gia_invitati or not firmatario.utente.email:
            continue
        _scrivi_al_firmatario(richiesta, firmatario, promemoria=False)
        EventoFirma.objects.create(richiesta=richiesta, firmatario=firmatario, tipo=EventoFirma.Tipo.INVITO)
        inviati += 1
    return inviati


@shared_task(acks_late=True)
def invia_promemoria(richiesta_id: int) -> int:
    from .models import EventoFirma, RichiestaFirma
    from .services_firme import firmatari_di_turno

    richiesta = RichiestaFirma.objects.select_related("documento").get(pk=richiesta_id)
    inviati = 0
    for firmatario in firmatari_di_turno(richiesta):
        if firmatario.utente.email:
            _scrivi_al_firmatario(richiesta, firmatario, promemoria=True)
            EventoFirma.objects.create(richiesta=richiesta, firmatario=firmatario, tipo=EventoFirma.Tipo.PROMEMORIA)
            inviati += 1
    return inviati


def _scrivi_al_firmatario(richiesta, firmatario, *, promemoria: bool) -> None:
    from django.core.mail import send_mail

    documento = richiesta.documento
    url = settings.PIANOZONA_SITE_URL.rstrip("/") + reverse("accordi:documento", args=[documento.pk])
    if promemoria:
        oggetto = _("Promemoria: firma %(doc)s entro il %(d)s")
    else:
        oggetto = _("Richiesta di firma: %(doc)s entro il %(d)s")
    oggetto = oggetto % {"doc": documento.titolo, "d": richiesta.scadenza.strftime("%d/%m/%Y")}
    testo = _(
        "Gentile %(nome)s,\n\nè richiesta la tua firma digitale sul documento «%(doc)s» (n. %(n)s), "
        "per %(ente)s, entro il %(d)s.\n\nApri il documento per scaricarlo e caricarlo firmato "
        "(PAdES .pdf o CAdES .p7m): %(url)s\n"
    ) % {
        "nome": firmatario.utente, "doc": documento.titolo, "n": documento.protocollo,
        "ente": firmatario.ente or firmatario.utente, "d": richiesta.scadenza.strftime("%d/%m/%Y"), "url": url,
    }
    send_mail(oggetto, testo, settings.DEFAULT_FROM_EMAIL, [firmatario.utente.email])


@shared_task
def promemoria_firme() -> dict:
    from .services_firme import promemoria_firme as servizio

    return servizio()
