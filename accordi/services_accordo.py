"""Writing the Accordo di Programma: its parties and their impegni, the ente capofila (from the
Assemblea's deliberation), its dates, the reference population and the cost items.

Who may do what: the Ufficio di Piano of one of the plan's ambiti edits the Accordo of the
plan's current revision while the plan is between the drafting and the Accordo step
(``STATI_MODIFICABILI``). From the opening of the signatures on it is locked: it is what is being
signed. An update of a plan in force (*aggiorna*) prepares a new Accordo for the new revision, a
copy of the one in force, which stays untouched and readable.

Every writing function locks the plan row, then the Accordo, and runs in one transaction: a
refused input leaves nothing half-saved."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.models import Ente, Incarico
from ambiti.ruoli import Permessi
from ambiti.segnali import aggiunte

from .models import (
    CENTO_PER_CENTO,
    AccordoDiProgramma,
    Documento,
    ImportoOnere,
    ParteAccordo,
    PianoDiZona,
    PopolazioneRiferimento,
    Stato,
    UtentiServiti,
    VoceOnere,
)
from .ripartizione import percentuale_testo
from .selectors_accordo import comuni_del_piano

STATI_MODIFICABILI = (Stato.BOZZA, Stato.PARERE_SINDACATI, Stato.APPROVAZIONE, Stato.INTESA_ASL, Stato.ACCORDO)

MASSIMO_TESTO = 20_000


class _Invariato:
    def __repr__(self):
        return "INVARIATO"


INVARIATO = _Invariato()  # ``parte_aggiorna(firmatario=...)`` left out: the signer stays as it is


# --- the Accordo of the plan ----------------------------------------------------------------


def accordo_di(piano: PianoDiZona, *, crea: bool = True) -> AccordoDiProgramma | None:
    """The Accordo of the plan's current revision; created when missing (``crea``): a copy of
    the previous revision's Accordo if there is one, otherwise proposed from the registry (the
    Comuni and the ASL with their mayors and referent, the cycle's dates, the population)."""
    accordo = (AccordoDiProgramma.objects.select_related("piano", "piano__ciclo", "ente_capofila",
                                                         "deliberazione_capofila")
               .filter(piano=piano, revisione=piano.revisione).first())
    if accordo is None:
        if not crea:
            return None
        accordo = _crea(piano)
    if accordo.piano.stato in STATI_MODIFICABILI:
        capofila_sincronizza(accordo)
    return accordo


def _crea(piano: PianoDiZona) -> AccordoDiProgramma:
    ciclo = piano.ciclo
    precedente = (AccordoDiProgramma.objects.filter(piano=piano, revisione__lt=piano.revisione)
                  .order_by("-revisione").first())
    with transaction.atomic():
        if precedente is not None:
            campi = {c: getattr(precedente, c) for c in (
                "ente_capofila_id", "deliberazione_capofila_id", "data_inizio", "data_fine",
                "modalita_aggiornamento", "data_popolazione")}
        else:
            date = Counter(c.popolazione_al for c in comuni_del_piano(piano) if c.popolazione_al)
            campi = {
                "data_inizio": ciclo.validita_inizio, "data_fine": ciclo.validita_fine,
                "data_popolazione": date.most_common(1)[0][0] if date else None,
                "modalita_aggiornamento": _(
                    "L'Accordo può essere aggiornato nel triennio, su proposta dell'Ufficio di Piano, con "
                    "deliberazione dell'Assemblea dei Sindaci e con la stessa procedura seguita per la sua "
                    "approvazione e sottoscrizione."),
            }
        accordo, creato = AccordoDiProgramma.objects.get_or_create(piano=piano, revisione=piano.revisione,
                                                                   defaults=campi)
        if creato:
            if precedente is not None:
                _copia(precedente, accordo)
            else:
                _popolazioni_dall_anagrafe(accordo)
            _completa_parti(accordo)
    return (AccordoDiProgramma.objects.select_related("piano", "piano__ciclo", "ente_capofila",
                                                      "deliberazione_capofila").get(pk=accordo.pk))


