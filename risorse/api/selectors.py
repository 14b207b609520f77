"""The API's reads. Each starts from the selector the pages use (so a user reads through the
API exactly what they read on the site) and adds the joins its serializer needs, so that a page
of results costs the same number of queries whatever its size."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from accordi.models import (
    AccordoDiProgramma,
    ParteAccordo,
    PianoAmbito,
    PianoDiZona,
    RichiestaAdesione,
    RisorsaAdesione,
)
from accordi.models.adesioni import StatoAdesione
from accordi.models.piano import TransizionePiano
from accordi.selectors import piani_pubblici, piani_visibili
from accordi.selectors_portale import accordi_in_vigore, enti_rappresentati
from ambiti.models import Ambito
from ambiti.ruoli import Permessi

from ..models import VoceRisorsa

# Stable order of the plan lists: newest cycle first, then by title; pk breaks ties.
ORDINE_PIANI = ("-ciclo__anno_inizio", "titolo", "pk")


def ambiti_pubblici() -> QuerySet[Ambito]:
    """Every ambito with its ASL, region, number of Comuni and their population (registry
    data, public).

    The two figures are correlated subqueries, not a GROUP BY over a join: the paginator's
    COUNT then drops them (``SELECT COUNT(*) FROM ambiti_ambito``) and the page computes them
    for its 50 ambiti only, instead of grouping all of Italy's Comune links twice."""
    legami = Ambito.comuni.through.objects.filter(ambito_id=OuterRef("pk")).order_by().values("ambito_id")
    return (
        Ambito.objects.select_related("asl__regione")
        .annotate(
            numero_comuni=Coalesce(Subquery(legami.annotate(n=Count("comune_id")).values("n")), 0),
            popolazione=Subquery(legami.annotate(p=Sum("comune__popolazione")).values("p"),
                                 output_field=IntegerField()),
        )
        .order_by("nome", "pk")
    )


def filtra_piani(piani: QuerySet[PianoDiZona], filtri: dict) -> QuerySet[PianoDiZona]:
    """``filtri``: the validated ``ciclo``, ``stato``, ``regione``, ``ambito`` (any may miss)."""
    if filtri.get("ciclo") is not None:
        piani = piani.filter(ciclo_id=filtri["ciclo"])
    if filtri.get("stato"):
        piani = piani.filter(stato=filtri["stato"])
    if filtri.get("regione") is not None:
        piani = piani.filter(ciclo__regione_id=filtri["regione"])
    if filtri.get("ambito") is not None:
        # a subquery, not a join: the join would repeat a plan of several ambiti
        piani = piani.filter(pk__in=PianoDiZona.ambiti.through.objects.filter(ambito_id=filtri["ambito"])
                             .values("piano_id"))
    return piani


def piani_pubblici_api() -> QuerySet[PianoDiZona]:
    return piani_pubblici().order_by(*ORDINE_PIANI)


def piano_pubblico_con_transizioni() -> QuerySet[PianoDiZona]:
    # The public log shows the steps, not who took them nor their notes: no join on the user.
    return piani_pubblici_api().prefetch_related(
        Prefetch("transizioni", queryset=TransizionePiano.objects.order_by("quando", "pk"))
    )


def piani_dell_utente(utente) -> QuerySet[PianoDiZona]:
    """The plans ``piani_visibili`` lets the user read, selected by id (a subquery): that
    selector reaches them through a join with the ambiti and a DISTINCT over every column,
    which the paginator's COUNT repeated; here the DISTINCT is on the ids only."""
    return (
        PianoDiZona.objects.filter(pk__in=piani_visibili(utente).values("pk"))
        .select_related("ciclo__regione").prefetch_related("ambiti")
        .order_by(*ORDINE_PIANI)
    )


def piano_con_transizioni(utente) -> QuerySet[PianoDiZona]:
    return piani_dell_utente(utente).prefetch_related(
        Prefetch("transizioni", queryset=TransizionePiano.objects.select_related("utente").order_by("quando", "pk"))
    )


def risorse_aggregate(piano: PianoDiZona):
    """The plan's quadro delle risorse summed per year × source × sociale/sociosanitario ×
    planned/actual (areas added together), in one query."""
    return (
        VoceRisorsa.objects.filter(piano=piano)
        .values("anno", "fonte__codice", "fonte__nome", "fonte__categoria", "ambito_spesa", "tipo")
        .annotate(totale_centesimi=Sum("importo_centesimi"), voci=Count("pk"))
        .order_by("anno", "fonte__codice", "ambito_spesa", "tipo")
    )


def _risorse_ordinate() -> Prefetch:
    return Prefetch("risorse", queryset=RisorsaAdesione.objects.order_by("tipo", "pk"))


