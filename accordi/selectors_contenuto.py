"""Reading the plan's working draft: sections with their citations, objectives with their
actions and the budget totals (exact, in cents, per action, objective, year and source). Each
function reads in a fixed number of queries, whatever the size of the draft."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import translation
from django.utils.formats import number_format

from .models import Azione, FonteFinanziamento, Indicatore, Obiettivo, PianoDiZona, SezionePiano, StanziamentoAzione


def euro(centesimi: int | None) -> str:
    """Cents as euro with Italian grouping and two decimals ("1.234,56"), the format the
    budget grid accepts back."""
    with translation.override("it"):
        return number_format(Decimal(centesimi or 0) / 100, 2, force_grouping=True)


def sezioni_del_piano(piano: PianoDiZona) -> QuerySet[SezionePiano]:
    """Sections in order, with who saved them last and the needs and offer they cite (with
    the area, tavolo and body each citation shows)."""
    from tavoli.models import Bisogno, UnitaOfferta

    return (SezionePiano.objects.filter(piano=piano).select_related("aggiornata_da")
            .prefetch_related(
                Prefetch("bisogni", queryset=Bisogno.objects.select_related("area", "seduta__tavolo", "ente")
                         .order_by("area__ordine", "pk")),
                Prefetch("offerta", queryset=UnitaOfferta.objects.select_related("tipo", "comune", "gestore")
                         .order_by("tipo__nome", "denominazione", "pk")))
            .order_by("ordine", "pk"))


def sezione_con_citazioni(pk: int) -> SezionePiano | None:
    return (SezionePiano.objects.filter(pk=pk).select_related("piano__ciclo", "aggiornata_da")
            .prefetch_related("bisogni", "offerta").first())


@dataclass
class RiepilogoAzione:
    azione: Azione
    totale: int = 0

    @property
    def totale_euro(self) -> str:
        return euro(self.totale)


@dataclass
class RiepilogoObiettivo:
    obiettivo: Obiettivo
    azioni: list[RiepilogoAzione] = field(default_factory=list)

    @property
    def totale(self) -> int:
        return sum(a.totale for a in self.azioni)

    @property
    def totale_euro(self) -> str:
        return euro(self.totale)


@dataclass
class Riepilogo:
    """The objectives with their actions and the budget of the whole draft."""

    obiettivi: list[RiepilogoObiettivo]
    anni: list[int]
    per_anno: dict[int, int]
    per_fonte: list[tuple[str, str, int]]  # (code, label, cents), sources with money only

    @property
    def totale(self) -> int:
        return sum(self.per_anno.values())

    @property
    def totale_euro(self) -> str:
        return euro(self.totale)

    @property
    def per_anno_euro(self) -> list[tuple[int, str]]:
        return [(a, euro(self.per_anno.get(a, 0))) for a in self.anni]

    @property
    def per_fonte_euro(self) -> list[tuple[str, str]]:
        return [(etichetta, euro(c)) for _codice, etichetta, c in self.per_fonte]

    @property
    def n_azioni(self) -> int:
        return sum(len(o.azioni) for o in self.obiettivi)


def _anni(piano: PianoDiZona) -> list[int]:
    return list(range(piano.ciclo.anno_inizio, piano.ciclo.anno_fine + 1))


def riepilogo(piano: PianoDiZona) -> Riepilogo:
    """Objectives → actions with their budget totals, and totals per year and source; sums
    of integer cents, so exact. Three queries."""
    azioni = Azione.objects.select_related("capofila", "area").order_by("ordine", "pk")
    obiettivi = list(Obiettivo.objects.filter(piano=piano).select_related("area")
                     .prefetch_related(Prefetch("azioni", queryset=azioni)).order_by("ordine", "pk"))
    per_azione: dict[int, int] = defaultdict(int)
    per_anno: dict[int, int] = defaultdict(int)
    per_fonte: dict[str, int] = defaultdict(int)
    for azione_id, anno, fonte, c in StanziamentoAzione.objects.filter(azione__obiettivo__piano=piano).values_list(
            "azione_id", "anno", "fonte", "importo_centesimi"):
        per_azione[azione_id] += c
        per_anno[anno] += c
        per_fonte[fonte] += c
    elenco = [RiepilogoObiettivo(o, [RiepilogoAzione(a, per_azione.get(a.pk, 0)) for a in o.azioni.all()])
              for o in obiettivi]
    fonti = [(codice, str(etichetta), per_fonte[codice]) for codice, etichetta in FonteFinanziamento.choices
             if per_fonte.get(codice)]
    return Riepilogo(obiettivi=elenco, anni=_anni(piano), per_anno=dict(per_anno), per_fonte=fonti)


def obiettivo_con_azioni(pk: int) -> Obiettivo | None:
    return Obiettivo.objects.filter(pk=pk).select_related("piano__ciclo", "area").first()


def azioni_dell_obiettivo(obiettivo: Obiettivo) -> list[RiepilogoAzione]:
    somme: dict[int, int] = defaultdict(int)
    for azione_id, c in StanziamentoAzione.objects.filter(azione__obiettivo=obiettivo).values_list(
            "azione_id", "importo_centesimi"):
        somme[azione_id] += c
    return [RiepilogoAzione(a, somme.get(a.pk, 0)) for a in
            Azione.objects.filter(obiettivo=obiettivo).select_related("capofila", "area").order_by("ordine", "pk")]


def azione_completa(pk: int) -> Azione | None:
    return (Azione.objects.filter(pk=pk).select_related("obiettivo__piano__ciclo", "capofila", "area")
            .prefetch_related("partner", "bisogni",
                              Prefetch("indicatori", queryset=Indicatore.objects.order_by("ordine", "pk")))
            .first())


@dataclass
class Griglia:
    """An action's budget as a table: a row per source, a column per year of the cycle."""

    anni: list[int]
    righe: list[tuple[str, str, list[tuple[int, int, str]]]]  # (fonte, label, [(anno, cents, euro)])
    per_anno: list[tuple[int, str]]
    totale: str


def griglia(azione: Azione) -> Griglia:
    anni = _anni(azione.obiettivo.piano)
    celle = {(s.anno, s.fonte): s.importo_centesimi for s in StanziamentoAzione.objects.filter(azione=azione)}
    righe = [(codice, str(etichetta), [(a, celle.get((a, codice), 0), euro(celle.get((a, codice), 0))) for a in anni])
             for codice, etichetta in FonteFinanziamento.choices]
    per_anno = [(a, euro(sum(c for (y, _f), c in celle.items() if y == a))) for a in anni]
    return Griglia(anni=anni, righe=righe, per_anno=per_anno, totale=euro(sum(celle.values())))


@dataclass
class StatoContenuto:
    """What the plan page shows of the draft: sections with their last update, counts."""

    sezioni: list[SezionePiano]
    n_obiettivi: int
    n_azioni: int
    ultimo_aggiornamento: object


def stato_contenuto(piano: PianoDiZona) -> StatoContenuto:
    sezioni = list(SezionePiano.objects.filter(piano=piano).select_related("aggiornata_da").order_by("ordine", "pk"))
    conti = Obiettivo.objects.filter(piano=piano).aggregate(n=Count("pk", distinct=True),
                                                          a=Count("azioni", distinct=True))
    ultimo = SezionePiano.objects.filter(piano=piano, versione__gt=1).aggregate(m=Max("aggiornata_il"))["m"]
    return StatoContenuto(sezioni=sezioni, n_obiettivi=conti["n"], n_azioni=conti["a"], ultimo_aggiornamento=ultimo)