def _copia(da: AccordoDiProgramma, a: AccordoDiProgramma) -> None:
    aggiunte(ParteAccordo, [
        ParteAccordo(accordo=a, ente_id=p.ente_id, ruolo=p.ruolo, firma_obbligatoria=p.firma_obbligatoria,
                     firmatario_id=p.firmatario_id, impegni=p.impegni, ordine=p.ordine)
        for p in da.parti.all()
    ])
    PopolazioneRiferimento.objects.bulk_create([
        PopolazioneRiferimento(accordo=a, comune_id=p.comune_id, abitanti=p.abitanti) for p in da.popolazioni.all()
    ])
    for voce in da.voci_onere.prefetch_related("importi", "utenti_serviti"):
        nuova = VoceOnere.objects.create(
            accordo=a, denominazione=voce.denominazione, criterio=voce.criterio,
            quota_popolazione=voce.quota_popolazione, quota_utenti=voce.quota_utenti,
            quota_parti_uguali=voce.quota_parti_uguali, ordine=voce.ordine)
        ImportoOnere.objects.bulk_create([ImportoOnere(voce=nuova, anno=i.anno, centesimi=i.centesimi)
                                          for i in voce.importi.all()])
        UtentiServiti.objects.bulk_create([UtentiServiti(voce=nuova, comune_id=u.comune_id, numero=u.numero)
                                           for u in voce.utenti_serviti.all()])


def _popolazioni_dall_anagrafe(accordo: AccordoDiProgramma) -> None:
    PopolazioneRiferimento.objects.bulk_create([
        PopolazioneRiferimento(accordo=accordo, comune=c, abitanti=c.popolazione)
        for c in comuni_del_piano(accordo.piano) if c.popolazione
    ])


def _firmatari_in_carica(ambiti, ruolo: str, enti) -> dict[int, object]:
    """Ente id -> the person holding ``ruolo`` for it today in one of ``ambiti``."""
    from tavoli.selectors import incarichi_in_corso

    risultato: dict[int, object] = {}
    for incarico in (incarichi_in_corso(ruolo=ruolo, ambito__in=ambiti, ente__in=enti, utente__is_active=True)
                     .select_related("utente").order_by("-dal", "pk")):
        risultato.setdefault(incarico.ente_id, incarico.utente)
    return risultato


def _completa_parti(accordo: AccordoDiProgramma) -> None:
    """Every Comune of the plan and the ASL become parties, mandatory signatories, with the
    mayor and the ASL's referent in office as signers (a body missing from the registry of
    bodies is added to it)."""
    piano = accordo.piano
    ambiti = list(piano.ambiti.select_related("asl"))
    presenti = set(accordo.parti.values_list("ente_id", flat=True))
    ordine = accordo.parti.aggregate(m=Max("ordine"))["m"] or 0
    comuni = comuni_del_piano(piano)
    enti_comuni = {e.comune_id: e for e in Ente.objects.filter(comune__in=comuni)}
    for comune in comuni:
        if comune.pk not in enti_comuni:
            enti_comuni[comune.pk], _creato = Ente.objects.get_or_create(comune=comune, defaults={
                "tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {comune.denominazione}"})
    aziende = {a.asl_id: a.asl for a in ambiti}
    enti_asl = {e.asl_id: e for e in Ente.objects.filter(asl_id__in=aziende)}
    for asl_id, asl in aziende.items():
        if asl_id not in enti_asl:
            libero = asl.codice_fiscale and not Ente.objects.filter(codice_fiscale=asl.codice_fiscale).exists()
            enti_asl[asl_id], _creato = Ente.objects.get_or_create(
                asl=asl, defaults={"tipo": Ente.Tipo.ASL, "denominazione": asl.nome,
                                   "codice_fiscale": asl.codice_fiscale if libero else ""})
    sindaci = _firmatari_in_carica(ambiti, Incarico.Ruolo.SINDACO, list(enti_comuni.values()))
    referenti = _firmatari_in_carica(ambiti, Incarico.Ruolo.REFERENTE_ASL, list(enti_asl.values()))
    nuove = []
    for comune in comuni:
        ente = enti_comuni[comune.pk]
        if ente.pk not in presenti:
            ordine += 1
            nuove.append(ParteAccordo(accordo=accordo, ente=ente, ruolo=ParteAccordo.Ruolo.COMUNE,
                                      firma_obbligatoria=True, firmatario=sindaci.get(ente.pk), ordine=ordine))
    for ente in enti_asl.values():
        if ente.pk not in presenti:
            ordine += 1
            nuove.append(ParteAccordo(accordo=accordo, ente=ente, ruolo=ParteAccordo.Ruolo.ASL,
                                      firma_obbligatoria=True, firmatario=referenti.get(ente.pk), ordine=ordine))
    aggiunte(ParteAccordo, nuove)


