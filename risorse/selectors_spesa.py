"""Reading each Comune's social spending and the part conferred to the Ufficio di Piano (seed
004: "in 24 of 98 ambiti the Comuni conferred more than 50% of their social spending; in 25
less than 16%"). Shares are computed with integers and Decimal, never floats, so that a share
of exactly 50% or 16% falls on the right side of its threshold. Every function reads in a fixed
number of queries, whatever the number of Comuni or ambiti."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accordi.selectors_contenuto import euro
from ambiti.models import Ambito, Comune

from .models import SpesaSocialeComune

# Seed 004's thresholds, in percent: above SOGLIA_ALTA the Comuni "converge" on the Ufficio di
# Piano, below SOGLIA_BASSA the transfer is marginal. Both boundaries belong to the middle class.
SOGLIA_ALTA = 50
SOGLIA_BASSA = 16

CLASSE_ALTA = "alta"
CLASSE_MEDIA = "media"
CLASSE_BASSA = "bassa"
ETICHETTE_CLASSE = {
    CLASSE_ALTA: gettext_lazy("oltre il 50%"),
    CLASSE_MEDIA: gettext_lazy("tra il 16% e il 50%"),
    CLASSE_BASSA: gettext_lazy("sotto il 16%"),
}


def quota(conferita: int | None, totale: int | None) -> Decimal | None:
    """Conferred / total in percent, exact (Decimal of two integers); None when the total is
    zero or missing: a share of nothing is undefined, not 0%."""
    if conferita is None or not totale:
        return None
    return Decimal(int(conferita) * 100) / Decimal(int(totale))


def classe_quota(quota_percento) -> str | None:
    """The seed's class of a share in percent: "oltre il 50%" (strictly above 50), "sotto il
    16%" (strictly below 16), otherwise "tra il 16% e il 50%"; None for an undefined share.
    Returns the translated label; ``codice_classe`` gives the stable code."""
    codice = codice_classe(quota_percento)
    return None if codice is None else str(ETICHETTE_CLASSE[codice])


def codice_classe(quota_percento) -> str | None:
    if quota_percento is None:
        return None
    valore = Decimal(quota_percento)
    if valore > SOGLIA_ALTA:
        return CLASSE_ALTA
    if valore < SOGLIA_BASSA:
        return CLASSE_BASSA
    return CLASSE_MEDIA


def quota_testo(quota_percento: Decimal | None) -> str:
    """"37,5" with one decimal (Italian format); empty for an undefined share."""
    if quota_percento is None:
        return ""
    arrotondata = quota_percento.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return number_format(arrotondata, 1)


def quote_per_ambito(ambiti_qs: QuerySet[Ambito], anno: int) -> dict[int, tuple[int, int]]:
    """{ambito id: (sum conferred, sum total)} in cents for a year, in ONE query (GROUP BY
    ambito). The ambito's share is the ratio of the sums, not the mean of its Comuni's shares:
    a large Comune weighs as much as it spends. Ambiti without data are absent."""
    righe = (SpesaSocialeComune.objects.filter(ambito__in=ambiti_qs, anno=anno)
             .values("ambito_id")
             .annotate(conferita=Sum("conferita_udp_centesimi"), totale=Sum("spesa_totale_centesimi"))
             .order_by())
    return {r["ambito_id"]: (r["conferita"] or 0, r["totale"] or 0) for r in righe}


def anni_disponibili(ambito: Ambito) -> list[int]:
    """The years with at least one Comune's figures for this ambito, latest first."""
    return list(SpesaSocialeComune.objects.filter(ambito=ambito).values_list("anno", flat=True)
                .distinct().order_by("-anno"))


class _ConQuota:
    """What follows from a share (``quota``, defined by the subclass): its text and its class."""

    @property
    def quota_testo(self) -> str:
        return quota_testo(self.quota)

    @property
    def classe(self) -> str | None:
        return classe_quota(self.quota)

    @property
    def codice_classe(self) -> str | None:
        return codice_classe(self.quota)


@dataclass
class RigaSpesa(_ConQuota):
    """One Comune's line: its figures for the year, or ``dato`` None when missing."""

    comune: Comune
    dato: SpesaSocialeComune | None

    @property
    def mancante(self) -> bool:
        return self.dato is None

    @property
    def spesa(self) -> int | None:
        return None if self.dato is None else self.dato.spesa_totale_centesimi

    @property
    def conferita(self) -> int | None:
        return None if self.dato is None else self.dato.conferita_udp_centesimi

    @property
    def nota(self) -> str:
        return "" if self.dato is None else self.dato.nota

    @property
    def quota(self) -> Decimal | None:
        return quota(self.conferita, self.spesa)

    @property
    def pro_capite(self) -> int | None:
        """Spending per inhabitant in cents (rounded half up); None without population."""
        if self.dato is None or not self.comune.popolazione:
            return None
        return _diviso_arrotondato(self.dato.spesa_totale_centesimi, self.comune.popolazione)

    @property
    def spesa_euro(self) -> str:
        return "" if self.spesa is None else euro(self.spesa)

    @property
    def conferita_euro(self) -> str:
        return "" if self.conferita is None else euro(self.conferita)

    @property
    def pro_capite_euro(self) -> str:
        return "" if self.pro_capite is None else euro(self.pro_capite)


