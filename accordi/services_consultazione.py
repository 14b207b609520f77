"""The unions' parere and the ASL's intesa (ITER.md, states 5-8).

The Ufficio di Piano freezes the draft and sends it to the named trade unions with a deadline
(``invia_ai_sindacati``); each union's referent gives its parere once, before the deadline
(``parere_esprimi``); a union that did not answer is recorded as silent when the deadline
passes (``pareri_scaduti``, Celery beat); the Ufficio di Piano answers each observation and
closes the consultation (``chiudi_consultazione``) or reopens the draft. The ASL then gives
the intesa on the latest version (``intesa_registra``): positive moves the plan to the
Accordo, negative sends it back to drafting with the reasons.

The reads the pages and the desk need sit at the end of the module.
"""

from __future__ import annotations

import datetime
from functools import partial
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ambiti.models import Ambito, Ente, Incarico
from ambiti.ruoli import Permessi

from . import services_versioni
from .exceptions import DatiNonValidi, PermessoNegato, PianoCambiato, TransizioneNonAmmessa
from .models import (
    Consultazione,
    Intesa,
    OsservazioneParere,
    Parere,
    PianoDiZona,
    Stato,
    VersionePiano,
)
from .services import dopo_transizione, esegui_transizione

R = Incarico.Ruolo
E = Parere.Esito
ESITI_ESPRIMIBILI = (E.FAVOREVOLE, E.CON_OSSERVAZIONI, E.CONTRARIO)
ESTENSIONI_ALLEGATO = (".pdf", ".p7m")
TIPI_ALLEGATO = {"application/pdf", "application/pkcs7-mime", "application/x-pkcs7-mime",
                 "application/octet-stream", ""}
MAX_ALLEGATO = 10 * 1024 * 1024
GIORNI_PER_IL_PARERE = 20


# --- shared steps ----------------------------------------------------------------------------


def _quando(momento: datetime.datetime) -> str:
    return date_format(timezone.localtime(momento), "d/m/Y H:i")


def _udp(utente, piano: PianoDiZona) -> bool:
    return Permessi(utente).ha_su_alcuno("gestisci_piano", piano.ambiti.all())


def _richiedi_udp(utente, piano: PianoDiZona, messaggio: str) -> None:
    if not _udp(utente, piano):
        raise PermessoNegato(messaggio)


def incarichi_attivi(**filtri) -> QuerySet[Incarico]:
    oggi = timezone.localdate()
    return Incarico.objects.filter(attivo=True, dal__lte=oggi, **filtri).filter(Q(al__isnull=True) | Q(al__gte=oggi))


def sindacati_rappresentati(utente) -> set[int]:
    """The unions (Ente ids) for which ``utente`` is an active referent."""
    if not utente.is_authenticated:
        return set()
    return set(incarichi_attivi(utente=utente, ruolo=R.REFERENTE_SINDACATO, ente__isnull=False)
               .values_list("ente_id", flat=True))


def _accoda(nome_task: str, pk: int) -> None:
    from . import tasks_consultazione

    getattr(tasks_consultazione, nome_task).delay(pk)


def _dopo_il_commit(nome_task: str, pk: int) -> None:
    transaction.on_commit(partial(_accoda, nome_task, pk))


def _controlla_allegato(allegato, errori: list[str]) -> None:
    """A signed act: PDF (PAdES) or CAdES envelope (.p7m), at most 10 MB."""
    if not allegato:
        return
    nome = (getattr(allegato, "name", "") or "").lower()
    if Path(nome).suffix not in ESTENSIONI_ALLEGATO:
        errori.append(_("L'allegato deve essere un PDF (.pdf) o un file firmato digitalmente (.p7m)."))
        return
    tipo = (getattr(allegato, "content_type", "") or "").split(";")[0].strip().lower()
    if tipo not in TIPI_ALLEGATO:
        errori.append(_("L'allegato non è un PDF né un file .p7m (tipo dichiarato: %(t)s).") % {"t": tipo})
        return
    if allegato.size > MAX_ALLEGATO:
        errori.append(_("L'allegato supera i 10 MB."))
        return
    if nome.endswith(".pdf"):
        inizio = allegato.read(5)
        allegato.seek(0)
        if inizio != b"%PDF-":
            errori.append(_("Il file allegato non è un PDF valido."))


