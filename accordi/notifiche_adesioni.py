"""The e-mails of the adesione requests (accordi/services_adesioni.py sends them after commit,
one per recipient): to the body's referents at every step, to the Ufficio di Piano of the plan's
ambiti when a request arrives, comes back with integrations, is withdrawn after sending, or is
signed. Whole sentences, in the site's language (they go to people other than the one acting);
the note of the step when there is one, and the link to the request's page."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ambiti.models import Incarico
from ambiti.posta import invia_a_ciascuno

from .models import RegistrazioneEnte, RichiestaAdesione, StatoAdesione
from .selectors_adesioni import firmatario_atteso
from .selectors_contenuto import euro

logger = logging.getLogger(__name__)

S = StatoAdesione
R = Incarico.Ruolo


def _incarichi_attivi(**filtri):
    oggi = timezone.localdate()
    return (Incarico.objects.filter(attivo=True, dal__lte=oggi, utente__is_active=True, **filtri)
            .filter(Q(al__isnull=True) | Q(al__gte=oggi)))


def _senza_doppioni(indirizzi: Iterable[str]) -> list[str]:
    visti, risultato = set(), []
    for indirizzo in indirizzi:
        if indirizzo and indirizzo.lower() not in visti:
            visti.add(indirizzo.lower())
            risultato.append(indirizzo)
    return risultato


def indirizzi_ente(ente) -> list[str]:
    """The body's referents: who registered it through the portal and who holds an active
    Terzo Settore referent's role for it."""
    registrati = RegistrazioneEnte.objects.filter(ente=ente, referente__is_active=True).values_list(
        "referente__email", flat=True)
    con_incarico = _incarichi_attivi(ente=ente, ruolo=R.REFERENTE_TERZO_SETTORE).order_by("pk").values_list(
        "utente__email", flat=True)
    return _senza_doppioni([*registrati, *con_incarico])


def indirizzi_udp(piano) -> list[str]:
    """The Ufficio di Piano of the plan's ambiti."""
    return _senza_doppioni(_incarichi_attivi(
        ambito__in=piano.ambiti.all(), ruolo__in=[R.RESPONSABILE_UDP, R.OPERATORE_UDP],
    ).order_by("pk").values_list("utente__email", flat=True))


def _url(nome: str, pk: int) -> str:
    try:
        percorso = reverse(nome, args=[pk])
    except NoReverseMatch:
        logger.error("La pagina %s non esiste: il messaggio porta alla pagina iniziale del sito.", nome)
        percorso = "/"
    return settings.PIANOZONA_SITE_URL.rstrip("/") + percorso


def _con_nota(testo: str, intestazione: str, nota: str) -> str:
    return testo + (f"\n\n{intestazione}\n{nota}" if nota else "")


