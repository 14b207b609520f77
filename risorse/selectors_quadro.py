"""Reading a plan's quadro unitario delle risorse: the cells grouped per year, source and area,
sociale / sociosanitario / total for planned and actual figures, the totals per year, source and
category (seed 004's table 1.1), and the figures per inhabitant of the plan's Comuni.

Constant number of queries whatever the size of the quadro: one for the cells (with their source
and area), one for the Comuni, one for the sources. Arithmetic is on integer cents; the only
division (per inhabitant) rounds half up to the cent, in ``pro_capite``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from ambiti.models import Comune

from .models import AmbitoSpesa, FonteRisorsa, TipoImporto, VoceRisorsa

SOCIALE, SOCIOSANITARIO = AmbitoSpesa.SOCIALE.value, AmbitoSpesa.SOCIOSANITARIO.value
PREVISTO, CONSUNTIVO = TipoImporto.PREVISTO.value, TipoImporto.CONSUNTIVO.value


def pro_capite(centesimi: int | None, popolazione: int | None) -> int | None:
    """Cents per inhabitant, rounded half up to the cent (0,005 € goes up): integer arithmetic,
    so that no binary float decides a cent. None without a population."""
    if centesimi is None or not popolazione:
        return None
    return (2 * centesimi + popolazione) // (2 * popolazione)


# --- seed 004's table 1.1 ----------------------------------------------------------------


@dataclass(frozen=True)
class RigaFonti:
    categoria: str  # FonteRisorsa.Categoria value, or the caller's own key
    etichetta: str
    sociale: int
    sociosanitario: int
    totale: int
    pro_capite: int | None  # cents per inhabitant, None without population


@dataclass(frozen=True)
class TabellaFonti:
    righe: list[RigaFonti]
    totale: RigaFonti
    popolazione: int | None


def fonti_della_spesa(importi_per_categoria_e_ambito: Mapping[str, Mapping[str, int]],
                      popolazione: int | None) -> TabellaFonti:
    """Seed 004's table 1.1 («Le fonti della spesa sociale e sociosanitaria»): one row per
    category, in the mapping's order, with its sociale and sociosanitario amounts, their total
    and the total per inhabitant; then the total row.

    ``importi_per_categoria_e_ambito`` is ``{categoria: {"sociale": cents, "sociosanitario":
    cents}}`` (a missing amount counts as zero, as the seed's «-»); ``popolazione`` the
    inhabitants the per-capita column divides by (None or 0: no per-capita figures). Every
    amount is integer cents; per-capita figures are cents rounded half up (``pro_capite``).
    The total row is the exact sum of the rows."""
    etichette = dict(FonteRisorsa.Categoria.choices)
    righe = []
    for categoria, importi in importi_per_categoria_e_ambito.items():
        sociale, sociosanitario = int(importi.get(SOCIALE) or 0), int(importi.get(SOCIOSANITARIO) or 0)
        totale = sociale + sociosanitario
        righe.append(RigaFonti(categoria, str(etichette.get(categoria, categoria)), sociale, sociosanitario,
                               totale, pro_capite(totale, popolazione)))
    sociale = sum(r.sociale for r in righe)
    sociosanitario = sum(r.sociosanitario for r in righe)
    totale = RigaFonti("totale", _("Totale"), sociale, sociosanitario, sociale + sociosanitario,
                       pro_capite(sociale + sociosanitario, popolazione))
    return TabellaFonti(righe, totale, popolazione)


# --- the quadro --------------------------------------------------------------------------


@dataclass
class Importi:
    """Planned and actual amounts, each split sociale / sociosanitario, in cents."""

    previsto_sociale: int = 0
    previsto_sociosanitario: int = 0
    consuntivo_sociale: int = 0
    consuntivo_sociosanitario: int = 0

    @property
    def previsto(self) -> int:
        return self.previsto_sociale + self.previsto_sociosanitario

    @property
    def consuntivo(self) -> int:
        return self.consuntivo_sociale + self.consuntivo_sociosanitario

    def aggiungi(self, ambito_spesa: str, tipo: str, centesimi: int) -> None:
        nome = f"{tipo}_{ambito_spesa}"
        setattr(self, nome, getattr(self, nome) + centesimi)

    def somma(self, altro: Importi) -> None:
        for nome in ("previsto_sociale", "previsto_sociosanitario", "consuntivo_sociale", "consuntivo_sociosanitario"):
            setattr(self, nome, getattr(self, nome) + getattr(altro, nome))

    def colonne(self) -> list[int]:
        """In the order of the page and the CSV: planned sociale, sociosanitario, total; actual
        sociale, sociosanitario, total."""
        return [self.previsto_sociale, self.previsto_sociosanitario, self.previsto,
                self.consuntivo_sociale, self.consuntivo_sociosanitario, self.consuntivo]


@dataclass
class RigaQuadro:
    fonte: FonteRisorsa
    area: object | None  # tavoli.AreaIntervento, None across areas
    importi: Importi


@dataclass
class GruppoFonte:
    """A source in a year: its rows (one per area, across areas first) and their subtotal."""

    fonte: FonteRisorsa
    righe: list[RigaQuadro]
    totale: Importi


@dataclass
class AnnoQuadro:
    anno: int
    gruppi: list[GruppoFonte]
    totale: Importi
    previsto_pro_capite: int | None
    consuntivo_pro_capite: int | None
    fonti_previsto: TabellaFonti
    fonti_consuntivo: TabellaFonti


@dataclass
class Popolazione:
    abitanti: int  # of the Comuni whose population is known
    al: datetime.date | None  # the latest reference date among them
    date_diverse: bool  # the Comuni's figures refer to different dates
    senza_popolazione: list[Comune]
    comuni: int

    @property
    def divisore(self) -> int | None:
        """Per-capita figures are shown only with every Comune's population known: a partial
        population would inflate them silently."""
        return self.abitanti if self.abitanti and not self.senza_popolazione else None


@dataclass
class Quadro:
    anni: list[AnnoQuadro]
    popolazione: Popolazione
    per_fonte: list[tuple[FonteRisorsa, Importi]]
    per_categoria: list[tuple[str, str, Importi]]  # (categoria, label, amounts)
    totale: Importi
    fonti_previsto: TabellaFonti  # over the whole cycle
    fonti_consuntivo: TabellaFonti
    celle: int = 0
    vuoto: bool = field(default=True)


def anni_del_piano(piano) -> list[int]:
    return list(range(piano.ciclo.anno_inizio, piano.ciclo.anno_fine + 1))


def voci_del_piano(piano, anni: Iterable[int] | None = None):
    """The plan's cells with their source and area (one query)."""
    voci = VoceRisorsa.objects.filter(piano=piano).select_related("fonte", "area")
    if anni is not None:
        voci = voci.filter(anno__in=list(anni))
    return voci.order_by("anno", "fonte__ordine", "fonte__nome", "area__ordine", "area__nome", "ambito_spesa", "tipo")


def popolazione_del_piano(piano) -> Popolazione:
    """The inhabitants of the Comuni of the plan's ambiti (each Comune once, even when two
    ambiti of a supra-district plan were to share it), one query."""
    comuni = list(Comune.objects.filter(ambiti__piani=piano).distinct().select_related("provincia")
                  .order_by("denominazione"))
    noti = [c for c in comuni if c.popolazione is not None]
    date = {c.popolazione_al for c in noti if c.popolazione_al}
    return Popolazione(abitanti=sum(c.popolazione for c in noti), al=max(date) if date else None,
                       date_diverse=len(date) > 1, senza_popolazione=[c for c in comuni if c.popolazione is None],
                       comuni=len(comuni))


def _per_categoria(importi_per_fonte: Iterable[tuple[FonteRisorsa, Importi]]) -> dict[str, Importi]:
    """Amounts per source summed into the categories, in the categories' declared order."""
    somme: dict[str, Importi] = defaultdict(Importi)
    for fonte, importi in importi_per_fonte:
        somme[fonte.categoria].somma(importi)
    ordine = [c for c in FonteRisorsa.Categoria.values if c in somme]
    return {c: somme[c] for c in ordine}


def _tabelle_fonti(per_categoria: dict[str, Importi], popolazione: int | None) -> tuple[TabellaFonti, TabellaFonti]:
    previsto = {c: {SOCIALE: i.previsto_sociale, SOCIOSANITARIO: i.previsto_sociosanitario}
                for c, i in per_categoria.items() if i.previsto}
    consuntivo = {c: {SOCIALE: i.consuntivo_sociale, SOCIOSANITARIO: i.consuntivo_sociosanitario}
                  for c, i in per_categoria.items() if i.consuntivo}
    return fonti_della_spesa(previsto, popolazione), fonti_della_spesa(consuntivo, popolazione)


def quadro(piano) -> Quadro:
    """The whole quadro of the plan for its cycle's years (cells outside the cycle, if the
    cycle were ever shortened, are left out). Two queries."""
    anni = anni_del_piano(piano)
    popolazione = popolazione_del_piano(piano)
    divisore = popolazione.divisore
    righe: dict[int, dict[tuple[int, int | None], RigaQuadro]] = {a: {} for a in anni}
    per_fonte: dict[int, tuple[FonteRisorsa, Importi]] = {}
    celle = 0
    for voce in voci_del_piano(piano, anni):
        celle += 1
        chiave = (voce.fonte_id, voce.area_id)
        riga = righe[voce.anno].get(chiave)
        if riga is None:
            riga = righe[voce.anno][chiave] = RigaQuadro(voce.fonte, voce.area, Importi())
        riga.importi.aggiungi(voce.ambito_spesa, voce.tipo, voce.importo_centesimi)
        per_fonte.setdefault(voce.fonte_id, (voce.fonte, Importi()))[1].aggiungi(
            voce.ambito_spesa, voce.tipo, voce.importo_centesimi)

    def ordine_fonte(fonte):
        return (fonte.ordine, fonte.nome)

    risultato_anni = []
    for anno in anni:
        gruppi: dict[int, GruppoFonte] = {}
        # Cells come ordered by source then area (across areas, NULL, first on every backend
        # once sorted here).
        for riga in sorted(righe[anno].values(), key=lambda r: (ordine_fonte(r.fonte), r.area is not None,
                                                                 getattr(r.area, "ordine", 0),
                                                                 getattr(r.area, "nome", ""))):
            gruppo = gruppi.setdefault(riga.fonte.pk, GruppoFonte(riga.fonte, [], Importi()))
            gruppo.righe.append(riga)
            gruppo.totale.somma(riga.importi)
        totale = Importi()
        for g in gruppi.values():
            totale.somma(g.totale)
        prev, cons = _tabelle_fonti(_per_categoria((g.fonte, g.totale) for g in gruppi.values()), divisore)
        risultato_anni.append(AnnoQuadro(anno, list(gruppi.values()), totale, pro_capite(totale.previsto, divisore),
                                         pro_capite(totale.consuntivo, divisore), prev, cons))

    fonti_ordinate = sorted(per_fonte.values(), key=lambda fi: ordine_fonte(fi[0]))
    categorie = _per_categoria(fonti_ordinate)
    etichette = dict(FonteRisorsa.Categoria.choices)
    totale = Importi()
    for _fonte, importi in fonti_ordinate:
        totale.somma(importi)
    prev, cons = _tabelle_fonti(categorie, divisore)
    return Quadro(anni=risultato_anni, popolazione=popolazione, per_fonte=fonti_ordinate,
                  per_categoria=[(c, str(etichette[c]), i) for c, i in categorie.items()], totale=totale,
                  fonti_previsto=prev, fonti_consuntivo=cons, celle=celle, vuoto=celle == 0)


def celle_del_piano(piano, anni: Iterable[int] | None = None) -> dict[tuple, int]:
    """``{(anno, fonte_id, area_id, ambito_spesa, tipo): cents}`` (one query): what the grid
    and the import compare against."""
    voci = VoceRisorsa.objects.filter(piano=piano)
    if anni is not None:
        voci = voci.filter(anno__in=list(anni))
    return {(a, f, ar, s, t): c for a, f, ar, s, t, c in
            voci.values_list("anno", "fonte_id", "area_id", "ambito_spesa", "tipo", "importo_centesimi")}


def fonti_in_uso(piano) -> list[FonteRisorsa]:
    """The sources the grid offers: those in use, plus retired ones the plan still has cells
    for (so that they can be read and zeroed)."""
    return list(FonteRisorsa.objects.filter(Q(attiva=True) | Q(voci__piano=piano)).distinct()
                .order_by("ordine", "nome"))


def aree_della_regione(piano):
    """The areas of intervention of the plan's region, in use or already used by the plan."""
    from tavoli.models import AreaIntervento

    usate = VoceRisorsa.objects.filter(piano=piano, area__isnull=False).values("area_id")
    return list(AreaIntervento.objects.filter(regione_id=piano.ciclo.regione_id)
                .filter(Q(attiva=True) | Q(pk__in=usate)).order_by("ordine", "nome"))
