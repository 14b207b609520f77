"""What the dashboards read: for a cycle and a set of ambiti (a region filtered by ASL or
province, or one ambito), each ambito's place in the iter, the resources of its plan by source,
the share of the Comuni's social spending conferred to the Ufficio di Piano, and the Terzo
Settore bodies that adhere to its Accordo.

The regional page and the ambito page call the same ``cruscotto`` with different filters. Every
figure comes from a GROUP BY query (by ambito, by plan, by source, by type): the number of
queries is fixed whatever the number of ambiti, and Python only walks aggregated rows.

Resources and adherents belong to a plan, which may span several ambiti: an ambito's row shows
its plan's figures (per inhabitant of the plan's ambiti), the totals count each plan once."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accordi.models import (
    CicloProgrammazione,
    PianoAmbito,
    RichiestaAdesione,
    RisorsaAdesione,
    Stato,
)
from accordi.models.adesioni import StatoAdesione
from ambiti.models import Ambito, Comune

from .models import AmbitoSpesa, FonteRisorsa, SpesaSocialeComune, TipoImporto, VoceRisorsa
from .selectors_quadro import TabellaFonti, fonti_della_spesa, pro_capite
from .selectors_spesa import ETICHETTE_CLASSE, codice_classe, quota, quote_per_ambito
from .versioni import versione_regione

ADERENTI = (StatoAdesione.ACCOLTA, StatoAdesione.SOTTOSCRITTA)
# Requests waiting for the Ufficio di Piano or for the body's integration (drafts are the body's).
IN_ATTESA = (StatoAdesione.INVIATA, StatoAdesione.IN_ISTRUTTORIA, StatoAdesione.INTEGRAZIONE_RICHIESTA)
NON_AVVIATO = "non_avviato"
ORDINE_STATI = [s.value for s in Stato] + [NON_AVVIATO]
# Columns of the UdP-share histogram: 10-point buckets, 100% in the last one.
BORDI_QUOTA = list(range(0, 101, 10))


@dataclass(frozen=True)
class Filtri:
    regione_id: int
    ciclo: CicloProgrammazione | None
    asl_id: int | None = None
    provincia_id: int | None = None
    ambito_id: int | None = None
    tipo: str = TipoImporto.PREVISTO
    anno: int | None = None


@dataclass
class RigaAmbito:
    pk: int
    nome: str
    codice: str
    asl: str
    popolazione: int = 0
    piano_id: int | None = None
    piano_titolo: str = ""
    stato: str = NON_AVVIATO
    vigente_dal: datetime.date | None = None
    giorni: int | None = None  # to the deadline (negative: past it); None once in force
    piano_condiviso: bool = False
    risorse: int = 0  # cents, of the plan
    popolazione_piano: int = 0
    conferita: int | None = None
    spesa_totale: int | None = None
    aderenti: int = 0
    in_attesa: int = 0
    valore_terzo_settore: int = 0  # cents
    valore_per_tipo: dict[str, int] = field(default_factory=dict)

    @property
    def etichetta_stato(self) -> str:
        return etichetta_stato(self.stato)

    @property
    def in_ritardo(self) -> bool:
        return self.giorni is not None and self.giorni < 0

    @property
    def pro_capite(self) -> int | None:
        """Cents per inhabitant of the plan's ambiti."""
        return pro_capite(self.risorse, self.popolazione_piano) if self.piano_id else None

    @property
    def quota(self) -> Decimal | None:
        return quota(self.conferita, self.spesa_totale)

    @property
    def classe(self) -> str | None:
        return codice_classe(self.quota)


