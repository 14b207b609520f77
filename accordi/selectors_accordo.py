"""Reading the Accordo di Programma: the cost sharing per Comune and year (table and CSV), what
is still missing before it goes to signature, and its adherents. Each function reads in a
fixed number of queries, whatever the number of Comuni, parties and cost items."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambiti.models import Comune

from .models import (
    CENTO_PER_CENTO,
    AccordoDiProgramma,
    ImportoOnere,
    ParteAccordo,
    PianoDiZona,
    RichiestaAdesione,
    RisorsaAdesione,
    StatoAdesione,
    UtentiServiti,
    VoceOnere,
)
from .ripartizione import percentuale_testo, ripartisci_voce
from .selectors_contenuto import euro


def comuni_del_piano(piano: PianoDiZona) -> list[Comune]:
    """Every Comune of the plan's ambiti, by name."""
    return list(Comune.objects.filter(ambiti__piani=piano).select_related("provincia").distinct()
                .order_by("denominazione", "pk"))


def parti_dell_accordo(accordo: AccordoDiProgramma) -> QuerySet[ParteAccordo]:
    """The parties in their order, with the body and the person who signs for it."""
    return (ParteAccordo.objects.filter(accordo=accordo)
            .select_related("ente", "ente__comune", "ente__asl", "ente__provincia", "firmatario")
            .order_by("ordine", "pk"))


def voci_dell_accordo(accordo: AccordoDiProgramma) -> QuerySet[VoceOnere]:
    """The cost items in their order, with their yearly totals and users served."""
    return (VoceOnere.objects.filter(accordo=accordo)
            .prefetch_related(Prefetch("importi", queryset=ImportoOnere.objects.order_by("anno")),
                              Prefetch("utenti_serviti", queryset=UtentiServiti.objects.order_by("comune_id")))
            .order_by("ordine", "pk"))


def popolazioni_dell_accordo(accordo: AccordoDiProgramma) -> dict[int, int]:
    """Comune id -> inhabitants at the Accordo's reference date."""
    return dict(accordo.popolazioni.values_list("comune_id", "abitanti"))


# --- the cost sharing ------------------------------------------------------------------------


@dataclass
class RigaComune:
    """A Comune's line of a table: its amounts aligned with ``Ripartizione.anni``."""

    comune: Comune
    importi: list[int]
    totale: int

    @property
    def importi_euro(self) -> list[str]:
        return [euro(i) for i in self.importi]

    @property
    def totale_euro(self) -> str:
        return euro(self.totale)


@dataclass
class RigaVoce:
    """One cost item split among the Comuni. ``quote`` is empty when the item cannot be split
    (``errore`` says why, e.g. users served missing)."""

    voce: VoceOnere
    criterio_testo: str
    regola: str
    totali: dict[int, int]
    quote: dict[int, dict[int, int]]
    errore: str | None = None
    righe: list[RigaComune] = field(default_factory=list)
    colonne_totali: list[int] = field(default_factory=list)

    @property
    def totale(self) -> int:
        return sum(self.totali.values())

    @property
    def totale_euro(self) -> str:
        return euro(self.totale)

    @property
    def colonne_totali_euro(self) -> list[str]:
        return [euro(t) for t in self.colonne_totali]


@dataclass
class Ripartizione:
    """The cost sharing of an Accordo: per item, and summed per Comune and year over the items
    that could be split. Every quota adds up exactly to the totals, in cents."""

    anni: list[int]
    comuni: list[Comune]
    voci: list[RigaVoce]
    totali_comune: dict[int, dict[int, int]]
    totale_comune: dict[int, int]
    totali_anno: dict[int, int]
    totale: int
    popolazione: dict[int, int]
    data_popolazione: object = None
    righe: list[RigaComune] = field(default_factory=list)

    @property
    def errori(self) -> list[RigaVoce]:
        return [r for r in self.voci if r.errore]

    @property
    def colonne_totali_euro(self) -> list[str]:
        return [euro(self.totali_anno[a]) for a in self.anni]

    @property
    def totale_euro(self) -> str:
        return euro(self.totale)

    @property
    def popolazione_totale(self) -> int:
        return sum(self.popolazione.get(c.pk, 0) for c in self.comuni)

    @property
    def righe_popolazione(self) -> list[tuple[Comune, int | None, str]]:
        """(Comune, inhabitants or None, share of the total as «12,34»), for a table."""
        totale = self.popolazione_totale
        righe = []
        for comune in self.comuni:
            abitanti = self.popolazione.get(comune.pk)
            quota = Decimal(abitanti or 0) * 100 / totale if totale else Decimal(0)
            righe.append((comune, abitanti, number_format(quota.quantize(Decimal("0.01")), 2)))
        return righe