def capofila_sincronizza(accordo: AccordoDiProgramma) -> AccordoDiProgramma:
    """Take the ente capofila from the latest deliberation of the Assemblea designating it for
    this plan (nothing changes while there is none)."""
    from tavoli.models import TipoDeliberazione
    from tavoli.selectors import deliberazione_passata

    deliberazione = deliberazione_passata(accordo.piano, TipoDeliberazione.DESIGNAZIONE_CAPOFILA)
    if deliberazione is None or deliberazione.ente_capofila_id is None:
        return accordo
    cambiato = (accordo.deliberazione_capofila_id, accordo.ente_capofila_id) != (
        deliberazione.pk, deliberazione.ente_capofila_id)
    accordo.deliberazione_capofila = deliberazione
    accordo.ente_capofila = deliberazione.ente_capofila
    if cambiato:
        # save(), not QuerySet.update(): what reads the Accordo in a cache hears it (post_save).
        accordo.save(update_fields=["deliberazione_capofila", "ente_capofila"])
    return accordo


# --- permissions -----------------------------------------------------------------------------


def _attivo(utente) -> bool:
    return bool(utente is not None and utente.is_authenticated and utente.is_active)


def _ambiti(piano: PianoDiZona) -> list:
    cache = getattr(piano, "_ambiti_accordo", None)
    if cache is None:
        cache = list(piano.ambiti.select_related("asl").order_by("nome", "pk"))
        piano._ambiti_accordo = cache
    return cache


def modificabile(accordo: AccordoDiProgramma) -> bool:
    piano = accordo.piano
    return piano.stato in STATI_MODIFICABILI and accordo.revisione == piano.revisione


def puo_leggere(utente, accordo: AccordoDiProgramma) -> bool:
    return _attivo(utente) and Permessi(utente).legge(_ambiti(accordo.piano))


def puo_gestire(utente, accordo: AccordoDiProgramma) -> bool:
    """The Ufficio di Piano of one of the plan's ambiti (whatever the plan's state)."""
    return _attivo(utente) and Permessi(utente).ha_su_alcuno("gestisci_piano", _ambiti(accordo.piano))


def puo_modificare(utente, accordo: AccordoDiProgramma) -> bool:
    return puo_gestire(utente, accordo) and modificabile(accordo)


def _motivo_blocco(accordo: AccordoDiProgramma) -> str | None:
    piano = accordo.piano
    if accordo.revisione != piano.revisione:
        return _("Questo è l'Accordo di una revisione precedente del piano: resta consultabile ma non si modifica.")
    if piano.stato == Stato.SOTTOSCRIZIONE:
        return _("L'Accordo è alla firma: non si modifica più.")
    if piano.stato == Stato.VIGENTE:
        return _("L'Accordo è in vigore: per cambiarlo si apre un aggiornamento del piano.")
    if piano.stato in STATI_MODIFICABILI:
        return None
    if piano.stato in (Stato.CONCLUSO, Stato.ANNULLATO):
        return _("Il piano è nello stato «%(stato)s»: l'Accordo non si modifica più.") % {
            "stato": piano.get_stato_display()}
    return _("L'Accordo si prepara dalla stesura della bozza in poi: ora il piano è nello stato «%(stato)s».") % {
        "stato": piano.get_stato_display()}


