"""Sessions and votes of the Assemblea dei Sindaci. Each state change reads top to bottom:
permission, conditions (each failing one says in Italian what is missing), state change through
the FSM, log entry, side effects after commit.

Who acts (ITER.md): the Presidente convenes, opens and closes sessions and votes and proclaims
results; the Ufficio di Piano, as secretariat, prepares the agenda and records attendance and
votes given on paper; each mayor (or their delegate) casts the Comune's vote in the browser.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_fsm import ConcurrentTransition, can_proceed

from ambiti.exceptions import DatiNonValidi, PermessoNegato, StatoCambiato, TransizioneNonAmmessa
from ambiti.models import Ente

from . import selectors, voto
from .models import (
    Assemblea,
    Deliberazione,
    Priorita,
    PuntoOrdineDelGiorno,
    Seduta,
    Seggio,
    TipoDeliberazione,
    Votazione,
    Voto,
)
from .services_assemblea import log, puo_gestire, puo_presiedere

S = Seduta.Stato


def _richiedi_atto(**kwargs):
    return import_string(settings.PIANOZONA_RICHIEDI_ATTO)(**kwargs)


def _bloccata(seduta: Seduta, stato_atteso: str | None = None) -> Seduta:
    seduta = Seduta.objects.select_for_update().select_related("assemblea", "assemblea__ambito",
                                                                "assemblea__regola").get(pk=seduta.pk)
    if stato_atteso is not None and seduta.stato != stato_atteso:
        raise StatoCambiato(_("La seduta è cambiata nel frattempo: ora è «%(s)s». Ricarica la pagina.")
                            % {"s": seduta.get_stato_display()})
    return seduta


def _transita(oggetto, metodo: str, etichetta: str):
    funzione = getattr(oggetto, metodo)
    if not can_proceed(funzione):
        raise TransizioneNonAmmessa(_("«%(t)s» non è possibile: lo stato è «%(s)s».")
                                    % {"t": etichetta, "s": oggetto.get_stato_display()})
    da = oggetto.stato
    funzione()
    return da


def _salva(oggetto, campi):
    try:
        oggetto.save(update_fields=campi)
    except ConcurrentTransition as exc:
        raise StatoCambiato(_("Qualcun altro ha appena cambiato lo stato: ricarica la pagina.")) from exc


# --- preparing and convening ------------------------------------------------------------------

@transaction.atomic
def seduta_crea(*, assemblea: Assemblea, utente, data: datetime.datetime, luogo: str = "",
                collegamento: str = "", durata_minuti: int = 120) -> Seduta:
    """A session in preparation. The Presidente or the Ufficio di Piano prepares it."""
    ambito = assemblea.ambito
    if not (puo_presiedere(utente, ambito) or puo_gestire(utente, ambito)):
        raise PermessoNegato(_("Solo il Presidente o l'Ufficio di Piano prepara le sedute dell'Assemblea."))
    errori = []
    if data is None:
        errori.append(_("Indica data e ora della seduta."))
    elif data < timezone.now():
        errori.append(_("La seduta non può essere fissata nel passato."))
    if not (luogo or "").strip() and not (collegamento or "").strip():
        errori.append(_("Indica il luogo della seduta oppure il collegamento online."))
    if errori:
        raise DatiNonValidi(*errori)
    Assemblea.objects.select_for_update().filter(pk=assemblea.pk).first()
    anno = timezone.localtime(data).year
    numero = (Seduta.objects.filter(assemblea=assemblea, anno=anno).aggregate(m=Max("numero"))["m"] or 0) + 1
    seduta = Seduta.objects.create(assemblea=assemblea, numero=numero, anno=anno, data=data,
                                   luogo=(luogo or "").strip(), collegamento=(collegamento or "").strip(),
                                   durata_minuti=durata_minuti or 120, creata_da=utente)
    log(assemblea, "seduta_creata", utente, seduta=seduta, a=seduta.stato, descrizione=str(seduta))
    return seduta


def _valida_punto(punto: PuntoOrdineDelGiorno, priorita: list) -> list[str]:
    ambito = punto.seduta.assemblea.ambito
    errori = []
    if not (punto.oggetto or "").strip():
        errori.append(_("Indica l'oggetto del punto."))
    if punto.tipo in selectors.TIPI_CON_PIANO:
        if punto.piano is None:
            errori.append(_("Indica il piano a cui si riferisce la deliberazione."))
        elif not punto.piano.ambiti.filter(pk=ambito.pk).exists():
            errori.append(_("Il piano indicato non è di questo ambito."))
    if punto.tipo == TipoDeliberazione.ATTO_INDIRIZZO and not priorita:
        errori.append(_("Un atto di indirizzo indica almeno una priorità con i suoi obiettivi."))
    if punto.tipo == TipoDeliberazione.APPROVAZIONE_PIANO:
        doc = punto.documento_piano
        if doc is None:
            errori.append(_("Indica la versione del testo definitivo del piano da approvare."))
        elif punto.piano is not None and (doc.piano_id != punto.piano_id or doc.tipo != "piano_definitivo"):
            errori.append(_("Il documento indicato non è un testo definitivo di questo piano."))
    if punto.tipo == TipoDeliberazione.DESIGNAZIONE_CAPOFILA:
        ente = punto.ente_capofila
        if ente is None:
            errori.append(_("Indica l'ente capofila proposto."))
        elif not (ente.tipo == Ente.Tipo.COMUNE and ente.comune_id and ambito.comuni.filter(pk=ente.comune_id).exists()
                  or ente.tipo == Ente.Tipo.ASL and ente.asl_id == ambito.asl_id
                  or ente.ambiti.filter(pk=ambito.pk).exists()):
            errori.append(_("L'ente capofila deve essere un Comune dell'ambito, l'ASL o un ente associato all'ambito."))
    return errori


@transaction.atomic
def punto_aggiungi(*, seduta: Seduta, utente, oggetto: str, proposta: str = "", tipo: str = "", piano=None,
                   documento_piano=None, ente_capofila=None, priorita: list[tuple[str, str]] | None = None
                   ) -> PuntoOrdineDelGiorno:
    """Add an agenda item while the session is in preparation (the agenda is part of the
    convocation: once sent it does not change)."""
    seduta = _bloccata(seduta)
    ambito = seduta.assemblea.ambito
    if not (puo_presiedere(utente, ambito) or puo_gestire(utente, ambito)):
        raise PermessoNegato(_("Solo il Presidente o l'Ufficio di Piano compone l'ordine del giorno."))
    if seduta.stato != S.BOZZA:
        raise TransizioneNonAmmessa(_("L'ordine del giorno si compone prima della convocazione."))
    # Priorities belong to an atto di indirizzo only, like the final text to an approval and the
    # capofila to a designation: what the form hid for another kind is not kept.
    priorita = [(t.strip(), (o or "").strip()) for t, o in (priorita or []) if (t or "").strip()
                and tipo == TipoDeliberazione.ATTO_INDIRIZZO]
    numero = (seduta.punti.aggregate(m=Max("numero"))["m"] or 0) + 1
    punto = PuntoOrdineDelGiorno(seduta=seduta, numero=numero, oggetto=(oggetto or "").strip(),
                                 proposta=(proposta or "").strip(), tipo=tipo or "", piano=piano,
                                 documento_piano=(documento_piano if tipo == TipoDeliberazione.APPROVAZIONE_PIANO
                                                  else None),
                                 ente_capofila=(ente_capofila if tipo == TipoDeliberazione.DESIGNAZIONE_CAPOFILA
                                                else None))
    errori = _valida_punto(punto, priorita)
    if errori:
        raise DatiNonValidi(*errori)
    punto.save()
    Priorita.objects.bulk_create([Priorita(punto=punto, ordine=i, titolo=t[:255], obiettivi=o)
                                  for i, (t, o) in enumerate(priorita, start=1)])
    log(seduta.assemblea, "punto_aggiunto", utente, seduta=seduta, descrizione=str(punto))
    return punto


@transaction.atomic
def punto_rimuovi(*, punto: PuntoOrdineDelGiorno, utente) -> None:
    seduta = _bloccata(punto.seduta)
    ambito = seduta.assemblea.ambito
    if not (puo_presiedere(utente, ambito) or puo_gestire(utente, ambito)):
        raise PermessoNegato(_("Solo il Presidente o l'Ufficio di Piano compone l'ordine del giorno."))
    if seduta.stato != S.BOZZA:
        raise TransizioneNonAmmessa(_("L'ordine del giorno si modifica solo prima della convocazione."))
    log(seduta.assemblea, "punto_rimosso", utente, seduta=seduta, descrizione=str(punto))
    punto.delete()


@transaction.atomic
def seduta_convoca(*, seduta: Seduta, utente, stato_atteso: str | None = None) -> Seduta:
    """Convene: freeze each Comune's population as the registry has it now (with the date of
    the figure), create the seats, and e-mail every member the convocation with an .ics."""
    seduta = _bloccata(seduta, stato_atteso)
    ambito = seduta.assemblea.ambito
    if not puo_presiedere(utente, ambito):
        raise PermessoNegato(_("Solo il Presidente dell'Assemblea convoca le sedute."))
    errori = []
    if not seduta.punti.exists():
        errori.append(_("L'ordine del giorno è vuoto: aggiungi almeno un punto."))
    if seduta.data < timezone.now():
        errori.append(_("La data della seduta è già passata: fissane una nuova."))
    comuni = list(ambito.comuni.all())
    if not comuni:
        errori.append(_("L'ambito non ha Comuni: l'Assemblea non ha componenti."))
    if errori:
        raise DatiNonValidi(*errori)
    da = _transita(seduta, "convoca", _("Convoca"))
    seduta.convocata_il = timezone.now()
    _salva(seduta, ["stato", "convocata_il"])
    Seggio.objects.bulk_create([
        Seggio(seduta=seduta, comune=c, popolazione=c.popolazione, popolazione_al=c.popolazione_al)
        for c in comuni
    ])
    log(seduta.assemblea, "seduta_convocata", utente, seduta=seduta, da=da, a=seduta.stato,
        descrizione=ngettext("Convocazione inviata a %(n)s Comune.", "Convocazione inviata a %(n)s Comuni.",
                             len(comuni)) % {"n": len(comuni)})
    transaction.on_commit(lambda: _accoda_convocazione(seduta.pk))
    return seduta


def _accoda_convocazione(seduta_id: int) -> None:
    from .tasks import invia_convocazione

    invia_convocazione.delay(seduta_id)


@transaction.atomic
def seduta_annulla(*, seduta: Seduta, utente, motivo: str) -> Seduta:
    seduta = _bloccata(seduta)
    if not puo_presiedere(utente, seduta.assemblea.ambito):
        raise PermessoNegato(_("Solo il Presidente dell'Assemblea annulla una seduta."))
    if not (motivo or "").strip():
        raise DatiNonValidi(_("Indica il motivo dell'annullamento."))
    da = _transita(seduta, "annulla", _("Annulla"))
    seduta.motivo_annullamento = motivo.strip()
    _salva(seduta, ["stato", "motivo_annullamento"])
    log(seduta.assemblea, "seduta_annullata", utente, seduta=seduta, da=da, a=seduta.stato, descrizione=motivo)
    if da == S.CONVOCATA:
        transaction.on_commit(lambda: _accoda_convocazione(seduta.pk))  # tells members it is cancelled
    return seduta


# --- attendance -------------------------------------------------------------------------------

def _votazione_aperta(seduta: Seduta) -> Votazione | None:
    return Votazione.objects.filter(punto__seduta=seduta, stato=Votazione.Stato.APERTA).first()


@transaction.atomic
def presenza_registra(*, seduta: Seduta, comune_id: int, utente, presenza: str, rappresentante=None) -> Seggio:
    """The secretariat records a Comune's attendance. ``delegato`` needs a delegation valid
    for this session held by ``rappresentante``."""
    seduta = _bloccata(seduta)
    ambito = seduta.assemblea.ambito
    if not (puo_gestire(utente, ambito) or puo_presiedere(utente, ambito)):
        raise PermessoNegato(_("Solo la segreteria dell'Assemblea registra le presenze."))
    if seduta.stato not in (S.CONVOCATA, S.APERTA):
        raise TransizioneNonAmmessa(_("Le presenze si registrano quando la seduta è convocata o in corso."))
    seggio = (Seggio.objects.select_for_update().filter(seduta=seduta, comune_id=comune_id)
              .select_related("comune").first())
    if seggio is None:
        raise DatiNonValidi(_("Il Comune non ha un seggio in questa seduta."))
    return _imposta_presenza(seduta, seggio, presenza, rappresentante, utente)


def _imposta_presenza(seduta, seggio, presenza, rappresentante, utente) -> Seggio:
    if presenza not in Seggio.Presenza.values:
        raise DatiNonValidi(_("Presenza non valida."))
    delega = None
    if presenza == Seggio.Presenza.DELEGATO:
        if rappresentante is None:
            raise DatiNonValidi(_("Indica il delegato presente per %(c)s.") % {"c": seggio.comune})
        delega = selectors.delega_valida(rappresentante, seduta, seggio.comune_id)
        if delega is None:
            raise DatiNonValidi(_("%(p)s non ha una delega valida per %(c)s in questa seduta: registrala prima.")
                                % {"p": rappresentante.get_full_name() or rappresentante, "c": seggio.comune})
    aperta = _votazione_aperta(seduta)
    if presenza == Seggio.Presenza.ASSENTE and aperta and aperta.voti.filter(comune_id=seggio.comune_id).exists():
        raise DatiNonValidi(_("%(c)s ha già votato nella votazione in corso: potrà uscire dopo la chiusura.")
                            % {"c": seggio.comune})
    prima = seggio.get_presenza_display()
    seggio.presenza = presenza
    seggio.rappresentante = rappresentante if presenza != Seggio.Presenza.ASSENTE else None
    seggio.delega = delega
    seggio.save(update_fields=["presenza", "rappresentante", "delega", "aggiornato_il"])
    log(seduta.assemblea, "presenza", utente, seduta=seduta,
        descrizione=_("%(c)s: da «%(da)s» a «%(a)s»") % {"c": seggio.comune, "da": prima,
                                                        "a": seggio.get_presenza_display()})
    return seggio


@transaction.atomic
def presenza_dichiara(*, seduta: Seduta, utente) -> list[Seggio]:
    """A mayor or delegate joining the session (in the room or online) marks their own seats
    present."""
    seduta = _bloccata(seduta)
    if seduta.stato not in (S.CONVOCATA, S.APERTA):
        raise TransizioneNonAmmessa(_("Puoi segnalare la tua presenza quando la seduta è convocata o in corso."))
    comuni = selectors.comuni_rappresentati(utente, seduta)
    if not comuni:
        raise PermessoNegato(_("Non rappresenti alcun Comune in questa seduta."))
    aggiornati = []
    seggi = Seggio.objects.select_for_update().filter(seduta=seduta, comune_id__in=comuni).select_related("comune")
    for seggio in seggi:
        delega = selectors.delega_valida(utente, seduta, seggio.comune_id)
        presenza = Seggio.Presenza.DELEGATO if delega else Seggio.Presenza.PRESENTE
        if seggio.presenza != presenza or seggio.rappresentante_id != utente.pk:
            aggiornati.append(_imposta_presenza(seduta, seggio, presenza, utente, utente))
    return aggiornati


# --- opening and closing ----------------------------------------------------------------------

@transaction.atomic
def seduta_apri(*, seduta: Seduta, utente, stato_atteso: str | None = None) -> Seduta:
    seduta = _bloccata(seduta, stato_atteso)
    if not puo_presiedere(utente, seduta.assemblea.ambito):
        raise PermessoNegato(_("Solo il Presidente dell'Assemblea apre la seduta."))
    q = selectors.quorum(seduta)
    if isinstance(q, str):
        raise DatiNonValidi(q)
    if not q.raggiunto:
        raise DatiNonValidi(_("Manca il quorum costitutivo: %(dettaglio)s") % {"dettaglio": descrivi_quorum(q)})
    da = _transita(seduta, "apri", _("Apri la seduta"))
    seduta.aperta_il = timezone.now()
    _salva(seduta, ["stato", "aperta_il"])
    log(seduta.assemblea, "seduta_aperta", utente, seduta=seduta, da=da, a=seduta.stato, descrizione=descrivi_quorum(q))
    return seduta


def descrivi_quorum(q: voto.Quorum) -> str:
    """The live attendance, one whole sentence per measure: "3 Comuni presenti su 3.",
    "74.000 abitanti rappresentati su 78.000."."""
    frasi = []
    for c in q.conteggi:
        valori = {"p": voto.numero(c.presenti), "t": voto.numero(c.totale)}
        if c.misura == voto.TESTE:
            frasi.append(ngettext("%(p)s Comune presente su %(t)s.", "%(p)s Comuni presenti su %(t)s.",
                                  c.presenti) % valori)
        else:
            frasi.append(ngettext("%(p)s abitante rappresentato su %(t)s.", "%(p)s abitanti rappresentati su %(t)s.",
                                  c.presenti) % valori)
    return " ".join(frasi)


@transaction.atomic
def seduta_chiudi(*, seduta: Seduta, utente) -> Seduta:
    seduta = _bloccata(seduta)
    if not puo_presiedere(utente, seduta.assemblea.ambito):
        raise PermessoNegato(_("Solo il Presidente dell'Assemblea chiude la seduta."))
    pendenti = Votazione.objects.filter(punto__seduta=seduta).exclude(stato=Votazione.Stato.PROCLAMATA)
    if pendenti.exists():
        raise DatiNonValidi(_("Ci sono votazioni senza esito proclamato: chiudile e proclamane l'esito prima."))
    da = _transita(seduta, "chiudi", _("Chiudi la seduta"))
    seduta.chiusa_il = timezone.now()
    _salva(seduta, ["stato", "chiusa_il"])
    log(seduta.assemblea, "seduta_chiusa", utente, seduta=seduta, da=da, a=seduta.stato)
    return seduta


# --- votes ------------------------------------------------------------------------------------

@transaction.atomic
def votazione_apri(*, punto: PuntoOrdineDelGiorno, utente) -> Votazione:
    """Open the vote on an item, under the rule in force now. Refused without the quorum, while
    another vote is open, or when the rule cannot be applied (a weighted vote with a Comune
    lacking its population)."""
    seduta = _bloccata(punto.seduta)
    assemblea = seduta.assemblea
    if not puo_presiedere(utente, assemblea.ambito):
        raise PermessoNegato(_("Solo il Presidente dell'Assemblea apre le votazioni."))
    if seduta.stato != S.APERTA:
        raise TransizioneNonAmmessa(_("Si vota solo a seduta aperta."))
    if not punto.con_voto:
        raise DatiNonValidi(_("Questo punto è solo informativo: non si vota."))
    if Votazione.objects.filter(punto=punto).exists():
        raise TransizioneNonAmmessa(_("Su questo punto si è già votato."))
    if _votazione_aperta(seduta):
        raise DatiNonValidi(_("C'è già una votazione aperta: chiudila prima di aprirne un'altra."))
    regola = assemblea.regola
    try:
        voto.verifica_pesi(regola.come_regola(), selectors.popolazioni(seduta))
    except voto.RegolaNonApplicabile as exc:
        raise DatiNonValidi(exc.messaggio) from exc
    q = selectors.quorum(seduta)
    if not q.raggiunto:
        raise DatiNonValidi(_("Non c'è più il quorum: %(d)s") % {"d": descrivi_quorum(q)})
    errori = _valida_punto(punto, list(punto.priorita.values_list("titolo", "obiettivi")))
    if errori:
        raise DatiNonValidi(*errori)
    votazione = Votazione.objects.create(punto=punto, regola=regola, testo_regola=regola.testo, aperta_da=utente)
    log(assemblea, "votazione_aperta", utente, seduta=seduta, votazione=votazione, a=votazione.stato,
        descrizione=_("Punto %(n)s, «%(o)s». Regola applicata: %(r)s") % {
            "n": punto.numero, "o": punto.oggetto, "r": regola.testo})
    return votazione


def _bloccata_votazione(votazione: Votazione) -> Votazione:
    return (Votazione.objects.select_for_update()
            .select_related("punto", "punto__seduta", "punto__seduta__assemblea",
                            "punto__seduta__assemblea__ambito", "regola")
            .get(pk=votazione.pk))


@transaction.atomic
def voto_esprimi(*, votazione: Votazione, utente, espressione: str, comune_id: int | None = None) -> Voto:
    """Record a Comune's vote. Cast by its mayor or delegate (``comune_id`` optional when they
    hold a single seat), or entered by the secretariat for a vote given aloud in the room. Each
    Comune votes once; nothing is accepted once the vote is closed."""
    votazione = _bloccata_votazione(votazione)
    seduta = votazione.punto.seduta
    ambito = seduta.assemblea.ambito
    if espressione not in Voto.Espressione.values:
        raise DatiNonValidi(_("Scegli favorevole, contrario, astenuto o non votante."))
    rappresentati = selectors.comuni_rappresentati(utente, seduta)
    segreteria = puo_gestire(utente, ambito) or puo_presiedere(utente, ambito)
    if not (rappresentati or segreteria):
        raise PermessoNegato(_("Non rappresenti alcun Comune in questa seduta: non puoi votare."))
    if comune_id is None:
        if len(rappresentati) != 1:
            raise DatiNonValidi(_("Indica per quale Comune voti."))
        comune_id = rappresentati[0]
    proprio = comune_id in rappresentati
    if not (proprio or segreteria):
        raise PermessoNegato(_("Puoi votare solo per il Comune che rappresenti in questa seduta."))
    if votazione.stato != Votazione.Stato.APERTA:
        raise TransizioneNonAmmessa(_("La votazione è chiusa: il voto non è stato registrato."))
    seggio = Seggio.objects.filter(seduta=seduta, comune_id=comune_id).select_related("comune").first()
    if seggio is None:
        raise DatiNonValidi(_("Il Comune non fa parte di questa Assemblea."))
    if not seggio.presente:
        raise DatiNonValidi(_("%(c)s non risulta presente: registra prima la presenza.") % {"c": seggio.comune})
    if Voto.objects.filter(votazione=votazione, comune_id=comune_id).exists():
        raise DatiNonValidi(_("%(c)s ha già votato: il voto non si può ripetere né cambiare.") % {"c": seggio.comune})
    try:
        with transaction.atomic():
            registrato = Voto.objects.create(
                votazione=votazione, comune_id=comune_id, espressione=espressione,
                espresso_da=utente if proprio else seggio.rappresentante, registrato_da=utente,
            )
    except IntegrityError as exc:
        raise DatiNonValidi(_("%(c)s ha già votato: il voto non si può ripetere né cambiare.")
                            % {"c": seggio.comune}) from exc
    if proprio:
        descrizione = _("%(c)s: %(v)s") % {"c": seggio.comune, "v": registrato.get_espressione_display()}
    else:
        descrizione = _("%(c)s: %(v)s (registrato dalla segreteria)") % {
            "c": seggio.comune, "v": registrato.get_espressione_display()}
    log(seduta.assemblea, "voto", utente, seduta=seduta, votazione=votazione, descrizione=descrizione)
    return registrato


@transaction.atomic
def votazione_chiudi(*, votazione: Votazione, utente) -> Votazione:
    """Close the vote and compute the result under the vote's own rule. Present seats that did
    not vote count as *non votanti*."""
    votazione = _bloccata_votazione(votazione)
    seduta = votazione.punto.seduta
    if not puo_presiedere(utente, seduta.assemblea.ambito):
        raise PermessoNegato(_("Solo il Presidente dell'Assemblea chiude le votazioni."))
    da = _transita(votazione, "chiudi", _("Chiudi la votazione"))
    esito = voto.calcola_esito(
        votazione.regola.come_regola(), selectors.popolazioni(seduta), selectors.presenti(seduta),
        selectors.voti_della_votazione(votazione, seduta),
    )
    votazione.chiusa_il = timezone.now()
    votazione.approvata = esito.approvata
    votazione.risultato = risultato_json(esito)
    _salva(votazione, ["stato", "chiusa_il", "approvata", "risultato"])
    log(seduta.assemblea, "votazione_chiusa", utente, seduta=seduta, votazione=votazione, da=da,
        a=votazione.stato, descrizione=esito.spiegazione)
    return votazione


def risultato_json(esito: voto.Esito) -> dict:
    return {
        "approvata": esito.approvata,
        "regola": esito.regola,
        "conteggi": [
            {"misura": c.misura, "favorevoli": c.favorevoli, "contrari": c.contrari, "astenuti": c.astenuti,
             "non_votanti": c.non_votanti, "assenti": c.assenti, "base": c.base,
             "soglia": f"{c.soglia.numerator}/{c.soglia.denominator}", "approvata": c.approvata,
             "spiegazione": c.spiegazione}
            for c in esito.conteggi
        ],
    }


@transaction.atomic
def votazione_proclama(*, votazione: Votazione, utente) -> Votazione:
    """The Presidente proclaims the computed result; from now on nothing about the vote
    changes. A passed proposal becomes a numbered deliberation and its act is issued as PDF."""
    votazione = _bloccata_votazione(votazione)
    punto = votazione.punto
    seduta = punto.seduta
    assemblea = seduta.assemblea
    if not puo_presiedere(utente, assemblea.ambito):
        raise PermessoNegato(_("Solo il Presidente dell'Assemblea proclama l'esito."))
    da = _transita(votazione, "proclama", _("Proclama l'esito"))
    votazione.proclamata_il = timezone.now()
    votazione.proclamata_da = utente
    _salva(votazione, ["stato", "proclamata_il", "proclamata_da"])
    log(assemblea, "esito_proclamato", utente, seduta=seduta, votazione=votazione, da=da, a=votazione.stato,
        descrizione=_("Approvata") if votazione.approvata else _("Respinta"))
    if votazione.approvata:
        _deliberazione_crea(votazione, utente)
    return votazione


def _deliberazione_crea(votazione: Votazione, utente) -> Deliberazione:
    punto = votazione.punto
    assemblea = Assemblea.objects.select_for_update().select_related("ambito").get(pk=punto.seduta.assemblea_id)
    oggi = timezone.localdate()
    numero = (Deliberazione.objects.filter(assemblea=assemblea, anno=oggi.year)
              .aggregate(m=Max("numero"))["m"] or 0) + 1
    deliberazione = Deliberazione.objects.create(
        assemblea=assemblea, anno=oggi.year, numero=numero, tipo=punto.tipo, punto=punto, votazione=votazione,
        oggetto=punto.oggetto, testo=punto.proposta, piano=punto.piano, documento_piano=punto.documento_piano,
        ente_capofila=punto.ente_capofila, adottata_il=oggi,
    )
    tipo_atto = "atto_indirizzo" if punto.tipo == TipoDeliberazione.ATTO_INDIRIZZO else "deliberazione"
    atto = _richiedi_atto(
        tipo=tipo_atto, ambito=assemblea.ambito, piano=punto.piano, utente=utente,
        titolo=_("Deliberazione n. %(n)s/%(a)s – %(o)s") % {"n": numero, "a": oggi.year, "o": punto.oggetto},
        chiave=f"deliberazione:{deliberazione.pk}",
        ente=_("Assemblea dei Sindaci – %(a)s") % {"a": assemblea.ambito.nome},
    )
    Deliberazione.objects.filter(pk=deliberazione.pk).update(atto=atto)
    deliberazione.atto = atto
    log(assemblea, "deliberazione", utente, seduta=punto.seduta, votazione=votazione, descrizione=str(deliberazione))
    return deliberazione


@transaction.atomic
def verbale_genera(*, seduta: Seduta, utente):
    """Issue the minutes of a closed session as a PDF act."""
    seduta = _bloccata(seduta)
    ambito = seduta.assemblea.ambito
    if not (puo_gestire(utente, ambito) or puo_presiedere(utente, ambito)):
        raise PermessoNegato(_("Solo la segreteria o il Presidente redige il verbale."))
    if seduta.stato != S.CHIUSA:
        raise TransizioneNonAmmessa(_("Il verbale si redige a seduta chiusa."))
    if seduta.verbale_id:
        return seduta.verbale
    atto = _richiedi_atto(
        tipo="verbale_assemblea", ambito=ambito, utente=utente,
        titolo=_("Verbale della seduta n. %(n)s/%(a)s dell'Assemblea dei Sindaci")
        % {"n": seduta.numero, "a": seduta.anno},
        chiave=f"verbale-assemblea:{seduta.pk}",
        ente=_("Assemblea dei Sindaci – %(a)s") % {"a": ambito.nome},
    )
    seduta.verbale = atto
    seduta.save(update_fields=["verbale"])
    log(seduta.assemblea, "verbale", utente, seduta=seduta, descrizione=atto.titolo)
    return atto