# --- sending the draft to the unions -----------------------------------------------------------


def sindacati_del_piano(piano: PianoDiZona) -> QuerySet[Ente]:
    """The trade unions that operate in the plan's ambiti: those the Ufficio di Piano may consult."""
    return (Ente.objects.filter(tipo=Ente.Tipo.SINDACATO, ambiti__in=piano.ambiti.all())
            .distinct().order_by("denominazione"))


def livelli_mancanti(sindacati) -> list[str]:
    """ITER.md names the provincial and the pensioners' unions: the levels missing from
    ``sindacati``, to warn the Ufficio di Piano (a warning, not a refusal: an ambito may not
    have both)."""
    livelli = {s.livello_sindacale for s in sindacati}
    mancanti = []
    if Ente.Livello.PROVINCIALE not in livelli:
        mancanti.append(_("Nessuna organizzazione sindacale provinciale è tra quelle scelte."))
    if Ente.Livello.PENSIONATI not in livelli:
        mancanti.append(_("Nessuna organizzazione sindacale dei pensionati è tra quelle scelte."))
    return mancanti


@transaction.atomic
def invia_ai_sindacati(*, piano: PianoDiZona, utente, sindacati: list[Ente], scadenza: datetime.datetime,
                       nota: str = "", stato_atteso: str | None = None) -> Consultazione:
    """Freeze the draft, send it to ``sindacati`` for their parere by ``scadenza`` and move the
    plan to ``parere_sindacati``, all or nothing. The unions' referents are e-mailed after commit."""
    piano = PianoDiZona.objects.select_for_update().get(pk=piano.pk)
    _richiedi_udp(utente, piano, _("Solo l'Ufficio di Piano invia la bozza ai sindacati."))
    if stato_atteso is not None and piano.stato != stato_atteso:
        raise PianoCambiato(_("Il piano è cambiato nel frattempo: ora è nello stato «%(stato)s». Ricarica la "
                              "pagina.") % {"stato": piano.get_stato_display()})
    if piano.stato != Stato.BOZZA:
        raise TransizioneNonAmmessa(_("La bozza si invia ai sindacati dallo stato «Stesura della bozza»; il piano è "
                                      "nello stato «%(stato)s».") % {"stato": piano.get_stato_display()})
    sindacati = list(dict.fromkeys(sindacati))
    errori = []
    if not sindacati:
        errori.append(_("Scegli almeno un'organizzazione sindacale da consultare."))
    ammessi = set(sindacati_del_piano(piano).values_list("pk", flat=True))
    for estraneo in (s for s in sindacati if s.pk not in ammessi):
        errori.append(_("«%(e)s» non è un'organizzazione sindacale degli ambiti del piano.") % {"e": estraneo})
    if scadenza is None or scadenza <= timezone.now():
        errori.append(_("Il termine per il parere deve essere nel futuro."))
    if errori:
        raise DatiNonValidi(*errori)

    nota = (nota or "").strip()
    versione = services_versioni.versione_congela(piano=piano, utente=utente, motivo=VersionePiano.Motivo.SINDACATI,
                                                  nota=nota)
    consultazione = Consultazione.objects.create(piano=piano, versione=versione, scadenza=scadenza,
                                                 inviata_da=utente)
    Parere.objects.bulk_create([Parere(consultazione=consultazione, sindacato=s) for s in sindacati])
    esegui_transizione(piano=piano, nome="invia_ai_sindacati", utente=utente, nota=nota,
                       stato_atteso=stato_atteso)
    _dopo_il_commit("notifica_consultazione", consultazione.pk)
    return consultazione