def criterio_testo(voce: VoceOnere) -> str:
    """The rule in a short sentence, e.g. «60% per popolazione, 30% per utenti serviti, 10% in
    parti uguali»."""
    if voce.criterio == VoceOnere.Criterio.PER_ABITANTE:
        return _("Per abitante (in proporzione alla popolazione)")
    parti = []
    if voce.quota_popolazione:
        parti.append(_("%(p)s%% per popolazione") % {"p": percentuale_testo(voce.quota_popolazione)})
    if voce.quota_utenti:
        parti.append(_("%(p)s%% per utenti serviti") % {"p": percentuale_testo(voce.quota_utenti)})
    if voce.quota_parti_uguali:
        parti.append(_("%(p)s%% in parti uguali") % {"p": percentuale_testo(voce.quota_parti_uguali)})
    return ", ".join(parti)


def regola_in_parole(voce: VoceOnere, data_popolazione, numero_comuni: int) -> str:
    """The rule as the Accordo states it."""
    data = date_format(data_popolazione, "d/m/Y") if data_popolazione else None
    if voce.criterio == VoceOnere.Criterio.PER_ABITANTE:
        if data:
            return _("ripartita per abitante, in proporzione alla popolazione residente in ciascun Comune al "
                     "%(data)s.") % {"data": data}
        return _("ripartita per abitante, in proporzione alla popolazione residente in ciascun Comune.")
    parti = []
    if voce.quota_popolazione:
        if data:
            parti.append(_("il %(p)s%% in proporzione alla popolazione residente al %(data)s")
                         % {"p": percentuale_testo(voce.quota_popolazione), "data": data})
        else:
            parti.append(_("il %(p)s%% in proporzione alla popolazione residente")
                         % {"p": percentuale_testo(voce.quota_popolazione)})
    if voce.quota_utenti:
        parti.append(_("il %(p)s%% in proporzione agli utenti serviti in ciascun Comune")
                     % {"p": percentuale_testo(voce.quota_utenti)})
    if voce.quota_parti_uguali:
        parti.append(ngettext("il %(p)s%% in parti uguali tra i Comuni (%(n)d Comune)",
                              "il %(p)s%% in parti uguali tra i %(n)d Comuni", numero_comuni)
                     % {"p": percentuale_testo(voce.quota_parti_uguali), "n": numero_comuni})
    return _("ripartita con criterio misto: %(parti)s.") % {"parti": "; ".join(parti)}


def _errore_voce(voce: VoceOnere, comuni: list[Comune], popolazione: dict[int, int],
                 utenti: dict[int, int]) -> str | None:
    somma = voce.quota_popolazione + voce.quota_utenti + voce.quota_parti_uguali
    if somma != CENTO_PER_CENTO:
        return _("Le percentuali sommano a %(s)s%%, non a 100%%.") % {"s": percentuale_testo(somma)}
    if not comuni:
        return _("Il piano non ha Comuni tra cui ripartire gli oneri.")
    if voce.quota_popolazione:
        senza = [c.denominazione for c in comuni if not popolazione.get(c.pk)]
        if senza:
            return ngettext("Manca la popolazione di riferimento del Comune di %(c)s.",
                            "Manca la popolazione di riferimento dei Comuni di %(c)s.", len(senza)) % {
                "c": ", ".join(senza)}
    if voce.quota_utenti and not any(utenti.get(c.pk) for c in comuni):
        return _("Mancano gli utenti serviti per Comune, necessari per la quota per utenti serviti.")
    return None


