"""Comparing two snapshots of the plan (``services_versioni``): section texts by words on
their visible text, cited needs and offer, objectives and actions field by field with budgets
and indicators. Pure functions on the snapshot dicts, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html.parser import HTMLParser

from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import FonteFinanziamento, Obiettivo


@dataclass
class DifferenzaTesto:
    """A text compared: ``html`` holds the merged text with <ins>/<del> marks (escaped),
    ``cambiato`` whether anything differs."""

    html: str
    cambiato: bool
    # Each side alone, for a side-by-side view: the old text with its removals marked, the
    # new text with its additions marked.
    prima: str = ""
    dopo: str = ""


@dataclass
class DifferenzaVoce:
    """A section, objective or action compared: added, removed, changed or unchanged, with
    the differences of each field."""

    chiave: str
    titolo: str
    stato: str  # "aggiunta" | "rimossa" | "modificata" | "invariata"
    campi: dict[str, DifferenzaTesto] = field(default_factory=dict)
    figli: list[DifferenzaVoce] = field(default_factory=list)
    # For an action: the rows of its budget table, old → new (year, source, amounts, state).
    stanziamenti: list[dict] = field(default_factory=list)


@dataclass
class Confronto:
    da: int  # version number ("0" = the working draft)
    a: int
    sezioni: list[DifferenzaVoce]
    obiettivi: list[DifferenzaVoce]

    @property
    def cambiato(self) -> bool:
        return any(v.stato != "invariata" for v in self.sezioni + self.obiettivi)

    @property
    def riepilogo(self) -> dict[str, dict[str, int]]:
        """How many sections, objectives and actions were added, removed or changed."""
        conta = {"sezioni": {}, "obiettivi": {}, "azioni": {}}
        for voce in self.sezioni:
            conta["sezioni"][voce.stato] = conta["sezioni"].get(voce.stato, 0) + 1
        for voce in self.obiettivi:
            conta["obiettivi"][voce.stato] = conta["obiettivi"].get(voce.stato, 0) + 1
            for azione in voce.figli:
                conta["azioni"][azione.stato] = conta["azioni"].get(azione.stato, 0) + 1
        return conta


# --- comparison -------------------------------------------------------------------------------
# Pure functions on snapshots: no database, so they compare any two versions (or a version and
# the working draft) and are tested with hand-built dicts.

_BLOCCHI = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "table",
            "blockquote", "pre", "section", "article", "header", "footer", "dd", "dt", "figcaption", "hr"}
_A_CAPO = "\n"


class _Testo(HTMLParser):
    """Visible text of sanitised HTML, split into paragraphs at block elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragrafi: list[str] = []
        self._corrente: list[str] = []
        self._nascosto = 0

    def _chiudi(self):
        testo = " ".join("".join(self._corrente).split())
        if testo:
            self.paragrafi.append(testo)
        self._corrente = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._nascosto += 1
        elif tag in _BLOCCHI:
            self._chiudi()
        elif tag == "td" or tag == "th":
            self._corrente.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCCHI:
            self._chiudi()

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._nascosto = max(0, self._nascosto - 1)
        elif tag in _BLOCCHI:
            self._chiudi()

    def handle_data(self, data):
        if not self._nascosto:
            self._corrente.append(data)

    def close(self):
        super().close()
        self._chiudi()


def paragrafi(html: str) -> list[str]:
    """The visible text of ``html`` as a list of paragraphs (tags stripped, entities decoded)."""
    parser = _Testo()
    parser.feed(html or "")
    parser.close()
    return parser.paragrafi


def _parole(testi: list[str]) -> list[str]:
    parole: list[str] = []
    for i, testo in enumerate(testi):
        if i:
            parole.append(_A_CAPO)
        parole.extend(testo.split())
    return parole


def _segna(tipo: str, parole: list[str]) -> str:
    """Escaped words inside <ins>/<del> with a visually hidden prefix (not colour alone)."""
    testo = escape(" ".join(parole))
    if tipo == "ins":
        return f'<ins><span class="visually-hidden">{escape(_("aggiunto:"))} </span>{testo}</ins>'
    if tipo == "del":
        return f'<del><span class="visually-hidden">{escape(_("rimosso:"))} </span>{testo}</del>'
    return testo