def _messaggi(richiesta: RichiestaAdesione, passo: str, nota: str, da_stato: str) -> list[tuple]:
    """(recipients, subject, body) of each e-mail of ``passo``."""
    piano = richiesta.accordo.piano
    dati = {"ente": richiesta.ente.denominazione, "piano": piano.titolo}
    url_ente = _url("accordi:adesione", richiesta.pk)
    url_udp = _url("accordi:adesione_esame", richiesta.pk)
    segui = _("Segui la richiesta: %(url)s") % {"url": url_ente}
    esamina = _("Apri la richiesta: %(url)s") % {"url": url_udp}
    nota_udp = _("Nota dell'Ufficio di Piano:")
    ente, udp = [], []
    if passo == "invia":
        valore = euro(sum(r.valore_centesimi for r in richiesta.risorse.all()))
        ente.append((_("Richiesta di adesione inviata: %(piano)s") % dati, _(
            "La richiesta di adesione di «%(ente)s» all'Accordo di Programma del piano «%(piano)s» è stata inviata "
            "all'Ufficio di Piano. Riceverai un'e-mail a ogni passaggio dell'esame.") % dati))
        udp.append((_("Nuova richiesta di adesione all'Accordo: %(ente)s") % dati, _(
            "L'ente «%(ente)s» chiede di aderire all'Accordo di Programma del piano «%(piano)s», mettendo a "
            "disposizione risorse proprie per un valore complessivo di %(valore)s euro.")
            % {**dati, "valore": valore}))
    elif passo == "prendi_in_carico":
        ente.append((_("Richiesta di adesione in istruttoria: %(piano)s") % dati, _(
            "L'Ufficio di Piano ha preso in carico la richiesta di adesione di «%(ente)s» all'Accordo di Programma "
            "del piano «%(piano)s» e ne ha avviato l'istruttoria.") % dati))
    elif passo == "richiedi_integrazione":
        ente.append((_("Integrazioni richieste per l'adesione: %(piano)s") % dati, _con_nota(_(
            "L'Ufficio di Piano chiede di integrare la richiesta di adesione di «%(ente)s» all'Accordo di Programma "
            "del piano «%(piano)s». Completa la richiesta e invia le integrazioni.") % dati, nota_udp, nota)))
    elif passo == "integra":
        ente.append((_("Integrazioni inviate: %(piano)s") % dati, _(
            "Le integrazioni alla richiesta di adesione di «%(ente)s» all'Accordo di Programma del piano "
            "«%(piano)s» sono state inviate all'Ufficio di Piano, che riprende l'esame.") % dati))
        udp.append((_("Integrazioni ricevute: %(ente)s") % dati, _(
            "L'ente «%(ente)s» ha integrato la richiesta di adesione all'Accordo di Programma del piano "
            "«%(piano)s»: l'istruttoria può riprendere.") % dati))
    elif passo == "accogli":
        firmatario = firmatario_atteso(richiesta)
        legale = firmatario[2] if firmatario else _("il legale rappresentante")
        ente.append((_("Richiesta di adesione accolta: %(piano)s") % dati, _con_nota(_(
            "L'Ufficio di Piano ha accolto la richiesta di adesione di «%(ente)s» all'Accordo di Programma del "
            "piano «%(piano)s».") % dati, nota_udp, nota) + "\n\n" + _(
            "L'atto di adesione è in preparazione: l'adesione diventa effettiva quando il legale rappresentante, "
            "%(legale)s, lo firma digitalmente. Riceverai un'e-mail quando l'atto sarà pronto per la firma.")
            % {"legale": legale}))
    elif passo == "respingi":
        ente.append((_("Richiesta di adesione respinta: %(piano)s") % dati, _con_nota(_(
            "L'Ufficio di Piano ha respinto la richiesta di adesione di «%(ente)s» all'Accordo di Programma del "
            "piano «%(piano)s». L'ente può presentare una nuova richiesta.") % dati, _("Motivazioni:"), nota)))
    elif passo == "ritira":
        ente.append((_("Richiesta di adesione ritirata: %(piano)s") % dati, _con_nota(_(
            "La richiesta di adesione di «%(ente)s» all'Accordo di Programma del piano «%(piano)s» è stata "
            "ritirata.") % dati, _("Nota dell'ente:"), nota)))
        if da_stato != S.BOZZA:
            udp.append((_("Richiesta di adesione ritirata: %(ente)s") % dati, _con_nota(_(
                "L'ente «%(ente)s» ha ritirato la richiesta di adesione all'Accordo di Programma del piano "
                "«%(piano)s».") % dati, _("Nota dell'ente:"), nota)))
    elif passo == "sottoscrivi":
        ente.append((_("Adesione all'Accordo sottoscritta: %(piano)s") % dati, _(
            "L'atto di adesione di «%(ente)s» all'Accordo di Programma del piano «%(piano)s» è firmato: l'ente "
            "aderisce all'Accordo e compare tra gli aderenti con le risorse che mette a disposizione.") % dati))
        udp.append((_("Nuovo aderente all'Accordo: %(ente)s") % dati, _(
            "Il legale rappresentante di «%(ente)s» ha firmato l'atto di adesione all'Accordo di Programma del "
            "piano «%(piano)s»: l'ente è ora tra gli aderenti.") % dati))
    messaggi = [(indirizzi_ente(richiesta.ente), oggetto, f"{testo}\n\n{segui}\n") for oggetto, testo in ente]
    messaggi += [(indirizzi_udp(piano), oggetto, f"{testo}\n\n{esamina}\n") for oggetto, testo in udp]
    return messaggi


def notifica(richiesta_id: int, passo: str, nota: str, da_stato: str) -> int:
    """Send the e-mails of one step (after commit)."""
    inviati = 0
    with translation.override(settings.LANGUAGE_CODE):
        richiesta = RichiestaAdesione.objects.select_related("accordo__piano", "ente").get(pk=richiesta_id)
        for indirizzi, oggetto, testo in _messaggi(richiesta, passo, nota, da_stato):
            inviati += invia_a_ciascuno(oggetto, testo, indirizzi)
    return inviati