# --- the unions' parere ------------------------------------------------------------------------


def _osservazioni_pulite(osservazioni, sezioni: set[str], errori: list[str]) -> list[tuple[str, str]]:
    """Observations as (section code, text): plain strings or pairs; blank ones are dropped."""
    pulite = []
    for voce in osservazioni or []:
        sezione, testo = ("", voce) if isinstance(voce, str) else voce
        testo, sezione = (testo or "").strip(), (sezione or "").strip()
        if not testo:
            continue
        if sezione and sezione not in sezioni:
            errori.append(_("La sezione «%(s)s» non esiste nella versione inviata.") % {"s": sezione})
            continue
        pulite.append((sezione, testo))
    return pulite


def sezioni_della_versione(versione: VersionePiano) -> list[tuple[str, str]]:
    """(code, title) of the sections of a frozen version, to refer an observation to one."""
    return [(s.get("codice", ""), s.get("titolo", "")) for s in (versione.contenuto or {}).get("sezioni", [])
            if s.get("codice")]


@transaction.atomic
def parere_esprimi(*, parere: Parere, utente, esito: str, testo: str = "", osservazioni=(),
                   allegato=None) -> Parere:
    """The union's referent gives the parere, once and before the deadline. A parere with
    observations or against needs at least one observation or a text."""
    parere = (Parere.objects.select_for_update(of=("self",))
              .select_related("consultazione", "consultazione__versione", "sindacato").get(pk=parere.pk))
    consultazione = parere.consultazione
    if parere.sindacato_id not in sindacati_rappresentati(utente):
        raise PermessoNegato(_("Solo un referente di %(s)s può esprimerne il parere.") % {"s": parere.sindacato})
    if parere.esito != E.ATTESO:
        raise TransizioneNonAmmessa(_("Il parere di %(s)s è già registrato («%(e)s»): non si può modificare.")
                                    % {"s": parere.sindacato, "e": parere.get_esito_display()})
    if consultazione.chiusa_il is not None:
        raise TransizioneNonAmmessa(_("La consultazione è chiusa: il parere non può più essere espresso."))
    if timezone.now() >= consultazione.scadenza:
        raise TransizioneNonAmmessa(_("Il termine per il parere è scaduto il %(d)s.")
                                    % {"d": _quando(consultazione.scadenza)})
    errori = []
    if esito not in ESITI_ESPRIMIBILI:
        errori.append(_("Scegli l'esito del parere: favorevole, favorevole con osservazioni o contrario."))
    testo = (testo or "").strip()
    sezioni = {codice for codice, _titolo in sezioni_della_versione(consultazione.versione)}
    pulite = _osservazioni_pulite(osservazioni, sezioni, errori)
    if esito in (E.CON_OSSERVAZIONI, E.CONTRARIO) and not (testo or pulite):
        errori.append(_("Un parere con osservazioni o contrario deve indicare almeno un'osservazione o il testo "
                        "del parere."))
    _controlla_allegato(allegato, errori)
    if errori:
        raise DatiNonValidi(*errori)

    parere.esito, parere.testo = esito, testo
    parere.espresso_da, parere.espresso_il = utente, timezone.now()
    campi = ["esito", "testo", "espresso_da", "espresso_il"]
    if allegato:
        parere.allegato = allegato
        campi.append("allegato")
    parere.save(update_fields=campi)
    OsservazioneParere.objects.bulk_create([
        OsservazioneParere(parere=parere, ordine=i, sezione=sezione, testo=t)
        for i, (sezione, t) in enumerate(pulite, start=1)
    ])
    _dopo_il_commit("notifica_parere", parere.pk)
    return parere