def _componi(pezzi: list[tuple[str, str]]) -> str:
    """(kind, word) pairs → paragraphs of runs, each run escaped and marked by its kind."""
    paragrafi_html, corrente, run, tipo_run = [], [], [], None

    def chiudi_run():
        nonlocal run, tipo_run
        if run:
            corrente.append(_segna(tipo_run, run))
        run, tipo_run = [], None

    for tipo, parola in pezzi:
        if parola == _A_CAPO:
            chiudi_run()
            paragrafi_html.append(corrente)
            corrente = []
            continue
        if tipo != tipo_run:
            chiudi_run()
            tipo_run = tipo
        run.append(parola)
    chiudi_run()
    paragrafi_html.append(corrente)
    return "".join(f"<p>{' '.join(p)}</p>" for p in paragrafi_html if p)


def confronta_testi(prima: list[str], dopo: list[str]) -> DifferenzaTesto:
    """Word diff of two texts given as paragraphs: merged, and each side alone (the old side
    with its removals, the new side with its additions)."""
    a, b = _parole(prima), _parole(dopo)
    unito, sinistra, destra = [], [], []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pezzi = [("", p) for p in a[i1:i2]]
            unito += pezzi
            sinistra += pezzi
            destra += pezzi
            continue
        if op in ("delete", "replace"):
            tolte = [("del", p) for p in a[i1:i2]]
            unito += tolte
            sinistra += tolte
        if op in ("insert", "replace"):
            messe = [("ins", p) for p in b[j1:j2]]
            unito += messe
            destra += messe
    return DifferenzaTesto(html=_componi(unito), cambiato=a != b, prima=_componi(sinistra), dopo=_componi(destra))


def confronta_html(prima: str, dopo: str) -> DifferenzaTesto:
    """Word diff of the visible text of two sanitised HTML fragments."""
    return confronta_testi(paragrafi(prima), paragrafi(dopo))


def _testo(valore) -> list[str]:
    valore = "" if valore is None else str(valore)
    return [r for r in (" ".join(riga.split()) for riga in valore.splitlines()) if r]


def _confronta_campo(prima, dopo) -> DifferenzaTesto:
    return confronta_testi(_testo(prima), _testo(dopo))


def _voce_elenco(tipo: str, testo: str) -> str:
    return f"<li>{_segna(tipo, testo.split()) if tipo else escape(testo)}</li>"


def _confronta_elenco(prima: list[str], dopo: list[str]) -> DifferenzaTesto:
    """Lists of items (partners, cited needs…): kept, added and removed items."""
    tolti = [x for x in prima if x not in dopo]
    righe_dopo = [_voce_elenco("" if x in prima else "ins", x) for x in dopo]
    righe_prima = [_voce_elenco("" if x in dopo else "del", x) for x in prima]
    unite = [_voce_elenco("del", x) for x in tolti] + righe_dopo

    def ul(righe):
        return f"<ul>{''.join(righe)}</ul>" if righe else ""

    return DifferenzaTesto(html=ul(unite), cambiato=prima != dopo, prima=ul(righe_prima), dopo=ul(righe_dopo))


def _citazione_bisogno(b: dict) -> str:
    return " – ".join(x for x in (b.get("area", ""), b.get("destinatari", ""), b.get("descrizione", "")) if x)


def _citazione_offerta(u: dict) -> str:
    return " – ".join(x for x in (u.get("tipo", ""), u.get("denominazione", ""), u.get("comune", "")) if x)


def _confronta_citazioni(prima: list[dict], dopo: list[dict], descrivi) -> DifferenzaTesto:
    """Cited needs or offer, paired by id: what was added and what was removed."""
    ids_prima = {c.get("id") for c in prima}
    ids_dopo = {c.get("id") for c in dopo}
    tolti = [descrivi(c) for c in prima if c.get("id") not in ids_dopo]
    messi = [descrivi(c) for c in dopo if c.get("id") not in ids_prima]
    tenuti = [descrivi(c) for c in dopo if c.get("id") in ids_prima]

    def ul(righe):
        return f"<ul>{''.join(righe)}</ul>" if righe else ""

    return DifferenzaTesto(
        html=ul([_voce_elenco("del", x) for x in tolti] + [_voce_elenco("", x) for x in tenuti]
                + [_voce_elenco("ins", x) for x in messi]),
        cambiato=bool(tolti or messi),
        prima=ul([_voce_elenco("del" if c.get("id") not in ids_dopo else "", descrivi(c)) for c in prima]),
        dopo=ul([_voce_elenco("ins" if c.get("id") not in ids_prima else "", descrivi(c)) for c in dopo]),
    )


