"""The quadro delle risorse as a file: reading an uploaded CSV or XLSX into cells (every bad row
named with its number and reason), comparing them with the plan's quadro for the preview, and
writing the quadro back in the same layout, so that an exported file imported again changes
nothing.

Layout (Italian headers, lower case; extra columns ignored):
``anno;fonte;area;ambito;tipo;importo`` — fonte is the source's code (its name is accepted too),
area the code of an area of intervention of the plan's region or empty (across areas), ambito
``sociale`` or ``sociosanitario``, tipo ``previsto`` or ``consuntivo``, importo in euro written
the Italian way (1.234,56).

What an import does: it REPLACES the years present in the file. Every cell of those years is
what the file says; a cell of those years the file does not mention is removed; the other years
are untouched. A zero amount is the same as leaving the cell out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accordi.selectors_contenuto import euro
from accordi.services_contenuto import importo_in_centesimi
from ambiti.exceptions import DatiNonValidi

from .models import AmbitoSpesa, FonteRisorsa, TipoImporto
from .selectors_quadro import aree_della_regione, celle_del_piano, voci_del_piano
from .tabelle import TabellaIllegibile, impronta, leggi_tabella, scrivi_csv, scrivi_xlsx

COLONNE = ["anno", "fonte", "area", "ambito", "tipo", "importo"]
MASSIMO_ERRORI = 200  # beyond this the list stops: the file is wrong as a whole



def anno_consuntivabile(anno: int) -> bool:
    """Actual figures are for years already begun: no one can report what was not yet spent."""
    return anno <= timezone.localdate().year


@dataclass
class Lettura:
    celle: dict[tuple, int]  # (anno, fonte_id, area_id, ambito_spesa, tipo) -> cents (0: cell left out)
    errori: list[str]
    righe: int


@dataclass
class Cambio:
    chiave: tuple
    fonte: FonteRisorsa
    area: object | None
    prima: int | None
    dopo: int | None


@dataclass
class Anteprima:
    """What the import would do, for the preview page, and the cells it would write."""

    nome_file: str
    impronta: str
    righe: int
    anni: list[int]
    errori: list[str] = field(default_factory=list)
    nuove: list[Cambio] = field(default_factory=list)
    cambiate: list[Cambio] = field(default_factory=list)
    tolte: list[Cambio] = field(default_factory=list)
    invariate: int = 0
    celle: dict[tuple, int] = field(default_factory=dict)

    @property
    def valida(self) -> bool:
        return not self.errori

    @property
    def cambia_qualcosa(self) -> bool:
        return bool(self.nuove or self.cambiate or self.tolte)


def _cerca(valore: str, per_codice: dict, per_nome: dict):
    chiave = valore.strip().lower()
    return per_codice.get(chiave) or per_nome.get(chiave)


def leggi(piano, contenuto: bytes, nome_file: str, fonti: list[FonteRisorsa] | None = None,
          aree: list | None = None) -> Lettura:
    """The file's cells and every bad row's reason. ``TabellaIllegibile`` (the file as a whole)
    becomes ``DatiNonValidi``."""
    try:
        righe = leggi_tabella(contenuto, nome_file, colonne=COLONNE)
    except TabellaIllegibile as exc:
        raise DatiNonValidi(str(exc)) from exc
    fonti = fonti if fonti is not None else list(FonteRisorsa.objects.all())
    aree = aree if aree is not None else aree_della_regione(piano)
    fonti_codice = {f.codice.lower(): f for f in fonti}
    fonti_nome = {f.nome.lower(): f for f in fonti}
    aree_codice = {a.codice.lower(): a for a in aree}
    aree_nome = {a.nome.lower(): a for a in aree}
    ambiti = {v: v for v in AmbitoSpesa.values} | {str(label).lower(): v for v, label in AmbitoSpesa.choices}
    tipi = {v: v for v in TipoImporto.values} | {str(label).lower(): v for v, label in TipoImporto.choices}
    primo, ultimo = piano.ciclo.anno_inizio, piano.ciclo.anno_fine

    celle: dict[tuple, int] = {}
    dove: dict[tuple, int] = {}
    errori: list[str] = []
    for riga in righe:
        v = riga.valori
        motivi = []
        anno = None
        testo_anno = v.get("anno", "")
        if not testo_anno.isdigit():
            motivi.append(_("l'anno «%(v)s» non è un anno") % {"v": testo_anno} if testo_anno else _("manca l'anno"))
        else:
            anno = int(testo_anno)
            if not primo <= anno <= ultimo:
                motivi.append(_("il %(anno)s è fuori dal ciclo del piano (%(da)s-%(a)s)")
                              % {"anno": anno, "da": primo, "a": ultimo})
                anno = None
        fonte = _cerca(v.get("fonte", ""), fonti_codice, fonti_nome)
        if fonte is None:
            motivi.append(_("la fonte «%(v)s» non è tra quelle previste") % {"v": v.get("fonte", "")}
                          if v.get("fonte") else _("manca la fonte"))
        area = None
        if v.get("area"):
            area = _cerca(v["area"], aree_codice, aree_nome)
            if area is None:
                motivi.append(_("l'area «%(v)s» non è tra le aree di intervento della regione") % {"v": v["area"]})
        ambito = ambiti.get(v.get("ambito", "").lower())
        if ambito is None:
            motivi.append(_("l'ambito «%(v)s» non è «sociale» né «sociosanitario»") % {"v": v.get("ambito", "")})
        tipo = tipi.get(v.get("tipo", "").lower())
        if tipo is None:
            motivi.append(_("il tipo «%(v)s» non è «previsto» né «consuntivo»") % {"v": v.get("tipo", "")})
        elif tipo == TipoImporto.CONSUNTIVO and anno is not None and not anno_consuntivabile(anno):
            motivi.append(_("il consuntivo del %(anno)s non si può ancora inserire: l'anno non è iniziato")
                          % {"anno": anno})
        centesimi = None
        try:
            centesimi = importo_in_centesimi(v.get("importo", ""))
            if centesimi is None:
                motivi.append(_("manca l'importo"))
        except DatiNonValidi as exc:
            motivi.extend(exc.messaggi)
        if not motivi:
            chiave = (anno, fonte.pk, area.pk if area else None, ambito, tipo)
            if chiave in dove:
                motivi.append(_("la stessa cella è già alla riga %(n)s") % {"n": dove[chiave]})
            else:
                dove[chiave] = riga.numero
                celle[chiave] = centesimi
        if motivi:
            errori.append(_("Riga %(n)s: %(motivi)s.") % {"n": riga.numero, "motivi": "; ".join(motivi)})
            if len(errori) >= MASSIMO_ERRORI:
                errori.append(_("Ci sono altri errori oltre questi %(n)s: correggi il file e caricalo di nuovo.")
                              % {"n": MASSIMO_ERRORI})
                break
    if not righe:
        errori.append(_("Il file ha l'intestazione ma nessuna riga di dati."))
    return Lettura(celle, errori, len(righe))


def anteprima(piano, contenuto: bytes, nome_file: str) -> Anteprima:
    """Read the file and compare it with the plan's quadro for the years it contains."""
    fonti = list(FonteRisorsa.objects.all())
    aree = aree_della_regione(piano)
    lettura = leggi(piano, contenuto, nome_file, fonti, aree)
    anni = sorted({k[0] for k in lettura.celle})
    risultato = Anteprima(nome_file=nome_file, impronta=impronta(contenuto), righe=lettura.righe, anni=anni,
                          errori=lettura.errori)
    if lettura.errori:
        return risultato
    per_fonte = {f.pk: f for f in fonti}
    per_area = {a.pk: a for a in aree}
    esistenti = celle_del_piano(piano, anni)
    nuove = {k: c for k, c in lettura.celle.items() if c}
    for chiave in sorted(set(esistenti) | set(nuove), key=_ordine):
        prima, dopo = esistenti.get(chiave), nuove.get(chiave)
        cambio = Cambio(chiave, per_fonte[chiave[1]], per_area.get(chiave[2]), prima, dopo)
        if dopo is not None and prima != dopo and not cambio.fonte.attiva:
            risultato.errori.append(_("La fonte «%(f)s» non è più in uso: il file può solo riportarne gli importi "
                                      "esistenti o toglierli (anno %(anno)s).")
                                    % {"f": cambio.fonte, "anno": chiave[0]})
        elif prima is None:
            risultato.nuove.append(cambio)
        elif dopo is None:
            risultato.tolte.append(cambio)
        elif prima != dopo:
            risultato.cambiate.append(cambio)
        else:
            risultato.invariate += 1
    if risultato.errori:
        risultato.nuove, risultato.cambiate, risultato.tolte, risultato.invariate = [], [], [], 0
        return risultato
    risultato.celle = nuove
    return risultato