def _scrittura(utente, accordo: AccordoDiProgramma) -> AccordoDiProgramma:
    """Lock the plan row and the Accordo, then check permission and state on the fresh rows."""
    piano = PianoDiZona.objects.select_for_update(of=("self",)).select_related("ciclo").get(pk=accordo.piano_id)
    if not _attivo(utente) or not Permessi(utente).ha_su_alcuno("gestisci_piano", _ambiti(piano)):
        raise PermessoNegato(_("Solo l'Ufficio di Piano modifica l'Accordo di Programma."))
    accordo = AccordoDiProgramma.objects.select_for_update().get(pk=accordo.pk)
    accordo.piano = piano
    motivo = _motivo_blocco(accordo)
    if motivo:
        raise DatiNonValidi(motivo)
    return accordo


def _tocca(accordo: AccordoDiProgramma, utente) -> None:
    accordo.aggiornato_da = utente
    accordo.save(update_fields=["aggiornato_da", "aggiornato_il"])


def _testo(valore, nome: str) -> str:
    testo = (valore or "").strip()
    if len(testo) > MASSIMO_TESTO:
        raise DatiNonValidi(_("«%(campo)s» è troppo lungo: al più %(n)s caratteri.") % {"campo": nome,
                                                                                        "n": MASSIMO_TESTO})
    return testo


# --- the Accordo's own fields ----------------------------------------------------------------


def _d(data: datetime.date) -> str:
    return date_format(data, "d/m/Y")


@transaction.atomic
def accordo_aggiorna(*, accordo: AccordoDiProgramma, utente, data_inizio: datetime.date | None,
                     data_fine: datetime.date | None, modalita_aggiornamento: str,
                     data_popolazione: datetime.date | None) -> AccordoDiProgramma:
    accordo = _scrittura(utente, accordo)
    ciclo = accordo.piano.ciclo
    errori = []
    periodo = {"inizio": _d(ciclo.validita_inizio), "fine": _d(ciclo.validita_fine)}
    if data_inizio is None:
        errori.append(_("Indica la data di inizio dell'Accordo."))
    elif not ciclo.validita_inizio <= data_inizio <= ciclo.validita_fine:
        errori.append(_("La data di inizio (%(d)s) deve cadere nel periodo di validità degli Accordi del ciclo, "
                        "dal %(inizio)s al %(fine)s.") % {"d": _d(data_inizio), **periodo})
    if data_fine is None:
        errori.append(_("Indica la data di fine dell'Accordo."))
    elif not ciclo.validita_inizio <= data_fine <= ciclo.validita_fine:
        errori.append(_("La data di fine (%(d)s) deve cadere nel periodo di validità degli Accordi del ciclo, "
                        "dal %(inizio)s al %(fine)s.") % {"d": _d(data_fine), **periodo})
    if data_inizio and data_fine and data_fine < data_inizio:
        errori.append(_("La data di fine non può precedere la data di inizio."))
    if data_popolazione and data_popolazione > timezone.localdate():
        errori.append(_("La data di riferimento della popolazione non può essere nel futuro."))
    try:
        modalita = _testo(modalita_aggiornamento, _("Modalità di aggiornamento"))
    except DatiNonValidi as exc:
        errori.extend(exc.messaggi)
    if errori:
        raise DatiNonValidi(*errori)
    accordo.data_inizio = data_inizio
    accordo.data_fine = data_fine
    accordo.modalita_aggiornamento = modalita
    accordo.data_popolazione = data_popolazione
    accordo.aggiornato_da = utente
    accordo.save(update_fields=["data_inizio", "data_fine", "modalita_aggiornamento", "data_popolazione",
                                "aggiornato_da", "aggiornato_il"])
    return accordo


# --- parties ---------------------------------------------------------------------------------