def pareri_scaduti(*, consultazione: Consultazione | None = None, adesso: datetime.datetime | None = None) -> int:
    """Record as silence every awaited parere of an open consultation whose deadline passed
    (``espresso_il`` = the deadline, nobody). Idempotent; rows another process holds are
    skipped and taken at the next run (Celery beat, every 15 minutes)."""
    adesso = adesso or timezone.now()
    segnati = 0
    with transaction.atomic():
        pareri = Parere.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            esito=E.ATTESO, consultazione__scadenza__lte=adesso, consultazione__chiusa_il__isnull=True)
        if consultazione is not None:
            pareri = pareri.filter(consultazione=consultazione)
        per_consultazione: dict[datetime.datetime, list[int]] = {}
        for pk, scadenza in pareri.values_list("pk", "consultazione__scadenza"):
            per_consultazione.setdefault(scadenza, []).append(pk)
        for scadenza, pks in per_consultazione.items():
            segnati += Parere.objects.filter(pk__in=pks, esito=E.ATTESO).update(
                esito=E.SILENZIO, espresso_il=scadenza, espresso_da=None)
    return segnati


def consultazione_aperta(piano: PianoDiZona) -> Consultazione | None:
    """The consultation in progress on the plan's latest version, if any."""
    versione = services_versioni.versione_ultima(piano)
    if versione is None:
        return None
    return (Consultazione.objects.filter(piano=piano, versione=versione, chiusa_il__isnull=True)
            .order_by("-inviata_il", "-pk").first())


@dopo_transizione("chiudi_consultazione", "rinvia_alla_stesura")
def _chiudi_consultazioni_aperte(piano: PianoDiZona, voce) -> None:
    """Whichever page made the transition: closing records the silences first; reopening the
    draft withdraws the consultation (the awaited pareri stay awaited, on a closed consultation)."""
    aperte = list(Consultazione.objects.select_for_update().filter(piano=piano, chiusa_il__isnull=True))
    for consultazione in aperte:
        if voce.nome == "chiudi_consultazione":
            pareri_scaduti(consultazione=consultazione)
    Consultazione.objects.filter(pk__in=[c.pk for c in aperte]).update(chiusa_il=timezone.now())


@transaction.atomic
def chiudi_consultazione(*, piano: PianoDiZona, utente, nota: str = "", stato_atteso: str | None = None):
    """Close the consultation and move the plan to ``approvazione`` (guard: every parere given
    or the deadline passed)."""
    _richiedi_udp(utente, piano, _("Solo l'Ufficio di Piano chiude la consultazione dei sindacati."))
    pareri_scaduti()
    return esegui_transizione(piano=piano, nome="chiudi_consultazione", utente=utente, nota=nota,
                              stato_atteso=stato_atteso)


def rinvia_alla_stesura(*, piano: PianoDiZona, utente, nota: str, stato_atteso: str | None = None):
    """Reopen the draft with the observations that motivate it (the consultation is closed by
    the transition's hook)."""
    return esegui_transizione(piano=piano, nome="rinvia_alla_stesura", utente=utente, nota=nota,
                              stato_atteso=stato_atteso)


@transaction.atomic
def osservazione_rispondi(*, osservazione: OsservazioneParere, utente, risposta: str,
                          motivazione: str = "") -> OsservazioneParere:
    """The Ufficio di Piano's answer to an observation; it can be changed until the
    consultation is closed. Not accepting it, or accepting it in part, needs a reason."""
    osservazione = (OsservazioneParere.objects.select_for_update(of=("self",))
                    .select_related("parere__consultazione__piano").get(pk=osservazione.pk))
    consultazione = osservazione.parere.consultazione
    _richiedi_udp(utente, consultazione.piano, _("Solo l'Ufficio di Piano risponde alle osservazioni."))
    if consultazione.chiusa_il is not None:
        raise TransizioneNonAmmessa(_("La consultazione è chiusa: le risposte non si possono più cambiare."))
    motivazione = (motivazione or "").strip()
    errori = []
    if risposta not in OsservazioneParere.Risposta.values:
        errori.append(_("Scegli la risposta: accolta, accolta in parte o non accolta."))
    elif risposta != OsservazioneParere.Risposta.ACCOLTA and not motivazione:
        errori.append(_("Motiva perché l'osservazione non è accolta o è accolta solo in parte."))
    if errori:
        raise DatiNonValidi(*errori)
    osservazione.risposta, osservazione.motivazione = risposta, motivazione
    osservazione.risposto_da, osservazione.risposto_il = utente, timezone.now()
    osservazione.save(update_fields=["risposta", "motivazione", "risposto_da", "risposto_il"])
    return osservazione