@dataclass
class Cruscotto:
    filtri: Filtri
    oggi: datetime.date
    righe: list[RigaAmbito]
    popolazione: int
    fonti: list[dict]
    categorie: TabellaFonti  # seed 004's table 1.1, by category
    totali_risorse: dict[str, int]
    anni_spesa: list[int]
    anno_spesa: int | None
    risorse_terzo_settore: list[dict]
    aderenti: int
    in_attesa: int
    calcolato_il: datetime.datetime | None = None  # set when the figures come from the cache

    @property
    def pro_capite(self) -> int | None:
        return self.categorie.totale.pro_capite

    def conteggi_stato(self) -> list[tuple[str, str, int]]:
        conta = {}
        for r in self.righe:
            conta[r.stato] = conta.get(r.stato, 0) + 1
        return [(s, etichetta_stato(s), conta[s]) for s in ORDINE_STATI if s in conta]

    @property
    def in_ritardo(self) -> int:
        return sum(1 for r in self.righe if r.in_ritardo)

    def distribuzione_quote(self) -> list[int]:
        conteggi = [0] * (len(BORDI_QUOTA) - 1)
        for r in self.righe:
            q = r.quota
            if q is not None:
                conteggi[min(int(q // 10), len(conteggi) - 1)] += 1
        return conteggi

    def classi_quote(self) -> list[tuple[str, str, int]]:
        conta = {"alta": 0, "media": 0, "bassa": 0, None: 0}
        for r in self.righe:
            conta[r.classe] += 1
        return [(c, str(ETICHETTE_CLASSE[c]), conta[c]) for c in ("alta", "media", "bassa")] + [
            ("senza_dati", str(_("senza dati")), conta[None])]


def etichetta_stato(codice: str) -> str:
    if codice == NON_AVVIATO:
        return _("Piano non avviato")
    return str(Stato(codice).label)


def ciclo_predefinito(cicli: list[CicloProgrammazione], oggi: datetime.date) -> CicloProgrammazione | None:
    """The cycle whose Accordi are valid today, else the latest one."""
    in_corso = [c for c in cicli if c.validita_inizio <= oggi <= c.validita_fine]
    if in_corso:
        return max(in_corso, key=lambda c: c.anno_inizio)
    return max(cicli, key=lambda c: c.anno_inizio, default=None)


def ambiti_filtrati(f: Filtri) -> QuerySet[Ambito]:
    qs = Ambito.objects.filter(asl__regione_id=f.regione_id)
    if f.ambito_id:
        qs = qs.filter(pk=f.ambito_id)
    if f.asl_id:
        qs = qs.filter(asl_id=f.asl_id)
    if f.provincia_id:
        # An ambito belongs to a province if one of its Comuni does (a subquery: no duplicates).
        qs = qs.filter(pk__in=Ambito.comuni.through.objects.filter(comune__provincia_id=f.provincia_id)
                       .values("ambito_id"))
    return qs


def _partecipazioni(f: Filtri, ambiti: QuerySet[Ambito]) -> QuerySet[PianoAmbito]:
    if f.ciclo is None:
        return PianoAmbito.objects.none()
    return PianoAmbito.objects.filter(ciclo=f.ciclo, ambito__in=ambiti).exclude(piano__stato=Stato.ANNULLATO)


def cruscotto(f: Filtri, oggi: datetime.date | None = None) -> Cruscotto:
    oggi = oggi or timezone.localdate()
    ambiti = ambiti_filtrati(f)
    righe = {a["pk"]: RigaAmbito(pk=a["pk"], nome=a["nome"], codice=a["codice"], asl=a["asl__nome"])
             for a in ambiti.values("pk", "nome", "codice", "asl__nome").order_by("nome", "pk")}
    # Over distinct Comuni: a Comune listed in two ambiti counts once.
    popolazione = Comune.objects.filter(
        pk__in=Ambito.comuni.through.objects.filter(ambito__in=ambiti).values("comune_id")
    ).aggregate(p=Sum("popolazione"))["p"] or 0

    partecipazioni = _partecipazioni(f, ambiti)
    piani_sq = partecipazioni.values("piano_id")
    # Every ambito of the plans read, in or out of the filters (a plan may cross a province):
    # their population once per ambito, summed per plan in Python below. Grouping the plans'
    # links joined to all the Comuni made the database walk every link of Italy first.
    legami = list(PianoAmbito.objects.filter(piano_id__in=piani_sq).values_list("piano_id", "ambito_id"))
    abitanti: dict[int, int] = {}
    # By the ids already read (at most a region's ambiti): an IN list, cheaper than an OR of two
    # subqueries on both databases.
    for r in (Ambito.comuni.through.objects.filter(ambito_id__in=set(righe) | {a for _p, a in legami})
              .values("ambito_id").annotate(p=Sum("comune__popolazione")).order_by()):
        abitanti[r["ambito_id"]] = r["p"] or 0
    for riga in righe.values():
        riga.popolazione = abitanti.get(riga.pk, 0)
    per_piano: dict[int, list[RigaAmbito]] = {}
    scadenza = f.ciclo.scadenza_approvazione if f.ciclo else None
    for p in partecipazioni.values("ambito_id", "piano_id", "piano__titolo", "piano__stato",
                                   "piano__vigente_dal").order_by("piano_id"):
        riga = righe[p["ambito_id"]]
        riga.piano_id, riga.piano_titolo = p["piano_id"], p["piano__titolo"]
        riga.stato, riga.vigente_dal = p["piano__stato"], p["piano__vigente_dal"]
        per_piano.setdefault(p["piano_id"], []).append(riga)
    for riga in righe.values():
        # The deadline matters until the plan is in force; an ambito without a plan is late too.
        if scadenza and riga.vigente_dal is None and riga.stato != Stato.CONCLUSO:
            riga.giorni = (scadenza - oggi).days
    ambiti_del_piano: dict[int, set[int]] = {}
    for piano_id, ambito_id in legami:
        ambiti_del_piano.setdefault(piano_id, set()).add(ambito_id)
    for piano_id, ambiti_piano in ambiti_del_piano.items():
        for riga in per_piano.get(piano_id, []):
            riga.popolazione_piano = sum(abitanti.get(a, 0) for a in ambiti_piano)
            riga.piano_condiviso = len(ambiti_piano) > 1

    voci = VoceRisorsa.objects.filter(piano_id__in=piani_sq, tipo=f.tipo)
    for r in voci.values("piano_id").annotate(t=Sum("importo_centesimi")).order_by():
        for riga in per_piano.get(r["piano_id"], []):
            riga.risorse = r["t"] or 0
    fonti, categorie, totali = _fonti(voci, popolazione)

    anni_spesa = list(SpesaSocialeComune.objects.filter(ambito__in=ambiti).values_list("anno", flat=True)
                      .distinct().order_by("-anno"))
    # A chosen year is kept even without data for these ambiti (they show "senza dati").
    anno_spesa = f.anno if f.anno is not None else (anni_spesa[0] if anni_spesa else None)
    if anno_spesa is not None:
        for ambito_id, (conferita, totale) in quote_per_ambito(ambiti, anno_spesa).items():
            righe[ambito_id].conferita, righe[ambito_id].spesa_totale = conferita, totale

    adesioni = RichiestaAdesione.objects.filter(accordo__piano_id__in=piani_sq)
    conta = dict(aderenti=Count("ente", distinct=True, filter=Q(stato__in=ADERENTI)),
                 in_attesa=Count("pk", filter=Q(stato__in=IN_ATTESA)))
    for r in adesioni.values("accordo__piano_id").annotate(**conta).order_by():
        for riga in per_piano.get(r["accordo__piano_id"], []):
            riga.aderenti, riga.in_attesa = r["aderenti"], r["in_attesa"]
    totali_adesioni = adesioni.aggregate(**conta)
    risorse_ts = RisorsaAdesione.objects.filter(richiesta__accordo__piano_id__in=piani_sq,
                                                richiesta__stato__in=ADERENTI)
    per_tipo: dict[str, dict] = {}
    for r in (risorse_ts.values("richiesta__accordo__piano_id", "tipo")
              .annotate(q=Sum("quantita"), v=Sum("valore_centesimi")).order_by()):
        for riga in per_piano.get(r["richiesta__accordo__piano_id"], []):
            riga.valore_per_tipo[r["tipo"]] = r["v"] or 0
            riga.valore_terzo_settore += r["v"] or 0
        # Each plan once in the totals, whatever the number of its ambiti.
        somma = per_tipo.setdefault(r["tipo"], {"quantita": Decimal(0), "valore": 0})
        somma["quantita"] += r["q"] or 0
        somma["valore"] += r["v"] or 0
    risorse_terzo_settore = [
        {"tipo": t.value, "etichetta": str(t.label), "quantita": per_tipo[t.value]["quantita"],
         "valore": per_tipo[t.value]["valore"]}
        for t in RisorsaAdesione.Tipo if t.value in per_tipo]

    return Cruscotto(
        filtri=f, oggi=oggi, righe=list(righe.values()), popolazione=popolazione, fonti=fonti,
        categorie=categorie, totali_risorse=totali, anni_spesa=anni_spesa, anno_spesa=anno_spesa,
        risorse_terzo_settore=risorse_terzo_settore, aderenti=totali_adesioni["aderenti"] or 0,
        in_attesa=totali_adesioni["in_attesa"] or 0,
    )


def _fonti(voci: QuerySet[VoceRisorsa], popolazione: int) -> tuple[list[dict], TabellaFonti, dict[str, int]]:
    """Per source (in the order of the categories) sociale, sociosanitario, total and per
    inhabitant; seed 004's table 1.1 by category (the stacked chart's data); the totals."""
    fonti: dict[int, dict] = {}
    for r in (voci.values("fonte_id", "fonte__nome", "fonte__categoria", "fonte__ordine", "ambito_spesa")
              .annotate(t=Sum("importo_centesimi")).order_by()):
        riga = fonti.setdefault(r["fonte_id"], {
            "nome": r["fonte__nome"], "categoria": r["fonte__categoria"], "ordine": r["fonte__ordine"],
            AmbitoSpesa.SOCIALE.value: 0, AmbitoSpesa.SOCIOSANITARIO.value: 0})
        riga[r["ambito_spesa"]] += r["t"] or 0
    ordine_cat = [c.value for c in FonteRisorsa.Categoria]
    elenco = sorted(fonti.values(), key=lambda r: (ordine_cat.index(r["categoria"]), r["ordine"], r["nome"]))
    per_categoria: dict[str, dict[str, int]] = {}
    for r in elenco:
        r["totale"] = r["sociale"] + r["sociosanitario"]
        r["pro_capite"] = pro_capite(r["totale"], popolazione)
        r["etichetta_categoria"] = str(FonteRisorsa.Categoria(r["categoria"]).label)
        c = per_categoria.setdefault(r["categoria"], {"sociale": 0, "sociosanitario": 0})
        c["sociale"] += r["sociale"]
        c["sociosanitario"] += r["sociosanitario"]
    tabella = fonti_della_spesa(per_categoria, popolazione)
    t = tabella.totale
    return elenco, tabella, {"sociale": t.sociale, "sociosanitario": t.sociosanitario, "totale": t.totale}


def quote_per_anno(f: Filtri) -> list[dict]:
    """The UdP share of the filtered ambiti year by year (one GROUP BY anno): the ambito
    dashboard's history."""
    righe = (SpesaSocialeComune.objects.filter(ambito__in=ambiti_filtrati(f)).values("anno")
             .annotate(conferita=Sum("conferita_udp_centesimi"), totale=Sum("spesa_totale_centesimi"),
                       comuni=Count("comune_id", distinct=True))
             .order_by("anno"))
    risultato = []
    for r in righe:
        q = quota(r["conferita"], r["totale"])
        c = codice_classe(q)
        risultato.append({**r, "quota": q, "classe": c, "etichetta_classe": str(ETICHETTE_CLASSE[c]) if c else ""})
    return risultato


ORDINI = {
    "nome": (lambda r: (r.nome.lower(), r.pk), False),
    "stato": (lambda r: (ORDINE_STATI.index(r.stato), r.nome.lower()), False),
    "scadenza": (lambda r: (r.giorni is None, r.giorni if r.giorni is not None else 0, r.nome.lower()), False),
    "pro_capite": (lambda r: (r.pro_capite is not None, r.pro_capite or 0), True),
    "quota": (lambda r: (r.quota is not None, r.quota or 0), True),
    "aderenti": (lambda r: (r.aderenti, r.valore_terzo_settore), True),
}


def ordina(righe: list[RigaAmbito], ordine: str) -> list[RigaAmbito]:
    chiave, inverso = ORDINI.get(ordine, ORDINI["nome"])
    return sorted(righe, key=chiave, reverse=inverso)


# --- cache --------------------------------------------------------------------------------------
# The dashboards' figures change seldom and cost a dozen GROUP BY queries: they are kept in the
# shared cache (Redis in production) for a minute, under a key that also holds the version of
# the region's data (``versioni.versione_regione``: its counter, bumped by every write of its
# rows, and the national one, bumped by every other write of what the dashboards read), so that
# a change shows at once instead of after the minute.

CACHE_SECONDI = 60


def cruscotto_in_cache(f: Filtri, request=None) -> Cruscotto:
    """``cruscotto(f)`` for today, from the cache when the data have not changed since; with
    ``request``, the data version already read for its page is not read again."""
    oggi = timezone.localdate()
    chiave = "pianozona:cruscotto:" + hashlib.sha256(repr((
        versione_regione(request, f.regione_id), oggi.isoformat(), get_language(), f.regione_id,
        f.ciclo.pk if f.ciclo else None, f.asl_id, f.provincia_id, f.ambito_id, f.tipo, f.anno)).encode()).hexdigest()
    c = cache.get(chiave)
    if c is None:
        c = cruscotto(f, oggi)
        c.calcolato_il = timezone.now()
        cache.set(chiave, c, CACHE_SECONDI)
    return c