def _parte_dell_accordo(parte: ParteAccordo, accordo: AccordoDiProgramma) -> ParteAccordo:
    parte = (ParteAccordo.objects.select_for_update(of=("self",)).select_related("ente")
             .filter(pk=parte.pk, accordo=accordo).first())
    if parte is None:
        raise PermessoNegato(_("Questa parte non appartiene all'Accordo."))
    return parte


@transaction.atomic
def parte_aggiorna(*, parte: ParteAccordo, utente, impegni: str, firmatario=INVARIATO) -> ParteAccordo:
    """The party's impegni and, when given (None: nobody yet), the person who signs for it."""
    accordo = _scrittura(utente, parte.accordo)
    parte = _parte_dell_accordo(parte, accordo)
    parte.impegni = _testo(impegni, _("Impegni"))
    campi = ["impegni"]
    if firmatario is not INVARIATO:
        if firmatario is not None:
            errori = []
            if not firmatario.is_active:
                errori.append(_("%(p)s non è un utente attivo: non può firmare l'Accordo.") % {"p": firmatario})
            if not firmatario.codice_fiscale:
                errori.append(_("%(p)s non ha un codice fiscale registrato: non si potrebbe verificarne la firma.")
                              % {"p": firmatario})
            if errori:
                raise DatiNonValidi(*errori)
        parte.firmatario = firmatario
        campi.append("firmatario")
    parte.save(update_fields=campi)
    _tocca(accordo, utente)
    return parte


# Public bodies that may be parties besides the Comuni of the plan and the ASL.
_ENTI_PUBBLICI = (Ente.Tipo.ALTRO_PUBBLICO, Ente.Tipo.AZIENDA_CONSORTILE, Ente.Tipo.COMUNE, Ente.Tipo.ASL)


@transaction.atomic
def parte_aggiungi(*, accordo: AccordoDiProgramma, utente, ente: Ente, ruolo: str,
                   firma_obbligatoria: bool) -> ParteAccordo:
    """Add the Provincia (always a mandatory signatory) or another public body."""
    accordo = _scrittura(utente, accordo)
    R = ParteAccordo.Ruolo
    if ruolo not in (R.PROVINCIA, R.ALTRO_PUBBLICO):
        raise DatiNonValidi(_("I Comuni del piano e l'ASL sono già parti dell'Accordo: qui si aggiungono la "
                              "Provincia o altri enti pubblici."))
    if ente.tipo == Ente.Tipo.TERZO_SETTORE:
        raise DatiNonValidi(_("Gli enti del Terzo Settore aderiscono all'Accordo con una richiesta di adesione: non "
                              "ne sono parti."))
    if ruolo == R.PROVINCIA:
        if ente.tipo != Ente.Tipo.PROVINCIA:
            raise DatiNonValidi(_("«%(e)s» non è una Provincia.") % {"e": ente})
        firma_obbligatoria = True
    elif ente.tipo == Ente.Tipo.PROVINCIA:
        raise DatiNonValidi(_("«%(e)s» è una Provincia: aggiungila con il ruolo «Provincia».") % {"e": ente})
    elif ente.tipo not in _ENTI_PUBBLICI:
        raise DatiNonValidi(_("«%(e)s» non è un ente pubblico: le parti dell'Accordo sono enti pubblici.")
                            % {"e": ente})
    if ParteAccordo.objects.filter(accordo=accordo, ente=ente).exists():
        raise DatiNonValidi(_("«%(e)s» è già parte dell'Accordo.") % {"e": ente})
    ordine = (accordo.parti.aggregate(m=Max("ordine"))["m"] or 0) + 1
    parte = ParteAccordo.objects.create(accordo=accordo, ente=ente, ruolo=ruolo,
                                        firma_obbligatoria=bool(firma_obbligatoria), ordine=ordine)
    _tocca(accordo, utente)
    return parte


