"""Minutes of a tavolo's session: opened for a held session, saved with optimistic
concurrency, circulated to the members for observations, reopened, and approved (by the
coordinator or at a later session) into a PDF act. Who may do what is written once, at the top
of ``tavoli.services_tavoli``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi, PermessoNegato, StatoCambiato, TransizioneNonAmmessa

from .models import EventoTavolo, OsservazioneVerbale, SedutaTavolo, Tavolo, VerbaleTavolo
from .services import _richiedi_atto, _salva, _transita
from .services_tavoli import (
    _ambiti,
    _coordinatore_o_udp,
    _dopo_il_commit,
    _registra,
    _seduta_bloccata,
    _testo,
    _verbale_bloccato,
    membro_attivo,
)

A = EventoTavolo.Azione
S = SedutaTavolo.Stato
V = VerbaleTavolo.Stato


@transaction.atomic
def verbale_garantisci(*, seduta: SedutaTavolo, utente) -> VerbaleTavolo:
    """The session's minutes, created (one entry per agenda item) when first opened by the
    coordinator/UdP; only for held sessions."""
    seduta = _seduta_bloccata(seduta)
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano redige il verbale."))
    esistente = VerbaleTavolo.objects.filter(seduta=seduta).first()
    if esistente is not None:
        return esistente
    if seduta.stato != S.SVOLTA:
        raise TransizioneNonAmmessa(_("Il verbale si redige dopo lo svolgimento della seduta: registra prima le "
                                      "presenze."))
    verbale = VerbaleTavolo.objects.create(seduta=seduta, redatto_da=utente,
                                           discussione=[{"punto": p, "testo": ""} for p in seduta.punti])
    _registra(seduta.tavolo, A.VERBALE_SALVATO, utente, seduta=seduta, a=verbale.stato,
              descrizione=_("Verbale aperto in redazione."))
    return verbale


def _pulisci_discussione(discussione) -> list[dict]:
    formato = _("La discussione non è nel formato atteso: per ogni punto, il punto e il testo.")
    if not isinstance(discussione, list):
        raise DatiNonValidi(formato)
    pulita = []
    for voce in discussione:
        if (not isinstance(voce, dict) or set(voce) - {"punto", "testo"}
                or not all(isinstance(v, str) for v in voce.values())):
            raise DatiNonValidi(formato)
        punto, testo = voce.get("punto", "").strip(), voce.get("testo", "").strip()
        if testo and not punto:
            raise DatiNonValidi(_("Ogni testo della discussione va riferito a un punto dell'ordine del giorno."))
        if punto:
            pulita.append({"punto": punto, "testo": testo})
    return pulita


@transaction.atomic
def verbale_salva(*, verbale: VerbaleTavolo, utente, versione: int, discussione: list[dict], decisioni: str,
                  prossimi_passi: str) -> VerbaleTavolo:
    """Optimistic concurrency: ``versione`` must be the one the editor loaded, otherwise
    StatoCambiato (nothing saved, the user is told someone else saved meanwhile). Not once
    approved."""
    verbale = _verbale_bloccato(verbale)
    seduta = verbale.seduta
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano redige il verbale."))
    if not verbale.modificabile:
        raise TransizioneNonAmmessa(_("Il verbale è approvato: non si modifica più."))
    if versione != verbale.versione:
        raise StatoCambiato(_("Qualcun altro ha salvato il verbale nel frattempo (ora è alla versione %(v)s): "
                              "le tue modifiche non sono state salvate. Ricarica la pagina e riportale sulla "
                              "versione aggiornata.") % {"v": verbale.versione})
    verbale.discussione = _pulisci_discussione(discussione)
    verbale.decisioni = (decisioni or "").strip()
    verbale.prossimi_passi = (prossimi_passi or "").strip()
    verbale.versione += 1
    verbale.save(update_fields=["discussione", "decisioni", "prossimi_passi", "versione", "aggiornato_il"])
    _registra(seduta.tavolo, A.VERBALE_SALVATO, utente, seduta=seduta,
              descrizione=_("Versione %(v)s.") % {"v": verbale.versione})
    return verbale


@transaction.atomic
def verbale_invia(*, verbale: VerbaleTavolo, utente, stato_atteso: str | None = None) -> VerbaleTavolo:
    """Circulate to the members (e-mail via Celery); members may send observations."""
    verbale = _verbale_bloccato(verbale, stato_atteso)
    seduta = verbale.seduta
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano invia il verbale "
                                                 "ai componenti."))
    da = _transita(verbale, "invia", _("Invia ai componenti"))
    verbale.inviato_il = timezone.now()
    _salva(verbale, ["stato", "inviato_il"])
    _registra(seduta.tavolo, A.VERBALE_INVIATO, utente, seduta=seduta, da=da, a=verbale.stato,
              descrizione=_("Versione %(v)s.") % {"v": verbale.versione})
    _dopo_il_commit("invia_verbale_tavolo", verbale.pk)
    return verbale


@transaction.atomic
def verbale_riapri(*, verbale: VerbaleTavolo, utente, stato_atteso: str | None = None) -> VerbaleTavolo:
    """Back from circulation to drafting (the observations received stay with the minutes)."""
    verbale = _verbale_bloccato(verbale, stato_atteso)
    seduta = verbale.seduta
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano riapre il verbale."))
    da = _transita(verbale, "riapri", _("Riapri per modifiche"))
    _salva(verbale, ["stato"])
    _registra(seduta.tavolo, A.VERBALE_RIAPERTO, utente, seduta=seduta, da=da, a=verbale.stato)
    return verbale


@transaction.atomic
def osservazione_aggiungi(*, verbale: VerbaleTavolo, utente, testo: str) -> OsservazioneVerbale:
    """Active members, while circulated."""
    verbale = _verbale_bloccato(verbale)
    seduta = verbale.seduta
    if membro_attivo(utente, seduta.tavolo) is None:
        raise PermessoNegato(_("Solo i componenti del tavolo inviano osservazioni al verbale."))
    if verbale.stato != V.IN_CIRCOLAZIONE:
        raise TransizioneNonAmmessa(_("Le osservazioni si inviano mentre il verbale è in lettura presso i "
                                      "componenti."))
    testo = _testo(testo)
    if not testo:
        raise DatiNonValidi(_("Scrivi l'osservazione."))
    osservazione = OsservazioneVerbale.objects.create(verbale=verbale, versione=verbale.versione, autore=utente,
                                                      testo=testo)
    _registra(seduta.tavolo, A.OSSERVAZIONE, utente, seduta=seduta, descrizione=testo[:200])
    return osservazione


def _emittente(tavolo: Tavolo, ambito) -> str:
    """Who issues a tavolo's minutes: "Tavolo Anziani – Ambito di Pavia" (the word "Tavolo"
    once, whether or not the tavolo's name, an Italian datum, begins with it)."""
    if tavolo.nome.lower().startswith("tavolo"):
        return _("%(t)s – %(ambito)s") % {"t": tavolo.nome, "ambito": ambito.nome}
    return _("Tavolo «%(t)s» – %(ambito)s") % {"t": tavolo.nome, "ambito": ambito.nome}