def ripartizione(accordo: AccordoDiProgramma) -> Ripartizione:
    """Every cost item split among the plan's Comuni, year by year (largest remainder: each
    item's quotas add up exactly to its totals), and the sums per Comune."""
    piano = accordo.piano
    ciclo = piano.ciclo
    comuni = comuni_del_piano(piano)
    popolazione = popolazioni_dell_accordo(accordo)
    voci = list(voci_dell_accordo(accordo))
    anni = sorted(set(range(ciclo.anno_inizio, ciclo.anno_fine + 1))
                  | {i.anno for v in voci for i in v.importi.all()})
    ids = [c.pk for c in comuni]
    pesi_popolazione = {pk: popolazione.get(pk, 0) for pk in ids}
    totali_comune = {pk: dict.fromkeys(anni, 0) for pk in ids}
    totali_anno = dict.fromkeys(anni, 0)
    righe_voci = []
    for voce in voci:
        totali = dict.fromkeys(anni, 0)
        for importo in voce.importi.all():
            totali[importo.anno] = importo.centesimi
        utenti = {u.comune_id: u.numero for u in voce.utenti_serviti.all() if u.comune_id in totali_comune}
        errore = _errore_voce(voce, comuni, popolazione, utenti)
        quote: dict[int, dict[int, int]] = {}
        if errore is None:
            try:
                per_anno = {
                    anno: ripartisci_voce(
                        totali[anno], quote=(voce.quota_popolazione, voce.quota_utenti, voce.quota_parti_uguali),
                        popolazione=pesi_popolazione, utenti=utenti)
                    for anno in anni
                }
            except ValueError as exc:
                errore = str(exc)
            else:
                quote = {pk: {anno: per_anno[anno][pk] for anno in anni} for pk in ids}
        riga = RigaVoce(voce=voce, criterio_testo=criterio_testo(voce),
                        regola=regola_in_parole(voce, accordo.data_popolazione, len(comuni)),
                        totali=totali, quote=quote, errore=errore,
                        colonne_totali=[totali[a] for a in anni])
        if errore is None:
            for comune in comuni:
                importi = [quote[comune.pk][a] for a in anni]
                riga.righe.append(RigaComune(comune=comune, importi=importi, totale=sum(importi)))
                for anno in anni:
                    totali_comune[comune.pk][anno] += quote[comune.pk][anno]
            for anno in anni:
                totali_anno[anno] += totali[anno]
        righe_voci.append(riga)
    risultato = Ripartizione(
        anni=anni, comuni=comuni, voci=righe_voci, totali_comune=totali_comune,
        totale_comune={pk: sum(per_anno.values()) for pk, per_anno in totali_comune.items()},
        totali_anno=totali_anno, totale=sum(totali_anno.values()), popolazione=popolazione,
        data_popolazione=accordo.data_popolazione,
    )
    risultato.righe = [RigaComune(comune=c, importi=[totali_comune[c.pk][a] for a in anni],
                                  totale=risultato.totale_comune[c.pk]) for c in comuni]
    return risultato


def _importo_csv(centesimi: int) -> str:
    segno = "-" if centesimi < 0 else ""
    intero, cent = divmod(abs(centesimi), 100)
    return f"{segno}{intero},{cent:02d}"


def _testo_csv(valore) -> str:
    """A cell a spreadsheet must not read as a formula."""
    testo = str(valore)
    return "'" + testo if testo[:1] in ("=", "+", "-", "@", "\t", "\r") else testo


def ripartizione_csv(accordo: AccordoDiProgramma) -> str:
    """The cost sharing as CSV for a spreadsheet in Italian: UTF-8 with BOM, ';' as separator,
    decimal comma. One row per cost item, Comune and year, each item's totals, then every
    Comune's sum over the items and the grand totals."""
    dati = ripartizione(accordo)
    uscita = io.StringIO()
    scrivi = csv.writer(uscita, delimiter=";", lineterminator="\r\n").writerow
    scrivi([_("Voce di costo"), _("Criterio"), _("Comune"), _("Codice ISTAT"), _("Anno"), _("Importo (euro)")])
    for riga in dati.voci:
        voce, criterio = _testo_csv(riga.voce.denominazione), _testo_csv(riga.criterio_testo)
        if riga.errore:
            for anno in dati.anni:
                scrivi([voce, criterio, _testo_csv(_("Non ripartita: %(e)s") % {"e": riga.errore}), "", anno,
                        _importo_csv(riga.totali[anno])])
            continue
        for comune in dati.comuni:
            for anno in dati.anni:
                scrivi([voce, criterio, _testo_csv(comune.denominazione), comune.codice_istat, anno,
                        _importo_csv(riga.quote[comune.pk][anno])])
        for anno in dati.anni:
            scrivi([voce, criterio, _("Totale della voce"), "", anno, _importo_csv(riga.totali[anno])])
    for comune in dati.comuni:
        for anno in dati.anni:
            scrivi([_("Tutte le voci"), "", _testo_csv(comune.denominazione), comune.codice_istat, anno,
                    _importo_csv(dati.totali_comune[comune.pk][anno])])
    for anno in dati.anni:
        scrivi([_("Tutte le voci"), "", _("Totale"), "", anno, _importo_csv(dati.totali_anno[anno])])
    return "\ufeff" + uscita.getvalue()


# --- what is missing before signature --------------------------------------------------------


def _nomi(parti) -> str:
    return ", ".join(p.ente.denominazione for p in parti)