@transaction.atomic
def parte_rimuovi(*, parte: ParteAccordo, utente) -> None:
    accordo = _scrittura(utente, parte.accordo)
    parte = _parte_dell_accordo(parte, accordo)
    if parte.ruolo == ParteAccordo.Ruolo.COMUNE and parte.ente.comune_id in {c.pk for c in
                                                                            comuni_del_piano(accordo.piano)}:
        raise DatiNonValidi(_("%(e)s fa parte del piano: è parte necessaria dell'Accordo e non si può togliere.")
                            % {"e": parte.ente})
    if parte.ruolo == ParteAccordo.Ruolo.ASL and parte.ente.asl_id in {a.asl_id for a in _ambiti(accordo.piano)}:
        raise DatiNonValidi(_("L'azienda sanitaria del piano è parte necessaria dell'Accordo e non si può togliere."))
    parte.delete()
    _tocca(accordo, utente)


# --- reference population --------------------------------------------------------------------


def _intero(valore) -> int | None:
    if isinstance(valore, bool):
        return None
    if isinstance(valore, int):
        return valore
    if not isinstance(valore, str):
        return None
    try:
        return int(valore.strip().replace(".", ""))  # "12.345" as the Italian way of writing 12345
    except ValueError:
        return None


@transaction.atomic
def popolazioni_aggiorna(*, accordo: AccordoDiProgramma, utente, abitanti: Mapping[int, int | None]) -> None:
    """Set each Comune's inhabitants at the reference date (comune id -> number; None or an
    empty value removes it)."""
    accordo = _scrittura(utente, accordo)
    comuni = {c.pk: c for c in comuni_del_piano(accordo.piano)}
    errori = []
    valori: dict[int, int | None] = {}
    for chiave, valore in abitanti.items():
        comune = comuni.get(_intero(chiave))
        if comune is None:
            errori.append(_("Uno dei Comuni indicati non fa parte del piano."))
            continue
        if valore is None or str(valore).strip() == "":
            valori[comune.pk] = None
            continue
        numero = _intero(valore)
        if numero is None or numero <= 0:
            errori.append(_("La popolazione di %(c)s deve essere un numero intero positivo.")
                          % {"c": comune.denominazione})
            continue
        valori[comune.pk] = numero
    if errori:
        raise DatiNonValidi(*dict.fromkeys(errori))
    esistenti = {p.comune_id: p for p in accordo.popolazioni.all()}
    da_aggiornare, da_creare, da_togliere = [], [], []
    for comune_id, numero in valori.items():
        riga = esistenti.get(comune_id)
        if numero is None:
            if riga is not None:
                da_togliere.append(riga.pk)
        elif riga is None:
            da_creare.append(PopolazioneRiferimento(accordo=accordo, comune_id=comune_id, abitanti=numero))
        elif riga.abitanti != numero:
            riga.abitanti = numero
            da_aggiornare.append(riga)
    PopolazioneRiferimento.objects.filter(pk__in=da_togliere).delete()
    PopolazioneRiferimento.objects.bulk_create(da_creare)
    PopolazioneRiferimento.objects.bulk_update(da_aggiornare, ["abitanti"])
    _tocca(accordo, utente)


# --- cost items ------------------------------------------------------------------------------