@transaction.atomic
def verbale_approva(*, verbale: VerbaleTavolo, utente, modalita: str,
                    seduta_approvazione: SedutaTavolo | None = None,
                    stato_atteso: str | None = None) -> VerbaleTavolo:
    """By the coordinator (modalita='coordinatore'), or at a later held session of the same
    tavolo (modalita='seduta', recorded by coordinator/UdP). Freezes the minutes and the
    session's contributions, and requests the PDF act (kind ``verbale_tavolo``) through the
    ``PIANOZONA_RICHIEDI_ATTO`` setting."""
    verbale = _verbale_bloccato(verbale, stato_atteso)
    seduta = verbale.seduta
    tavolo = seduta.tavolo
    _coordinatore_o_udp(utente, tavolo, _("Solo il coordinatore o l'Ufficio di Piano approva il verbale."))
    if verbale.stato == V.APPROVATO:
        raise StatoCambiato(_("Il verbale è già stato approvato: ricarica la pagina."))
    if modalita not in VerbaleTavolo.Approvazione.values:
        raise DatiNonValidi(_("Indica come è stato approvato il verbale: dal coordinatore o in una seduta "
                              "successiva."))
    approvante = None
    if modalita == VerbaleTavolo.Approvazione.SEDUTA:
        if seduta_approvazione is None:
            raise DatiNonValidi(_("Indica la seduta in cui il verbale è stato approvato."))
        approvante = SedutaTavolo.objects.get(pk=seduta_approvazione.pk)
        if approvante.tavolo_id != tavolo.pk:
            raise DatiNonValidi(_("Il verbale si approva in una seduta dello stesso tavolo."))
        if approvante.data <= seduta.data:
            raise DatiNonValidi(_("La seduta di approvazione deve essere successiva a quella del verbale."))
        if approvante.stato != S.SVOLTA:
            raise DatiNonValidi(_("La seduta di approvazione deve essersi svolta: registra prima le sue presenze."))
    da = _transita(verbale, "approva", _("Approva il verbale"))
    verbale.modalita_approvazione = modalita
    verbale.approvato_in = approvante
    verbale.approvato_da = utente
    verbale.approvato_il = timezone.now()
    piano = tavolo.piano
    ambito = _ambiti(piano)[0]
    verbale.documento = _richiedi_atto(
        tipo="verbale_tavolo", ambito=ambito, piano=piano, utente=utente,
        titolo=_("Verbale della seduta n. %(n)s del %(d)s – %(t)s")
        % {"n": seduta.numero, "d": timezone.localtime(seduta.data).strftime("%d/%m/%Y"), "t": tavolo.nome},
        chiave=f"verbale-tavolo:{seduta.pk}",
        ente=_emittente(tavolo, ambito),
    )
    _salva(verbale, ["stato", "modalita_approvazione", "approvato_in", "approvato_da", "approvato_il", "documento"])
    if approvante is not None:
        descrizione = _("Approvato nella %(s)s.") % {"s": str(approvante).lower()}
    else:
        descrizione = _("Approvato dal coordinatore.") if utente.pk == tavolo.coordinatore_id \
            else _("Approvato dall'Ufficio di Piano.")
    _registra(tavolo, A.VERBALE_APPROVATO, utente, seduta=seduta, da=da, a=verbale.stato, descrizione=descrizione)
    return verbale