@dataclass
class TabellaSpesa(_ConQuota):
    ambito: Ambito
    anno: int
    righe: list[RigaSpesa]

    @property
    def con_dati(self) -> list[RigaSpesa]:
        return [r for r in self.righe if not r.mancante]

    @property
    def mancanti(self) -> int:
        return sum(1 for r in self.righe if r.mancante)

    @property
    def totale_spesa(self) -> int:
        return sum(r.spesa for r in self.con_dati)

    @property
    def totale_conferita(self) -> int:
        return sum(r.conferita for r in self.con_dati)

    @property
    def popolazione(self) -> int:
        """Inhabitants of the Comuni with figures (the per-inhabitant total compares like with like)."""
        return sum(r.comune.popolazione or 0 for r in self.con_dati)

    @property
    def quota(self) -> Decimal | None:
        return quota(self.totale_conferita, self.totale_spesa)

    @property
    def totale_spesa_euro(self) -> str:
        return euro(self.totale_spesa)

    @property
    def totale_conferita_euro(self) -> str:
        return euro(self.totale_conferita)

    @property
    def pro_capite_euro(self) -> str:
        # Only Comuni with both figures and population enter the ratio.
        righe = [r for r in self.con_dati if r.comune.popolazione]
        abitanti = sum(r.comune.popolazione for r in righe)
        if not abitanti:
            return ""
        return euro(_diviso_arrotondato(sum(r.spesa for r in righe), abitanti))


def _diviso_arrotondato(numeratore: int, denominatore: int) -> int:
    return int((Decimal(numeratore) / Decimal(denominatore)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def comuni_dell_ambito(ambito: Ambito) -> list[Comune]:
    return list(ambito.comuni.select_related("provincia").order_by("denominazione", "pk"))


def tabella_spesa(ambito: Ambito, anno: int) -> TabellaSpesa:
    """Every Comune of the ambito (those without figures too, as "dato mancante") with its
    spending, conferred part, share, class and spending per inhabitant. Two queries."""
    comuni = comuni_dell_ambito(ambito)
    dati = {s.comune_id: s for s in SpesaSocialeComune.objects.filter(
        ambito=ambito, anno=anno, comune__in=[c.pk for c in comuni])}
    return TabellaSpesa(ambito=ambito, anno=anno, righe=[RigaSpesa(c, dati.get(c.pk)) for c in comuni])


def riepilogo_anni(ambito: Ambito) -> list[dict]:
    """Per year: Comuni with figures, sums and the ambito's share (one query)."""
    righe = (SpesaSocialeComune.objects.filter(ambito=ambito).values("anno")
             .annotate(comuni=Count("pk"), conferita=Sum("conferita_udp_centesimi"),
                       totale=Sum("spesa_totale_centesimi"))
             .order_by("-anno"))
    risultato = []
    for r in righe:
        q = quota(r["conferita"], r["totale"])
        risultato.append({"anno": r["anno"], "comuni": r["comuni"], "quota_testo": quota_testo(q),
                          "classe": classe_quota(q), "totale_euro": euro(r["totale"])})
    return risultato


# --- export -----------------------------------------------------------------------------------

COLONNE = ["anno", "codice_istat", "comune", "spesa_totale", "conferita_udp", "nota"]


def righe_esportazione(ambito: Ambito, anno: int | None = None) -> list[list]:
    """The ambito's figures in the import layout (amounts as the Italian "1.234,56" the import
    reads back), one row per Comune and year; one query."""
    dati = (SpesaSocialeComune.objects.filter(ambito=ambito).select_related("comune")
            .order_by("anno", "comune__denominazione", "comune__codice_istat"))
    if anno is not None:
        dati = dati.filter(anno=anno)
    return [[s.anno, s.comune.codice_istat, s.comune.denominazione, euro(s.spesa_totale_centesimi),
             euro(s.conferita_udp_centesimi), s.nota] for s in dati]


def titolo_esportazione(ambito: Ambito) -> str:
    return _("Spesa sociale dei Comuni")
