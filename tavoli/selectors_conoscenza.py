"""Reading a plan's knowledge base: the needs, the offer and the proposals raised in the
sessions of its tavoli, with who may read them, filters, counts and totals. Every function
returns querysets with the joins a page or an export needs, so that the number of queries
does not grow with the number of items."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Sum, Value, When
from django.urls import reverse

from ambiti.models import Ambito, Comune
from ambiti.ruoli import Permessi

from .models import (
    AreaIntervento,
    Bisogno,
    LivelloPriorita,
    MembroTavolo,
    Proposta,
    Tavolo,
    TipoUnitaOfferta,
    UnitaOfferta,
)

ELENCHI = ("bisogni", "offerta", "proposte")

# The prefix of each item's anchor on the knowledge-base page (``bisogno-12``).
ANCORE = {Bisogno: "bisogno", UnitaOfferta: "offerta", Proposta: "proposta"}
_ELENCO_DI = {Bisogno: "bisogni", UnitaOfferta: "offerta", Proposta: "proposte"}

_ORDINE_PRIORITA = Case(
    When(priorita=LivelloPriorita.ALTA, then=Value(0)),
    When(priorita=LivelloPriorita.MEDIA, then=Value(1)),
    default=Value(2), output_field=IntegerField(),
)
_SEDUTA = ("seduta", "seduta__tavolo", "seduta__focus_group", "area", "ente")


@dataclass(frozen=True)
class Conoscenza:
    """A plan's knowledge base: three querysets, ready to iterate or to filter further."""

    bisogni: QuerySet[Bisogno]
    offerta: QuerySet[UnitaOfferta]
    proposte: QuerySet[Proposta]

    def elenco(self, nome: str) -> QuerySet:
        return getattr(self, nome)


@dataclass
class Filtri:
    """The filters of the knowledge-base page; empty values do not filter."""

    area: AreaIntervento | None = None
    priorita: str = ""
    tipo: TipoUnitaOfferta | None = None
    comune: Comune | None = None
    tavolo: Tavolo | None = None
    testo: str = ""
    voce: int | None = None  # one item only (links from the plan's draft)


def conoscenza_del_piano(piano) -> Conoscenza:
    """Everything the tavoli of ``piano`` recorded, with the session, tavolo, focus-group, area
    and body of each item: needs by area and priority (high first), offer by kind and Comune,
    proposals with the needs they answer."""
    del_piano = {"seduta__tavolo__piano": piano}
    bisogni = (
        Bisogno.objects.filter(**del_piano).select_related(*_SEDUTA)
        .prefetch_related(Prefetch("comuni", queryset=Comune.objects.order_by("denominazione")))
        .annotate(ordine_priorita=_ORDINE_PRIORITA)
        .order_by("area__ordine", "area__nome", "ordine_priorita", "pk")
    )
    offerta = (
        UnitaOfferta.objects.filter(**del_piano).select_related(*_SEDUTA, "tipo", "gestore", "comune")
        .order_by("tipo__nome", "comune__denominazione", "denominazione", "pk")
    )
    proposte = (
        Proposta.objects.filter(**del_piano).select_related(*_SEDUTA)
        .prefetch_related(Prefetch("bisogni", queryset=Bisogno.objects.order_by("pk")))
        .order_by("area__ordine", "area__nome", "pk")
    )
    return Conoscenza(bisogni=bisogni, offerta=offerta, proposte=proposte)


def filtra(conoscenza: Conoscenza, filtri: Filtri) -> Conoscenza:
    """Apply the page's filters to each list they make sense for: area, tavolo, Comune and
    free text to all three; priority to needs; kind to the offer."""
    b, o, p = conoscenza.bisogni, conoscenza.offerta, conoscenza.proposte
    if filtri.voce is not None:
        b, o, p = b.filter(pk=filtri.voce), o.filter(pk=filtri.voce), p.filter(pk=filtri.voce)
    if filtri.area:
        b, o, p = b.filter(area=filtri.area), o.filter(area=filtri.area), p.filter(area=filtri.area)
    if filtri.tavolo:
        t = filtri.tavolo
        b, o, p = b.filter(seduta__tavolo=t), o.filter(seduta__tavolo=t), p.filter(seduta__tavolo=t)
    if filtri.priorita:
        b = b.filter(priorita=filtri.priorita)
        p = p.filter(Exists(Proposta.bisogni.through.objects.filter(
            proposta_id=OuterRef("pk"), bisogno__priorita=filtri.priorita)))
    if filtri.tipo:
        o = o.filter(tipo=filtri.tipo)
    if filtri.comune:
        b = b.filter(Exists(Bisogno.comuni.through.objects.filter(bisogno_id=OuterRef("pk"),
                                                                   comune=filtri.comune)))
        o = o.filter(comune=filtri.comune)
        p = p.filter(Exists(Proposta.bisogni.through.objects.filter(
            proposta_id=OuterRef("pk"), bisogno__comuni=filtri.comune)))
    if filtri.testo:
        t = filtri.testo
        b = b.filter(Q(destinatari__icontains=t) | Q(descrizione__icontains=t) | Q(evidenza__icontains=t)
                     | Q(proposto_da__icontains=t) | Q(ente__denominazione__icontains=t))
        o = o.filter(Q(denominazione__icontains=t) | Q(gestore_nome__icontains=t)
                     | Q(gestore__denominazione__icontains=t) | Q(indirizzo__icontains=t) | Q(note__icontains=t)
                     | Q(tipo__nome__icontains=t) | Q(tipo__sigla__iexact=t))
        p = p.filter(Q(titolo__icontains=t) | Q(descrizione__icontains=t) | Q(proposto_da__icontains=t)
                     | Q(ente__denominazione__icontains=t))
    return replace(conoscenza, bisogni=b, offerta=o, proposte=p)