def _ordine(chiave: tuple):
    anno, fonte, area, ambito, tipo = chiave
    return (anno, fonte, area or 0, ambito, tipo)


# --- writing the quadro back ---------------------------------------------------------------


def righe_esportate(piano, xlsx: bool = False) -> list[list]:
    """The plan's cells as rows of the import layout. In XLSX the amount is a number in euro
    (what a spreadsheet sums); in CSV it is written the Italian way."""
    righe = []
    for voce in voci_del_piano(piano):
        importo = Decimal(voce.importo_centesimi) / 100 if xlsx else euro(voce.importo_centesimi)
        righe.append([voce.anno, voce.fonte.codice, voce.area.codice if voce.area else "", voce.ambito_spesa,
                      voce.tipo, importo])
    return righe


def esporta(piano, formato: str) -> bytes:
    if formato == "xlsx":
        return scrivi_xlsx(COLONNE, righe_esportate(piano, xlsx=True), titolo=_("Quadro delle risorse"))
    return scrivi_csv(COLONNE, righe_esportate(piano))


def modello(piano) -> bytes:
    """The empty template: the header and one example row (the first year of the cycle)."""
    esempio = [piano.ciclo.anno_inizio, "fnps", "", AmbitoSpesa.SOCIALE.value, TipoImporto.PREVISTO.value, "1.234,56"]
    return scrivi_csv(COLONNE, [esempio])