def formatta_euro(centesimi) -> str:
    """Euro cents in Italian notation: 1234567 → «12.345,67 €»."""
    if centesimi is None or centesimi == "":
        return ""
    centesimi = int(centesimi)
    segno = "-" if centesimi < 0 else ""
    euro, cent = divmod(abs(centesimi), 100)
    return f"{segno}{euro:,}".replace(",", ".") + f",{cent:02d} €"


def nome_fonte(fonte: str) -> str:
    try:
        return str(FonteFinanziamento(fonte).label)
    except ValueError:
        return fonte


def tabella_stanziamenti(stanziamenti: list[dict]) -> dict:
    """The budget of an action as a table: one row per source, one column per year, with
    totals per row, per year and overall (amounts formatted in euro)."""
    anni = sorted({s["anno"] for s in stanziamenti})
    importi: dict[str, dict[int, int]] = {}
    for s in stanziamenti:
        importi.setdefault(s["fonte"], {})[s["anno"]] = int(s["importo_centesimi"])
    ordine = {f: i for i, f in enumerate(FonteFinanziamento.values)}
    righe = [
        {"fonte": nome_fonte(f), "importi": [formatta_euro(valori.get(anno)) for anno in anni],
         "totale": formatta_euro(sum(valori.values()))}
        for f, valori in sorted(importi.items(), key=lambda kv: (ordine.get(kv[0], len(ordine)), kv[0]))
    ]
    per_anno = [sum(v.get(anno, 0) for v in importi.values()) for anno in anni]
    return {"anni": anni, "righe": righe, "totali": [formatta_euro(t) for t in per_anno],
            "totale": formatta_euro(sum(per_anno)), "totale_centesimi": sum(per_anno)}


def confronta_stanziamenti(prima: list[dict], dopo: list[dict]) -> tuple[DifferenzaTesto, list[dict]]:
    """Budgets per year and source, old → new: the rows of the table and the field's diff."""
    vecchi = {(s["anno"], s["fonte"]): int(s["importo_centesimi"]) for s in prima}
    nuovi = {(s["anno"], s["fonte"]): int(s["importo_centesimi"]) for s in dopo}
    ordine = {f: i for i, f in enumerate(FonteFinanziamento.values)}
    righe = []
    for anno, fonte in sorted(vecchi.keys() | nuovi.keys(), key=lambda k: (k[0], ordine.get(k[1], 99), k[1])):
        v, n = vecchi.get((anno, fonte)), nuovi.get((anno, fonte))
        stato = "aggiunta" if v is None else "rimossa" if n is None else "invariata" if v == n else "modificata"
        righe.append({"anno": anno, "fonte": nome_fonte(fonte), "prima": formatta_euro(v), "dopo": formatta_euro(n),
                      "stato": stato})
    totale_prima, totale_dopo = sum(vecchi.values()), sum(nuovi.values())
    if righe:
        righe.append({"anno": "", "fonte": _("Totale"), "prima": formatta_euro(totale_prima),
                      "dopo": formatta_euro(totale_dopo), "stato": "totale"})

    def tabella(righe_da_mostrare, lato):
        if not righe_da_mostrare:
            return ""
        corpo = []
        for r in righe_da_mostrare:
            if lato == "unito":
                if r["stato"] in ("modificata", "aggiunta", "rimossa"):
                    valore = " → ".join(x for x in (_segna("del", [r["prima"]]) if r["prima"] else "",
                                                      _segna("ins", [r["dopo"]]) if r["dopo"] else "") if x)
                else:
                    valore = escape(r["dopo"])
            elif lato == "prima":
                cambiato = r["stato"] in ("modificata", "rimossa")
                valore = _segna("del", [r["prima"]]) if cambiato and r["prima"] else escape(r["prima"])
            else:
                cambiato = r["stato"] in ("modificata", "aggiunta")
                valore = _segna("ins", [r["dopo"]]) if cambiato and r["dopo"] else escape(r["dopo"])
            corpo.append(f"<tr><td>{escape(r['anno'])}</td><td>{escape(r['fonte'])}</td>"
                         f"<td class=\"text-end\">{valore}</td></tr>")
        testata = (f"<thead><tr><th scope=\"col\">{escape(_('Anno'))}</th><th scope=\"col\">{escape(_('Fonte'))}</th>"
                   f"<th scope=\"col\" class=\"text-end\">{escape(_('Importo'))}</th></tr></thead>")
        return f"<table class=\"table table-sm\">{testata}<tbody>{''.join(corpo)}</tbody></table>"

    cambiato = vecchi != nuovi
    return DifferenzaTesto(html=tabella(righe, "unito"), cambiato=cambiato, prima=tabella(righe, "prima"),
                           dopo=tabella(righe, "dopo")), righe