def accordi_pubblici() -> QuerySet[AccordoDiProgramma]:
    """Accordi in force, with their plan, cycle, region and capofila; ``con_dettagli`` adds
    the rest of what the public Accordo page shows."""
    return accordi_in_vigore().select_related("piano__ciclo__regione").order_by("piano__titolo", "pk")


def _per(chiave: str, righe) -> dict[int, list[dict]]:
    gruppi: dict[int, list[dict]] = defaultdict(list)
    for riga in righe:
        gruppi[riga.pop(chiave)].append(riga)
    return gruppi


def con_dettagli(accordi: list[AccordoDiProgramma]) -> list[AccordoDiProgramma]:
    """``accordi`` with their plan's ambiti, their parties and their adherents (requests
    «sottoscritta») with the resources they bring, as ``ambiti_piano``, ``parti_dati`` and
    ``aderenti_dati``: lists of plain rows in the order of the public Accordo page.

    Four queries of values, not a prefetch: a page of fifty Accordi has some two thousand
    parties, adherents and resources, and a model object for each (with the related manager
    the prefetch sets up on every one) was most of the time of the list."""
    if not accordi:
        return accordi
    piani = {a.piano_id for a in accordi}
    ambiti: dict[int, list[dict]] = defaultdict(list)
    for piano, *ambito in (PianoAmbito.objects.filter(piano_id__in=piani).order_by("ambito__nome", "ambito_id")
                           .values_list("piano_id", "ambito_id", "ambito__codice", "ambito__nome")):
        ambiti[piano].append(dict(zip(("id", "codice", "nome"), ambito, strict=True)))
    parti = _per("accordo_id", ParteAccordo.objects.filter(accordo__in=accordi).order_by("ordine", "pk").values(
        "accordo_id", "ente_id", "ruolo", "impegni", denominazione=F("ente__denominazione"), tipo=F("ente__tipo")))
    richieste = list(
        RichiestaAdesione.objects.filter(accordo__in=accordi, stato=StatoAdesione.SOTTOSCRITTA)
        .order_by("ente__denominazione", "pk")
        .values("accordo_id", "id", "ente_id", "sottoscritta_il", denominazione=F("ente__denominazione"),
                forma_giuridica=F("ente__forma_giuridica"), sede=F("ente__sede")))
    risorse = _per("richiesta_id", RisorsaAdesione.objects.filter(richiesta_id__in=[r["id"] for r in richieste])
                   .order_by("tipo", "pk")
                   .values("richiesta_id", "tipo", "descrizione", "quantita", "valore_centesimi"))
    for richiesta in richieste:
        richiesta["risorse"] = risorse.get(richiesta["id"], [])
    aderenti = _per("accordo_id", richieste)
    for accordo in accordi:
        accordo.ambiti_piano = ambiti.get(accordo.piano_id, [])
        accordo.parti_dati = parti.get(accordo.pk, [])
        accordo.aderenti_dati = aderenti.get(accordo.pk, [])
    return accordi


def adesioni_del_piano(utente, piano_pk: int) -> QuerySet[RichiestaAdesione] | None:
    """The adesione requests to the Accordi of plan ``piano_pk`` that ``utente`` may see, or
    None when they may see neither the plan nor any request of it (the API answers 404).

    As ``accordi.selectors_adesioni`` says: the Ufficio di Piano of the plan's ambiti, whoever
    reads them (``consulta_ambito``) and the regional officers of the region see every request
    once sent; whoever represents a body sees its requests in every state; nobody else sees
    any (a Terzo Settore referent reads the plan but only their own body's requests)."""
    richieste = RichiestaAdesione.objects.filter(accordo__piano_id=piano_pk)
    propri = Q(ente__in=enti_rappresentati(utente).values("pk"))
    piano = piani_visibili(utente).filter(pk=piano_pk).first()
    if piano is None:
        if not richieste.filter(propri).exists():
            return None
        visibili = propri
    else:
        ambiti = list(piano.ambiti.all())
        permessi = Permessi(utente)
        permessi.prefetch(ambiti)
        esamina = (permessi.ha_su_alcuno("gestisci_piano", ambiti)
                   or permessi.ha_su_alcuno("consulta_ambito", ambiti)
                   or permessi.consulta_regione(piano.ciclo.regione_id))
        visibili = (propri | ~Q(stato=StatoAdesione.BOZZA)) if esamina else propri
    return (
        richieste.filter(visibili).select_related("accordo", "ente")
        .prefetch_related(_risorse_ordinate()).order_by("accordo__revisione", "ente__denominazione", "pk")
    )
