"""Versions of the plan's content: the snapshot of the working draft, freezing it into a
numbered ``VersionePiano`` (with its PDF act), and the comparison of any two versions.

The snapshot is a plain JSON dict, stable in key order, so that its SHA-256 (``impronta``)
tells whether the draft changed since the last frozen version::

    {
      "titolo": str,                      # the plan's title
      "sezioni": [{"codice", "titolo", "testo" (sanitised HTML),
                   "bisogni": [{"id", "area", "destinatari", "descrizione", "priorita", "tavolo", "ente"}],
                   "offerta": [{"id", "tipo", "denominazione", "comune", "capacita", "gestore"}]}],
      "obiettivi": [{"id", "codice", "tipo", "titolo", "descrizione", "area",
                     "azioni": [{"id", "codice", "titolo", "descrizione", "area", "destinatari",
                                 "capofila", "partner": [str], "inizio", "fine" (ISO dates or ""),
                                 "stanziamenti": [{"anno", "fonte", "importo_centesimi"}],
                                 "indicatori": [{"descrizione", "unita", "valore_base", "valore_obiettivo"}]}]}],
    }

Ids are the database ids of the working draft's rows (they let the comparison pair an
action with itself across versions even if renamed); numbers are strings in the snapshot
(Decimals as their canonical string, amounts as integer cents).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html.parser import HTMLParser

from django.db import transaction
from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ambiti.ruoli import PERMESSI_DI_LETTURA, Permessi

from .exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from .models import (
    Azione,
    Documento,
    FonteFinanziamento,
    Obiettivo,
    PianoDiZona,
    SezionePiano,
    Stato,
    VersionePiano,
)

CHIAVE_DEFINITIVO = "piano-definitivo:versione-piano:"


def _data(valore) -> str:
    return valore.isoformat() if valore else ""


def _decimale(valore) -> str:
    return "" if valore is None else str(valore)


def _nome(oggetto) -> str:
    return str(oggetto) if oggetto is not None else ""


def istantanea(piano: PianoDiZona) -> dict:
    """The working draft as a snapshot dict (format above), in a constant number of queries."""
    from tavoli.models import Bisogno, UnitaOfferta

    sezioni = SezionePiano.objects.filter(piano=piano).order_by("ordine", "pk").prefetch_related(
        Prefetch("bisogni", queryset=Bisogno.objects.select_related("area", "ente", "seduta__tavolo")
                 .order_by("pk")),
        Prefetch("offerta", queryset=UnitaOfferta.objects.select_related("tipo", "comune", "gestore")
                 .order_by("pk")),
    )
    azioni = Azione.objects.select_related("area", "capofila").order_by("ordine", "pk").prefetch_related(
        "stanziamenti", "indicatori", "partner",
    )
    obiettivi = Obiettivo.objects.filter(piano=piano).select_related("area").order_by("ordine", "pk") \
        .prefetch_related(Prefetch("azioni", queryset=azioni))
    return {
        "titolo": piano.titolo,
        "sezioni": [
            {
                "codice": s.codice,
                "titolo": s.titolo,
                "testo": s.testo,
                "bisogni": [
                    {"id": b.pk, "area": _nome(b.area), "destinatari": b.destinatari, "descrizione": b.descrizione,
                     "priorita": b.priorita, "tavolo": _nome(b.seduta.tavolo), "ente": _nome(b.ente)}
                    for b in s.bisogni.all()
                ],
                "offerta": [
                    {"id": u.pk, "tipo": _nome(u.tipo), "denominazione": u.denominazione,
                     "comune": u.comune.denominazione, "capacita": "" if u.capacita is None else str(u.capacita),
                     "gestore": u.gestito_da}
                    for u in s.offerta.all()
                ],
            }
            for s in sezioni
        ],
        "obiettivi": [
            {
                "id": o.pk, "codice": o.codice, "tipo": o.tipo, "titolo": o.titolo, "descrizione": o.descrizione,
                "area": _nome(o.area),
                "azioni": [
                    {
                        "id": a.pk, "codice": a.codice, "titolo": a.titolo, "descrizione": a.descrizione,
                        "area": _nome(a.area), "destinatari": a.destinatari, "capofila": _nome(a.capofila),
                        "partner": sorted(str(e) for e in a.partner.all()),
                        "inizio": _data(a.inizio), "fine": _data(a.fine),
                        "stanziamenti": [
                            {"anno": st.anno, "fonte": st.fonte, "importo_centesimi": st.importo_centesimi}
                            for st in sorted(a.stanziamenti.all(), key=lambda x: (x.anno, x.fonte))
                        ],
                        "indicatori": [
                            {"descrizione": i.descrizione, "unita": i.unita,
                             "valore_base": _decimale(i.valore_base), "valore_obiettivo": _decimale(i.valore_obiettivo)}
                            for i in sorted(a.indicatori.all(), key=lambda x: (x.ordine, x.pk))
                        ],
                    }
                    for a in o.azioni.all()
                ],
            }
            for o in obiettivi
        ],
    }


def impronta(contenuto: dict) -> str:
    """SHA-256 of the canonical JSON of a snapshot."""
    canonico = json.dumps(contenuto, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonico.encode("utf-8")).hexdigest()


def versione_ultima(piano: PianoDiZona) -> VersionePiano | None:
    return VersionePiano.objects.filter(piano=piano).order_by("-numero").first()


def bozza_modificata(piano: PianoDiZona) -> bool:
    """Whether the working draft differs from the last frozen version (or none exists)."""
    ultima = VersionePiano.objects.filter(piano=piano).order_by("-numero").values_list("impronta", flat=True).first()
    return ultima is None or ultima != impronta(istantanea(piano))


def versione_congela(*, piano: PianoDiZona, utente, motivo: str, nota: str = "") -> VersionePiano:
    """Freeze the working draft as the next numbered version (Ufficio di Piano only; the
    caller may be another service that already checked it — pass ``utente`` anyway for the
    log). If the draft did not change since the last version with the same content, return
    that version instead of a duplicate. Requests the PDF act (kind ``piano_bozza``, key
    ``versione-piano:<pk>``) through ``services_documenti.atto_richiedi``.

    The plan's row is locked, so two simultaneous freezes get consecutive numbers (or the
    second returns the first's version when nothing changed in between). A concluded or
    cancelled plan is never frozen again."""
    from .services_documenti import atto_richiedi

    if motivo not in VersionePiano.Motivo.values:
        raise DatiNonValidi(_("Motivo della versione non valido: %(motivo)s.") % {"motivo": motivo})
    with transaction.atomic():
        piano = PianoDiZona.objects.select_for_update().get(pk=piano.pk)
        ambiti = list(piano.ambiti.all())
        if not Permessi(utente).ha_su_alcuno("gestisci_piano", ambiti):
            raise PermessoNegato(_("Solo l'Ufficio di Piano congela una versione del piano."))
        if piano.stato in (Stato.CONCLUSO, Stato.ANNULLATO):
            raise TransizioneNonAmmessa(
                _("Il piano è %(stato)s: non se ne congelano altre versioni.")
                % {"stato": piano.get_stato_display().lower()})
        contenuto = istantanea(piano)
        firma = impronta(contenuto)
        ultima = versione_ultima(piano)
        if ultima is not None and ultima.impronta == firma:
            return ultima
        versione = VersionePiano.objects.create(
            piano=piano, numero=(ultima.numero if ultima else 0) + 1, motivo=motivo, nota=nota,
            contenuto=contenuto, impronta=firma, creata_da=utente,
        )
        versione.documento = atto_richiedi(
            tipo=Documento.Tipo.PIANO_BOZZA, ambito=ambiti[0], piano=piano,
            titolo=_("Piano di Zona – versione %(n)s – %(titolo)s") % {"n": versione.numero, "titolo": piano.titolo},
            chiave=f"versione-piano:{versione.pk}", utente=utente, versione=versione.numero,
        )
        versione.save(update_fields=["documento"])
        return versione


def testo_definitivo_richiedi(*, piano: PianoDiZona, utente, ambito=None) -> Documento:
    """The final text for the Assemblea is a frozen version: freeze the draft (reason
    «assemblea»; an unchanged draft keeps its last version) and request its act, numbered
    with the version (``Documento.versione``). The same version always gives the same act, so
    what the Assemblea approves is exactly that text."""
    from .services_documenti import atto_richiedi

    if utente is None:
        raise PermessoNegato(_("Solo l'Ufficio di Piano genera il testo definitivo del piano."))
    with transaction.atomic():
        versione = versione_congela(piano=piano, utente=utente, motivo=VersionePiano.Motivo.ASSEMBLEA)
        return atto_richiedi(
            tipo=Documento.Tipo.PIANO_DEFINITIVO, ambito=ambito or piano.ambiti.first(), piano=piano,
            titolo=_("%(tipo)s – %(titolo)s (versione %(n)s)") % {
                "tipo": Documento.Tipo.PIANO_DEFINITIVO.label, "titolo": piano.titolo, "n": versione.numero},
            chiave=f"{CHIAVE_DEFINITIVO}{versione.pk}", utente=utente, versione=versione.numero,
        )


def versione_dell_atto(documento: Documento) -> VersionePiano | None:
    """The frozen version a plan act renders: the version's own PDF, or the final text made
    from it (its key names the version)."""
    versione = VersionePiano.objects.filter(documento=documento).first()
    if versione is None and documento.chiave.startswith(CHIAVE_DEFINITIVO):
        versione = VersionePiano.objects.filter(
            pk=documento.chiave.removeprefix(CHIAVE_DEFINITIVO), piano_id=documento.piano_id).first()
    return versione


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


# --- reading a snapshot -----------------------------------------------------------------------


def testo_sicuro(html: str) -> str:
    """A section's HTML for output. It was sanitised when saved; it is cleaned again here
    (a snapshot is data, and data can be old), or escaped whole if the sanitiser is missing."""
    from django.utils.safestring import mark_safe

    try:
        import nh3
    except ImportError:  # pragma: no cover - nh3 is a dependency
        return escape(html or "")
    return mark_safe(nh3.clean(html or ""))  # noqa: S308 - cleaned by nh3 just above


def contenuto_leggibile(contenuto: dict) -> dict:
    """A snapshot ready for a page or an act: sanitised section texts, labels of kinds and
    priorities, each action's budget table and the plan's totals per source."""
    from tavoli.models import LivelloPriorita

    def etichetta(scelte, valore):
        try:
            return str(scelte(valore).label)
        except ValueError:
            return valore

    sezioni = [
        {**s, "testo_html": testo_sicuro(s.get("testo", "")),
         "bisogni": [{**b, "priorita_nome": etichetta(LivelloPriorita, b.get("priorita", ""))}
                     for b in s.get("bisogni", [])]}
        for s in contenuto.get("sezioni", [])
    ]
    tutti: list[dict] = []
    obiettivi = []
    for o in contenuto.get("obiettivi", []):
        azioni = []
        for a in o.get("azioni", []):
            tutti += a.get("stanziamenti", [])
            azioni.append({**a, "tabella": tabella_stanziamenti(a.get("stanziamenti", []))})
        obiettivi.append({**o, "tipo_nome": etichetta(Obiettivo.Tipo, o.get("tipo", "")), "azioni": azioni})
    return {"titolo": contenuto.get("titolo", ""), "sezioni": sezioni, "obiettivi": obiettivi,
            "totale": tabella_stanziamenti(tutti)}


def versione_congela_a_mano(*, piano: PianoDiZona, utente, nota: str = "") -> VersionePiano:
    """The Ufficio di Piano freezes the draft on its own initiative (to circulate or keep a
    stage of it): only while the draft is being written."""
    if piano.stato != Stato.BOZZA:
        raise TransizioneNonAmmessa(_("Una versione si congela a mano solo durante la stesura della bozza."))
    return versione_congela(piano=piano, utente=utente, motivo=VersionePiano.Motivo.ALTRO, nota=nota.strip())


# --- who reads which versions -----------------------------------------------------------------

# Reading the plan through any role but the union's: a union reads only what it was sent.
_LETTURA_PIENA = tuple(p for p in PERMESSI_DI_LETTURA if p != "esprimi_parere")


@dataclass
class Accesso:
    """What a user may read of a plan's versions: all of them (Ufficio di Piano, readers of the
    ambito, regional officers), the working draft too (Ufficio di Piano), or — for a union's
    referent — only the versions sent to their union for its parere."""

    piano: PianoDiZona
    udp: bool
    completo: bool
    inviate: frozenset[int]

    def vede(self, numero: int) -> bool:
        if numero == 0:
            return self.udp
        return self.completo or numero in self.inviate


def accesso_versioni(utente, piano: PianoDiZona) -> Accesso | None:
    """None when the user may read no version of the plan."""
    if not utente.is_authenticated:
        return None
    ambiti = list(piano.ambiti.select_related("asl"))
    permessi = Permessi(utente)
    permessi.prefetch(ambiti)
    udp = permessi.ha_su_alcuno("gestisci_piano", ambiti)
    completo = udp or any(permessi.ha(p, a) for a in ambiti for p in _LETTURA_PIENA) or any(
        permessi.consulta_regione(a.asl.regione_id) for a in ambiti)
    inviate: frozenset[int] = frozenset()
    if not completo:
        # A version is sent to a union when a consultation on it awaits (or holds) a parere
        # of a body the user acts for.
        inviate = frozenset(VersionePiano.objects.filter(
            piano=piano, consultazioni__pareri__sindacato__incarichi__utente=utente,
            consultazioni__pareri__sindacato__incarichi__attivo=True,
        ).values_list("numero", flat=True))
        if not inviate:
            return None
    return Accesso(piano=piano, udp=udp, completo=completo, inviate=inviate)


def versioni_leggibili(accesso: Accesso):
    """The versions the user may read, newest first, without their (large) content."""
    versioni = (VersionePiano.objects.filter(piano=accesso.piano).select_related("creata_da", "documento")
                .defer("contenuto").order_by("-numero"))
    if not accesso.completo:
        versioni = versioni.filter(numero__in=accesso.inviate)
    return versioni