@transaction.atomic
def voce_salva(*, accordo: AccordoDiProgramma, utente, voce: VoceOnere | None = None, denominazione: str,
               criterio: str, quota_popolazione: int, quota_utenti: int, quota_parti_uguali: int,
               importi: Mapping[int, int], utenti: Mapping[int, int]) -> VoceOnere:
    """Create or change a cost item: its rule, its totals per year (cents; they replace the
    previous ones) and the users served per Comune (they replace the previous ones). A rule
    per inhabitant is 100% by population whatever the percentages given."""
    accordo = _scrittura(utente, accordo)
    if voce is not None:
        voce = VoceOnere.objects.select_for_update().filter(pk=voce.pk, accordo=accordo).first()
        if voce is None:
            raise PermessoNegato(_("Questa voce di costo non appartiene all'Accordo."))
    ciclo = accordo.piano.ciclo
    errori = []
    denominazione = (denominazione or "").strip()
    if not denominazione:
        errori.append(_("Indica la voce di costo (per esempio «Servizio di assistenza domiciliare»)."))
    elif len(denominazione) > 200:
        errori.append(_("Il nome della voce di costo è troppo lungo: al più 200 caratteri."))
    if criterio not in VoceOnere.Criterio.values:
        errori.append(_("Scegli il criterio di ripartizione."))
    if criterio == VoceOnere.Criterio.PER_ABITANTE:
        quote = (CENTO_PER_CENTO, 0, 0)
    else:
        quote = tuple(_intero(q) for q in (quota_popolazione, quota_utenti, quota_parti_uguali))
        if any(q is None or not 0 <= q <= CENTO_PER_CENTO for q in quote):
            errori.append(_("Le percentuali devono essere numeri tra 0 e 100."))
        elif sum(quote) != CENTO_PER_CENTO:
            errori.append(_("Le percentuali devono sommare a 100: ora sommano a %(s)s.")
                          % {"s": percentuale_testo(sum(quote))})

    anni = range(ciclo.anno_inizio, ciclo.anno_fine + 1)
    per_anno: dict[int, int] = {}
    for chiave, valore in importi.items():
        anno, centesimi = _intero(chiave), _intero(valore) if valore not in (None, "") else 0
        if anno not in anni:
            errori.append(_("L'anno %(a)s è fuori dal ciclo %(i)s-%(f)s.") % {
                "a": chiave, "i": ciclo.anno_inizio, "f": ciclo.anno_fine})
        elif centesimi is None or centesimi < 0:
            errori.append(_("L'importo del %(a)s non è valido: deve essere un importo non negativo.") % {"a": anno})
        else:
            per_anno[anno] = centesimi
    if not any(per_anno.values()):
        errori.append(_("Indica l'importo di almeno un anno."))

    comuni = {c.pk: c for c in comuni_del_piano(accordo.piano)}
    per_comune: dict[int, int] = {}
    for chiave, valore in utenti.items():
        comune = comuni.get(_intero(chiave))
        numero = _intero(valore) if valore not in (None, "") else 0
        if comune is None:
            errori.append(_("Gli utenti serviti riguardano un Comune che non fa parte del piano."))
        elif numero is None or numero < 0:
            errori.append(_("Gli utenti serviti di %(c)s devono essere un numero intero non negativo.")
                          % {"c": comune.denominazione})
        else:
            per_comune[comune.pk] = numero
    if not errori and quote[1] and not any(per_comune.values()):
        errori.append(_("Indica gli utenti serviti in ciascun Comune: la voce ne ripartisce il %(p)s%% in proporzione "
                        "agli utenti.") % {"p": percentuale_testo(quote[1])})
    if errori:
        raise DatiNonValidi(*dict.fromkeys(errori))

    if voce is None:
        ordine = (accordo.voci_onere.aggregate(m=Max("ordine"))["m"] or 0) + 1
        voce = VoceOnere(accordo=accordo, ordine=ordine)
    voce.denominazione = denominazione
    voce.criterio = criterio
    voce.quota_popolazione, voce.quota_utenti, voce.quota_parti_uguali = quote
    voce.save()
    voce.importi.all().delete()
    ImportoOnere.objects.bulk_create([ImportoOnere(voce=voce, anno=a, centesimi=c)
                                      for a, c in sorted(per_anno.items()) if c])
    voce.utenti_serviti.all().delete()
    UtentiServiti.objects.bulk_create([UtentiServiti(voce=voce, comune_id=pk, numero=n)
                                       for pk, n in per_comune.items() if n])
    _tocca(accordo, utente)
    return voce


@transaction.atomic
def voce_elimina(*, voce: VoceOnere, utente) -> None:
    accordo = _scrittura(utente, voce.accordo)
    voce = VoceOnere.objects.select_for_update().filter(pk=voce.pk, accordo=accordo).first()
    if voce is None:
        raise PermessoNegato(_("Questa voce di costo non appartiene all'Accordo."))
    voce.delete()
    _tocca(accordo, utente)