def nota_di_rinvio(consultazione: Consultazione) -> str:
    """The observations of a consultation as the default note of *rinvia alla stesura*."""
    righe = []
    titoli = dict(sezioni_della_versione(consultazione.versione))
    for parere in consultazione.pareri.all():
        for o in parere.osservazioni.all():
            sezione = f" [{titoli.get(o.sezione) or o.sezione}]" if o.sezione else ""
            righe.append(f"- {parere.sindacato}{sezione}: {o.testo}")
        if parere.esito == E.CONTRARIO and parere.testo and not parere.osservazioni.all():
            righe.append(f"- {parere.sindacato}: {parere.testo}")
    return "\n".join(righe)


# --- the ASL's intesa --------------------------------------------------------------------------


@transaction.atomic
def intesa_registra(*, piano: PianoDiZona, utente, esito: str, motivazione: str = "", allegato=None,
                    stato_atteso: str | None = None) -> Intesa:
    """The ASL's referent records the intesa on the latest version (frozen now if the draft
    changed since). Positive: the plan moves to ``accordo``; negative (with the reasons): back
    to ``bozza``."""
    piano = PianoDiZona.objects.select_for_update().get(pk=piano.pk)
    if not Permessi(utente).ha_su_alcuno("esprimi_intesa", piano.ambiti.all()):
        raise PermessoNegato(_("Solo il referente dell'ASL degli ambiti del piano esprime l'intesa."))
    if stato_atteso is not None and piano.stato != stato_atteso:
        raise PianoCambiato(_("Il piano è cambiato nel frattempo: ora è nello stato «%(stato)s». Ricarica la "
                              "pagina.") % {"stato": piano.get_stato_display()})
    if piano.stato != Stato.INTESA_ASL:
        raise TransizioneNonAmmessa(_("L'intesa si esprime quando il piano è nello stato «Intesa ASL»; ora è "
                                      "nello stato «%(stato)s».") % {"stato": piano.get_stato_display()})
    motivazione = (motivazione or "").strip()
    errori = []
    if esito not in Intesa.Esito.values:
        errori.append(_("Scegli l'esito dell'intesa: positiva o negativa."))
    elif esito == Intesa.Esito.NEGATIVA and not motivazione:
        errori.append(_("Un'intesa negativa deve essere motivata: indica le ragioni, che tornano all'Ufficio di "
                        "Piano con la bozza."))
    _controlla_allegato(allegato, errori)
    if errori:
        raise DatiNonValidi(*errori)

    # The intesa is on the text the Assemblea approved: a draft changed since the last version
    # is frozen first, which only the Ufficio di Piano may do.
    versione = services_versioni.versione_ultima(piano)
    if versione is None or services_versioni.bozza_modificata(piano):
        if not Permessi(utente).ha_su_alcuno("gestisci_piano", piano.ambiti.all()):
            raise DatiNonValidi(_("La bozza è cambiata dopo l'ultima versione congelata: l'Ufficio di Piano deve "
                                  "congelarne una nuova versione prima che l'ASL esprima l'intesa."))
        versione = services_versioni.versione_congela(piano=piano, utente=utente, motivo=VersionePiano.Motivo.ASL)
    intesa = Intesa(piano=piano, versione=versione, esito=esito, motivazione=motivazione, espressa_da=utente)
    if allegato:
        intesa.allegato = allegato
    intesa.save()
    if esito == Intesa.Esito.POSITIVA:
        esegui_transizione(piano=piano, nome="registra_intesa", utente=utente, nota=motivazione,
                           stato_atteso=Stato.INTESA_ASL)
    else:
        esegui_transizione(piano=piano, nome="rinvia_alla_stesura", utente=utente,
                           nota=_("Intesa dell'ASL negativa: %(m)s") % {"m": motivazione},
                           stato_atteso=Stato.INTESA_ASL)
    return intesa