def mancanze(accordo: AccordoDiProgramma) -> list[str]:
    """What the Accordo still lacks to go to signature, in Italian, naming each missing piece
    (empty when complete): the ente capofila, every Comune of the plan and the ASL among the
    parties, each party's impegni and (for the mandatory signatories) a signer with a codice
    fiscale, the cost items with amounts inside the cycle, percentages adding to 100, the
    population and the users served their rule needs, dates inside the cycle."""
    piano = accordo.piano
    ciclo = piano.ciclo
    elenco: list[str] = []
    if accordo.ente_capofila_id is None:
        elenco.append(_("Manca l'ente capofila: l'Assemblea dei Sindaci deve designarlo con deliberazione."))

    comuni = comuni_del_piano(piano)
    parti = list(parti_dell_accordo(accordo))
    comuni_parti = {p.ente.comune_id for p in parti if p.ente.comune_id}
    assenti = [c.denominazione for c in comuni if c.pk not in comuni_parti]
    if assenti:
        elenco.append(ngettext("Il Comune di %(c)s non è tra le parti dell'Accordo.",
                               "I Comuni di %(c)s non sono tra le parti dell'Accordo.", len(assenti))
                      % {"c": ", ".join(assenti)})
    asl_parti = {p.ente.asl_id for p in parti if p.ente.asl_id}
    for asl in {a.asl for a in piano.ambiti.select_related("asl")}:
        if asl.pk not in asl_parti:
            elenco.append(_("L'azienda sanitaria %(asl)s non è tra le parti dell'Accordo.") % {"asl": asl.nome})

    senza_impegni = [p for p in parti if not p.impegni.strip()]
    if senza_impegni:
        elenco.append(ngettext("Mancano gli impegni di questa parte: %(p)s.",
                               "Mancano gli impegni di queste parti: %(p)s.", len(senza_impegni))
                      % {"p": _nomi(senza_impegni)})
    obbligatorie = [p for p in parti if p.firma_obbligatoria]
    senza_firmatario = [p for p in obbligatorie if p.firmatario_id is None]
    if senza_firmatario:
        elenco.append(ngettext("Manca chi firma per questa parte: %(p)s.",
                               "Manca chi firma per queste parti: %(p)s.", len(senza_firmatario))
                      % {"p": _nomi(senza_firmatario)})
    for parte in obbligatorie:
        if parte.firmatario_id and not parte.firmatario.codice_fiscale:
            elenco.append(_("%(persona)s, che firma per %(parte)s, non ha un codice fiscale registrato: non si "
                            "potrebbe verificarne la firma.") % {"persona": parte.firmatario,
                                                                "parte": parte.ente.denominazione})
    doppi = Counter(p.firmatario_id for p in parti if p.firmatario_id)
    for parte in parti:
        if parte.firmatario_id and doppi[parte.firmatario_id] > 1:
            stesse = [p for p in parti if p.firmatario_id == parte.firmatario_id]
            elenco.append(_("%(persona)s è indicato come firmatario di più parti (%(p)s): ogni parte firma con "
                            "il proprio rappresentante.") % {"persona": parte.firmatario, "p": _nomi(stesse)})
            doppi[parte.firmatario_id] = 0

    voci = list(voci_dell_accordo(accordo))
    if not voci:
        elenco.append(_("Manca la ripartizione degli oneri: aggiungi almeno una voce di costo."))
    anni_ciclo = range(ciclo.anno_inizio, ciclo.anno_fine + 1)
    for voce in voci:
        somma = voce.quota_popolazione + voce.quota_utenti + voce.quota_parti_uguali
        if somma != CENTO_PER_CENTO:
            elenco.append(_("Le percentuali della voce «%(v)s» sommano a %(s)s%%, non a 100%%.")
                          % {"v": voce.denominazione, "s": percentuale_testo(somma)})
        importi = list(voce.importi.all())
        if not any(i.centesimi for i in importi):
            elenco.append(_("La voce «%(v)s» non ha importi: indica il totale di almeno un anno.")
                          % {"v": voce.denominazione})
        fuori = sorted(i.anno for i in importi if i.anno not in anni_ciclo)
        if fuori:
            elenco.append(ngettext("La voce «%(v)s» ha un importo per il %(a)s, fuori dal ciclo %(i)s-%(f)s.",
                                   "La voce «%(v)s» ha importi per gli anni %(a)s, fuori dal ciclo %(i)s-%(f)s.",
                                   len(fuori))
                          % {"v": voce.denominazione, "a": ", ".join(map(str, fuori)), "i": ciclo.anno_inizio,
                             "f": ciclo.anno_fine})
        if voce.quota_utenti:
            ids = {c.pk for c in comuni}
            if not any(u.numero for u in voce.utenti_serviti.all() if u.comune_id in ids):
                elenco.append(_("Per la voce «%(v)s» indica gli utenti serviti in ciascun Comune: ne ripartisce il "
                                "%(p)s%% in proporzione agli utenti.")
                              % {"v": voce.denominazione, "p": percentuale_testo(voce.quota_utenti)})
    if any(v.quota_popolazione for v in voci):
        if accordo.data_popolazione is None:
            elenco.append(_("Indica la data di riferimento della popolazione usata per la ripartizione."))
        popolazione = popolazioni_dell_accordo(accordo)
        senza = [c.denominazione for c in comuni if not popolazione.get(c.pk)]
        if senza:
            elenco.append(ngettext("Manca la popolazione di riferimento del Comune di %(c)s.",
                                   "Manca la popolazione di riferimento dei Comuni di %(c)s.", len(senza))
                          % {"c": ", ".join(senza)})

    elenco.extend(mancanze_date(accordo))
    return elenco