def conteggi_bisogni(bisogni: QuerySet[Bisogno]) -> dict:
    """Needs counted per area and priority, in one query: ``righe`` is a list of
    {'area', 'alta', 'media', 'bassa', 'totale'} in the areas' order, ``totali`` the same
    for all areas together."""
    livelli = [v for v, _etichetta in LivelloPriorita.choices]
    somme = {v: Count("pk", filter=Q(priorita=v)) for v in livelli}
    righe = list(
        bisogni.order_by().values("area_id", "area__nome", "area__ordine")
        .annotate(totale=Count("pk"), **somme).order_by("area__ordine", "area__nome")
    )
    totali = {v: sum(r[v] for r in righe) for v in [*livelli, "totale"]}
    return {"righe": [{"area": r["area__nome"], "area_id": r["area_id"], **{v: r[v] for v in [*livelli, "totale"]}}
                      for r in righe],
            "totali": totali, "livelli": LivelloPriorita.choices}


def totali_offerta(offerta: QuerySet[UnitaOfferta]) -> dict:
    """Units and capacity per kind of service and per Comune, in two queries. Capacities are
    summed only within the same unit of measure (places and users do not add up)."""
    per_tipo = list(
        offerta.order_by().values("tipo_id", "tipo__nome", "tipo__sigla", "tipo__unita_capacita")
        .annotate(unita=Count("pk"), capacita=Sum("capacita")).order_by("tipo__nome")
    )
    per_comune: dict[int, dict] = {}
    for r in (offerta.order_by().values("comune_id", "comune__denominazione", "tipo__unita_capacita")
              .annotate(unita=Count("pk"), capacita=Sum("capacita")).order_by("comune__denominazione")):
        voce = per_comune.setdefault(r["comune_id"], {"comune": r["comune__denominazione"], "unita": 0,
                                                      "capacita": []})
        voce["unita"] += r["unita"]
        if r["capacita"] is not None:
            voce["capacita"].append((r["capacita"], r["tipo__unita_capacita"]))
    return {"per_tipo": per_tipo, "per_comune": list(per_comune.values())}


def ancora(voce) -> str:
    """The stable anchor of an item on the knowledge-base page, e.g. ``bisogno-12``."""
    return f"{ANCORE[type(voce)]}-{voce.pk}"


def indirizzo_voce(voce, piano_pk: int) -> str:
    """A link that opens the knowledge base on just this item, at its anchor: what a plan's
    draft uses to cite a need, a service or a proposal."""
    base = reverse("tavoli:conoscenza", args=[piano_pk])
    return f"{base}?elenco={_ELENCO_DI[type(voce)]}&voce={voce.pk}#{ancora(voce)}"


# --- who may read --------------------------------------------------------------------------


def membro_di_un_tavolo(utente, piano) -> bool:
    """Coordinator or active member of at least one tavolo of ``piano``."""
    if not utente.is_authenticated:
        return False
    return Tavolo.objects.filter(piano=piano).filter(
        Q(coordinatore=utente)
        | Q(pk__in=MembroTavolo.objects.filter(utente=utente, stato=MembroTavolo.Stato.ATTIVO).values("tavolo_id"))
    ).exists()


def puo_leggere_conoscenza(utente, piano, ambiti: list[Ambito] | None = None) -> bool:
    """The plan's Ufficio di Piano and everyone with a role in its ambiti, the region's
    officers (``Permessi.legge``), and the coordinators and active members of its tavoli."""
    if not utente.is_authenticated or not utente.is_active:
        return False
    ambiti = list(piano.ambiti.select_related("asl")) if ambiti is None else ambiti
    return Permessi(utente).legge(ambiti) or membro_di_un_tavolo(utente, piano)


# --- choices for the filters ---------------------------------------------------------------


def aree_del_piano(piano) -> QuerySet[AreaIntervento]:
    """The areas of the plan's region, plus any area used by its tavoli or contributions."""
    return AreaIntervento.objects.filter(
        Q(regione_id=piano.ciclo.regione_id) | Q(tavoli__piano=piano)
    ).distinct().order_by("ordine", "nome")


def comuni_del_piano(ambiti: list[Ambito]) -> QuerySet[Comune]:
    return Comune.objects.filter(ambiti__in=ambiti).distinct().order_by("denominazione")


def tipi_offerta(regione_id: int | None) -> QuerySet[TipoUnitaOfferta]:
    """The national catalogue and the region's own kinds."""
    return TipoUnitaOfferta.objects.filter(Q(regione__isnull=True) | Q(regione_id=regione_id)).order_by("nome")


def tavoli_del_piano(piano) -> QuerySet[Tavolo]:
    return Tavolo.objects.filter(piano=piano).select_related("area").order_by("area__ordine", "nome")