# --- reads for the pages and the desk ------------------------------------------------------------


def consultazione_con_pareri(pk: int) -> Consultazione:
    """A consultation with its plan, version, pareri and observations, in a constant number of queries."""
    return (Consultazione.objects.select_related("piano", "piano__ciclo", "versione", "inviata_da")
            .prefetch_related(
                Prefetch("pareri", queryset=Parere.objects.select_related("sindacato", "espresso_da")
                         .order_by("sindacato__denominazione")),
                Prefetch("pareri__osservazioni", queryset=OsservazioneParere.objects.select_related("risposto_da")),
                Prefetch("piano__ambiti", queryset=Ambito.objects.select_related("asl")))
            .get(pk=pk))


def riepilogo_del_piano(piano: PianoDiZona) -> dict:
    """For the plan page: the latest consultation with its counts and the latest intesa."""
    consultazione = (Consultazione.objects.filter(piano=piano).select_related("versione")
                     .annotate(n_pareri=Count("pareri", distinct=True),
                               n_espressi=Count("pareri", filter=~Q(pareri__esito=E.ATTESO), distinct=True))
                     .order_by("-inviata_il", "-pk").first())
    intesa = piano.intese.select_related("versione").order_by("-espressa_il", "-pk").first()
    return {"consultazione": consultazione, "intesa": intesa}


def scrivania(utente) -> dict:
    """The desk's consultation block: the pareri a union's referent still has to give, the
    observations the Ufficio di Piano has to answer, the plans awaiting the ASL's intesa. Roles
    come from the user's active incarichi (cached on the user, shared with the header), so each
    role adds one query and a user without these roles none."""
    from ambiti.selectors import incarichi_attivi as incarichi_dell_utente

    if not utente.is_authenticated:
        return {}
    oggi, adesso = timezone.localdate(), timezone.now()
    incarichi = [i for i in incarichi_dell_utente(utente) if i.dal <= oggi and (i.al is None or i.al >= oggi)]
    sindacati = {i.ente_id for i in incarichi if i.ruolo == R.REFERENTE_SINDACATO and i.ente_id}
    ambiti_udp = {i.ambito_id for i in incarichi if i.ruolo in (R.RESPONSABILE_UDP, R.OPERATORE_UDP)}
    ambiti_asl = {i.ambito_id for i in incarichi if i.ruolo == R.REFERENTE_ASL}
    pareri = da_rispondere = intese = []
    if sindacati:
        pareri = list(Parere.objects.filter(sindacato_id__in=sindacati, esito=E.ATTESO,
                                            consultazione__chiusa_il__isnull=True,
                                            consultazione__scadenza__gt=adesso)
                      .select_related("sindacato", "consultazione", "consultazione__piano",
                                      "consultazione__versione")
                      .order_by("consultazione__scadenza")[:50])
    if ambiti_udp:
        da_rispondere = list(
            Consultazione.objects.filter(chiusa_il__isnull=True, piano__ambiti__in=ambiti_udp)
            .annotate(n_osservazioni=Count("pareri__osservazioni", filter=Q(pareri__osservazioni__risposta=""),
                                           distinct=True))
            .filter(n_osservazioni__gt=0).select_related("piano").order_by("scadenza")[:50])
    if ambiti_asl:
        intese = list(PianoDiZona.objects.filter(stato=Stato.INTESA_ASL, ambiti__in=ambiti_asl).distinct()
                      .order_by("titolo")[:50])
    return {"pareri": pareri, "osservazioni": da_rispondere, "intese": intese}