# --- the act to sign --------------------------------------------------------------------------


@transaction.atomic
def accordo_genera_atto(*, accordo: AccordoDiProgramma, utente) -> Documento:
    """The Accordo's PDF act, once the signatures are open: numbered, sealed and kept in
    ``accordo.documento``. Asking again returns the same act (and retries a failed rendering):
    the text being signed never changes under the signers."""
    from .services_documenti import _accoda, atto_richiedi

    piano = PianoDiZona.objects.select_for_update(of=("self",)).select_related("ciclo").get(pk=accordo.piano_id)
    ambiti = _ambiti(piano)
    if not _attivo(utente) or not Permessi(utente).ha_su_alcuno("gestisci_piano", ambiti):
        raise PermessoNegato(_("Solo l'Ufficio di Piano genera il testo dell'Accordo da firmare."))
    accordo = AccordoDiProgramma.objects.select_for_update(of=("self",)).select_related("documento").get(pk=accordo.pk)
    accordo.piano = piano
    if accordo.revisione != piano.revisione:
        raise DatiNonValidi(_("Questo è l'Accordo di una revisione precedente del piano: il suo testo non si genera "
                              "più."))
    if piano.stato != Stato.SOTTOSCRIZIONE:
        raise DatiNonValidi(_("Il testo dell'Accordo da firmare si genera quando il piano è nello stato "
                              "«%(sottoscrizione)s»; ora è nello stato «%(stato)s».")
                            % {"sottoscrizione": Stato.SOTTOSCRIZIONE.label, "stato": piano.get_stato_display()})
    if accordo.documento is not None:
        documento = accordo.documento
        if documento.stato == Documento.Stato.ERRORE:
            transaction.on_commit(lambda: _accoda(documento.pk))
        return documento
    capofila_sincronizza(accordo)
    versione = Documento.objects.filter(piano=piano, tipo=Documento.Tipo.ACCORDO).count() + 1
    documento = atto_richiedi(
        tipo=Documento.Tipo.ACCORDO, ambito=ambiti[0], piano=piano, utente=utente, versione=versione,
        titolo=_("Accordo di Programma – %(piano)s") % {"piano": piano.titolo},
        chiave=f"accordo:{accordo.pk}:r{accordo.revisione}:v{versione}",
    )
    accordo.documento = documento
    accordo.aggiornato_da = utente
    accordo.save(update_fields=["documento", "aggiornato_da", "aggiornato_il"])
    return documento


def firmatari_dell_accordo(documento: Documento) -> list[tuple]:
    """(person, body, mandatory) for each party of the Accordo the act belongs to, in the
    parties' order: the signer named for the party, else the person in office for the body
    (the mayor, the ASL's referent). Parties without anybody to sign are left out (the Ufficio
    di Piano adds them before asking)."""
    from tavoli.selectors import incarichi_in_corso

    legato = documento.pk and AccordoDiProgramma.objects.select_related("piano").filter(documento=documento).first()
    accordo = legato or accordo_di(documento.piano)
    parti = list(ParteAccordo.objects.filter(accordo=accordo).select_related("ente", "firmatario")
                 .order_by("ordine", "pk"))
    senza = [p.ente_id for p in parti if p.firmatario_id is None]
    in_carica: dict[int, object] = {}
    if senza:
        ruoli = [Incarico.Ruolo.SINDACO, Incarico.Ruolo.REFERENTE_ASL]
        for incarico in (incarichi_in_corso(ente_id__in=senza, ruolo__in=ruoli, ambito__in=_ambiti(accordo.piano),
                                            utente__is_active=True)
                         .select_related("utente").order_by("-dal", "pk")):
            in_carica.setdefault(incarico.ente_id, incarico.utente)
    proposti, visti = [], set()
    for parte in parti:
        persona = parte.firmatario or in_carica.get(parte.ente_id)
        if persona is None or persona.pk in visti:
            continue
        visti.add(persona.pk)
        proposti.append((persona, parte.ente, parte.firma_obbligatoria))
    return proposti