def _descrivi_indicatore(i: dict) -> str:
    base = i.get("valore_base") or "–"
    return f"{i.get('descrizione', '')} ({i.get('unita', '')}): {base} → {i.get('valore_obiettivo', '')}"


def _accoppia(prima: list[dict], dopo: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Pair items by ``id`` (falling back to ``codice``), in the new order; a removed item
    stays after the item it followed."""
    def chiavi(x):
        return [k for k in (("id", x.get("id")), ("codice", x.get("codice"))) if k[1] not in (None, "")]

    indice: dict[tuple, int] = {}
    for i, x in enumerate(prima):
        for k in chiavi(x):
            indice.setdefault(k, i)
    usati: set[int] = set()
    coppie_dopo: list[tuple[int | None, dict]] = []
    for y in dopo:
        trovato = next((indice[k] for k in chiavi(y) if k in indice and indice[k] not in usati), None)
        if trovato is not None:
            usati.add(trovato)
        coppie_dopo.append((trovato, y))
    # A removed item follows the kept item that preceded it in the old order (or opens the list).
    tolti: dict[int, list[dict]] = {}
    precedente = -1
    for i, x in enumerate(prima):
        if i in usati:
            precedente = i
        else:
            tolti.setdefault(precedente, []).append(x)
    risultato: list[tuple[dict | None, dict | None]] = [(x, None) for x in tolti.get(-1, [])]
    for trovato, y in coppie_dopo:
        risultato.append((prima[trovato] if trovato is not None else None, y))
        if trovato is not None:
            risultato += [(x, None) for x in tolti.get(trovato, [])]
    return risultato


def _stato(prima, dopo, campi: dict[str, DifferenzaTesto], figli: list[DifferenzaVoce]) -> str:
    if prima is None:
        return "aggiunta"
    if dopo is None:
        return "rimossa"
    if any(c.cambiato for c in campi.values()) or any(f.stato != "invariata" for f in figli):
        return "modificata"
    return "invariata"


def _titolo(voce: dict) -> str:
    return " ".join(x for x in (voce.get("codice", ""), voce.get("titolo", "")) if x)


def _chiave(voce: dict) -> str:
    return str(voce.get("id") or voce.get("codice") or "")


def _confronta_azione(prima: dict | None, dopo: dict | None) -> DifferenzaVoce:
    p, d = prima or {}, dopo or {}
    campi = {nome: _confronta_campo(p.get(nome, ""), d.get(nome, ""))
             for nome in ("codice", "titolo", "descrizione", "area", "destinatari", "capofila", "inizio", "fine")}
    campi["partner"] = _confronta_elenco(list(p.get("partner", [])), list(d.get("partner", [])))
    campi["stanziamenti"], righe = confronta_stanziamenti(p.get("stanziamenti", []), d.get("stanziamenti", []))
    campi["indicatori"] = _confronta_elenco([_descrivi_indicatore(i) for i in p.get("indicatori", [])],
                                            [_descrivi_indicatore(i) for i in d.get("indicatori", [])])
    voce = DifferenzaVoce(chiave=_chiave(d or p), titolo=_titolo(d or p), stato=_stato(prima, dopo, campi, []),
                          campi=campi)
    voce.stanziamenti = righe
    return voce


def _confronta_obiettivo(prima: dict | None, dopo: dict | None) -> DifferenzaVoce:
    p, d = prima or {}, dopo or {}
    campi = {nome: _confronta_campo(p.get(nome, ""), d.get(nome, ""))
             for nome in ("codice", "titolo", "descrizione", "area")}
    campi["tipo"] = _confronta_campo(_nome_tipo(p.get("tipo", "")), _nome_tipo(d.get("tipo", "")))
    figli = [_confronta_azione(a, b) for a, b in _accoppia(p.get("azioni", []), d.get("azioni", []))]
    return DifferenzaVoce(chiave=_chiave(d or p), titolo=_titolo(d or p), stato=_stato(prima, dopo, campi, figli),
                          campi=campi, figli=figli)


def _nome_tipo(tipo: str) -> str:
    try:
        return str(Obiettivo.Tipo(tipo).label)
    except ValueError:
        return tipo


def _confronta_sezione(prima: dict | None, dopo: dict | None) -> DifferenzaVoce:
    p, d = prima or {}, dopo or {}
    campi = {
        "titolo": _confronta_campo(p.get("titolo", ""), d.get("titolo", "")),
        "testo": confronta_html(p.get("testo", ""), d.get("testo", "")),
        "bisogni": _confronta_citazioni(p.get("bisogni", []), d.get("bisogni", []), _citazione_bisogno),
        "offerta": _confronta_citazioni(p.get("offerta", []), d.get("offerta", []), _citazione_offerta),
    }
    return DifferenzaVoce(chiave=(d or p).get("codice", ""), titolo=(d or p).get("titolo", ""),
                          stato=_stato(prima, dopo, campi, []), campi=campi)


def confronta(prima: dict, dopo: dict, *, da: int = 0, a: int = 0) -> Confronto:
    """Compare two snapshots per section (text by words, cited needs and offer) and per
    objective and action (every field, budgets and indicators)."""
    return Confronto(
        da=da, a=a,
        # Sections carry no id: their template code identifies them.
        sezioni=[_confronta_sezione(x, y) for x, y in _accoppia(prima.get("sezioni", []), dopo.get("sezioni", []))],
        obiettivi=[_confronta_obiettivo(x, y) for x, y in _accoppia(prima.get("obiettivi", []),
                                                                     dopo.get("obiettivi", []))],
    )


ETICHETTE = {
    "codice": _lazy("Codice"), "tipo": _lazy("Tipo"), "titolo": _lazy("Titolo"),
    "descrizione": _lazy("Descrizione"), "area": _lazy("Area di intervento"),
    "destinatari": _lazy("Destinatari"), "capofila": _lazy("Ente responsabile"),
    "partner": _lazy("Partner"), "inizio": _lazy("Inizio"), "fine": _lazy("Fine"),
    "indicatori": _lazy("Indicatori"), "stanziamenti": _lazy("Stanziamenti"),
    "testo": _lazy("Testo"), "bisogni": _lazy("Bisogni citati"),
    "offerta": _lazy("Unità di offerta citate"),
}
STATI = {
    "aggiunta": _lazy("aggiunta"), "rimossa": _lazy("rimossa"),
    "modificata": _lazy("modificata"), "invariata": _lazy("invariata"),
}


def _etichetta_voce(voce) -> None:
    """The fields worth showing of a compared item, with their labels."""
    tutti = voce.stato in ("aggiunta", "rimossa")
    voce.righe = [(ETICHETTE.get(nome, nome), diff) for nome, diff in voce.campi.items()
                  if nome not in ("testo", "stanziamenti") and (diff.cambiato or tutti)
                  and (diff.html or diff.prima or diff.dopo)]
    voce.stato_nome = STATI.get(voce.stato, voce.stato)
    for figlio in voce.figli:
        _etichetta_voce(figlio)


def etichetta_differenze(confronto: Confronto) -> Confronto:
    """Give each compared item ``righe`` (label, difference) for its fields worth showing (all
    of them for an added or removed item; the text and budgets are shown apart) and
    ``stato_nome``, the state in words."""
    for voce in confronto.sezioni + confronto.obiettivi:
        _etichetta_voce(voce)
    return confronto