def mancanze_date(accordo: AccordoDiProgramma) -> list[str]:
    ciclo = accordo.piano.ciclo
    elenco = []
    periodo = {"inizio": date_format(ciclo.validita_inizio, "d/m/Y"), "fine": date_format(ciclo.validita_fine, "d/m/Y")}
    if accordo.data_inizio is None:
        elenco.append(_("Indica la data di inizio dell'Accordo."))
    elif not ciclo.validita_inizio <= accordo.data_inizio <= ciclo.validita_fine:
        elenco.append(_("La data di inizio dell'Accordo (%(d)s) è fuori dal periodo di validità del ciclo, dal "
                        "%(inizio)s al %(fine)s.") % {"d": date_format(accordo.data_inizio, "d/m/Y"), **periodo})
    if accordo.data_fine is None:
        elenco.append(_("Indica la data di fine dell'Accordo."))
    elif not ciclo.validita_inizio <= accordo.data_fine <= ciclo.validita_fine:
        elenco.append(_("La data di fine dell'Accordo (%(d)s) è fuori dal periodo di validità del ciclo, dal "
                        "%(inizio)s al %(fine)s.") % {"d": date_format(accordo.data_fine, "d/m/Y"), **periodo})
    if accordo.data_inizio and accordo.data_fine and accordo.data_fine < accordo.data_inizio:
        elenco.append(_("La data di fine dell'Accordo precede la data di inizio."))
    return elenco


# --- the adherents ---------------------------------------------------------------------------


@dataclass
class TotaleRisorse:
    tipo: str
    etichetta: str
    quantita: Decimal
    valore: int

    @property
    def valore_euro(self) -> str:
        return euro(self.valore)


@dataclass
class Aderenti:
    """The Terzo Settore bodies whose adesione is signed, with their resources, and the value
    of what they bring by kind of resource."""

    richieste: list[RichiestaAdesione]
    totali: list[TotaleRisorse]
    valore_totale: int

    def __iter__(self):
        return iter(self.richieste)

    def __len__(self):
        return len(self.richieste)

    def __bool__(self):
        return bool(self.richieste)

    @property
    def valore_totale_euro(self) -> str:
        return euro(self.valore_totale)


def aderenti(accordo: AccordoDiProgramma) -> Aderenti:
    """Requests in state «sottoscritta», by body name, each with ``valore_centesimi`` /
    ``valore_euro`` (the value of what it brings) and its resources with ``valore_euro``."""
    richieste = list(
        RichiestaAdesione.objects.filter(accordo=accordo, stato=StatoAdesione.SOTTOSCRITTA)
        .select_related("ente")
        .prefetch_related(Prefetch("risorse", queryset=RisorsaAdesione.objects.order_by("tipo", "pk")))
        .order_by("ente__denominazione", "pk")
    )
    quantita: dict[str, Decimal] = {}
    valori: dict[str, int] = {}
    for richiesta in richieste:
        richiesta.valore_centesimi = 0
        for risorsa in richiesta.risorse.all():
            risorsa.valore_euro = euro(risorsa.valore_centesimi)
            richiesta.valore_centesimi += risorsa.valore_centesimi
            quantita[risorsa.tipo] = quantita.get(risorsa.tipo, Decimal(0)) + risorsa.quantita
            valori[risorsa.tipo] = valori.get(risorsa.tipo, 0) + risorsa.valore_centesimi
        richiesta.valore_euro = euro(richiesta.valore_centesimi)
    totali = [TotaleRisorse(tipo=t.value, etichetta=str(t.label), quantita=quantita[t.value], valore=valori[t.value])
              for t in RisorsaAdesione.Tipo if t.value in valori]
    return Aderenti(richieste=richieste, totali=totali, valore_totale=sum(valori.values()))
