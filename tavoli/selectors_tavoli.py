"""Reading the tavoli tematici: the lists behind their pages and the desk, each with the joins
it needs so that a page costs the same number of queries whatever the number of members,
sessions or contributions. Who may read what is decided by ``services_tavoli``."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ambiti.models import Comune, Ente, Incarico, Utente
from ambiti.ruoli import Permessi
from ambiti.selectors import ambiti_con_permesso

from .models import (
    AreaIntervento,
    Bisogno,
    EventoTavolo,
    FocusGroup,
    MembroTavolo,
    OsservazioneVerbale,
    PresenzaTavolo,
    Proposta,
    SedutaTavolo,
    Tavolo,
    TipoUnitaOfferta,
    UnitaOfferta,
    VerbaleTavolo,
)

M = MembroTavolo.Stato
# The plan is accordi's model: reached through our own string reference, never imported.
PianoDiZona = Tavolo._meta.get_field("piano").related_model

# States of a plan in which tavoli are still set up (the service has the last word).
STATI_PIANO_CON_NUOVI_TAVOLI = ("avvio", "indirizzo", "istruttoria", "bozza")


def _conta(queryset) -> Subquery:
    """A correlated COUNT, so that several counts on a row do not multiply each other's joins."""
    return Coalesce(Subquery(queryset.order_by().values("tavolo").annotate(n=Count("pk")).values("n")[:1],
                             output_field=IntegerField()), Value(0))


# --- plans and tavoli ------------------------------------------------------------------------

def piano_dettaglio(pk: int):
    """The plan with what the tavoli pages show of it (cycle, region, ambiti), or None."""
    return (PianoDiZona.objects.select_related("ciclo", "ciclo__regione")
            .prefetch_related("ambiti", "ambiti__asl").filter(pk=pk).first())


def legge_piano(utente, piano) -> bool:
    """May see the list of a plan's tavoli: whoever reads the plan's ambiti, and whoever takes
    part in one of its tavoli (a member from another ambito, a coordinator)."""
    if Permessi(utente).legge(piano.ambiti.all()):
        return True
    return (Tavolo.objects.filter(piano=piano, coordinatore=utente).exists()
            or MembroTavolo.objects.filter(tavolo__piano=piano, utente=utente, stato=M.ATTIVO).exists())


def tavoli_del_piano(piano) -> QuerySet[Tavolo]:
    """The plan's tavoli with their counts: active members, pending requests, focus-groups,
    sessions held, approved minutes, and the date of the last session held."""
    return (
        Tavolo.objects.filter(piano=piano)
        .select_related("area", "coordinatore")
        .annotate(
            n_membri=_conta(MembroTavolo.objects.filter(tavolo=OuterRef("pk"), stato=M.ATTIVO)),
            n_richieste=_conta(MembroTavolo.objects.filter(tavolo=OuterRef("pk"), stato=M.RICHIESTA)),
            n_focus_group=_conta(FocusGroup.objects.filter(tavolo=OuterRef("pk"))),
            n_sedute=_conta(SedutaTavolo.objects.filter(tavolo=OuterRef("pk"), stato=SedutaTavolo.Stato.SVOLTA)),
            n_verbali_approvati=_conta(SedutaTavolo.objects.filter(
                tavolo=OuterRef("pk"), verbale__stato=VerbaleTavolo.Stato.APPROVATO)),
            n_verbali_aperti=_conta(SedutaTavolo.objects.filter(
                tavolo=OuterRef("pk"), verbale__stato__in=[VerbaleTavolo.Stato.BOZZA,
                                                           VerbaleTavolo.Stato.IN_CIRCOLAZIONE])),
            ultima_seduta=Max("sedute__data", filter=Q(sedute__stato=SedutaTavolo.Stato.SVOLTA)),
        )
        .order_by("area__ordine", "nome")
    )


def stati_utente_nei_tavoli(utente, piano) -> dict[int, str]:
    """Tavolo id -> the user's membership state, for every tavolo of the plan they have a row in."""
    if not utente.is_authenticated:
        return {}
    return dict(MembroTavolo.objects.filter(tavolo__piano=piano, utente=utente).values_list("tavolo_id", "stato"))


def tavolo_dettaglio(pk: int) -> Tavolo | None:
    return (Tavolo.objects.select_related("piano", "piano__ciclo", "piano__ciclo__regione", "area", "coordinatore")
            .prefetch_related("piano__ambiti", "piano__ambiti__asl").filter(pk=pk).first())


def membri(tavolo: Tavolo) -> list[MembroTavolo]:
    """Every row of the tavolo, active members first, then requests and invitations, then those
    who no longer take part."""
    ordine = {M.ATTIVO: 0, M.RICHIESTA: 1, M.INVITATO: 2, M.RIFIUTATO: 3, M.DECLINATO: 4, M.USCITO: 5}
    righe = list(MembroTavolo.objects.filter(tavolo=tavolo).select_related("utente", "ente", "deciso_da"))
    return sorted(righe, key=lambda m: (ordine.get(m.stato, 9), m.utente.last_name, m.utente.first_name))


def membro_di(utente, tavolo: Tavolo) -> MembroTavolo | None:
    """The user's row in the tavolo, whatever its state."""
    if not utente.is_authenticated:
        return None
    return MembroTavolo.objects.filter(tavolo=tavolo, utente=utente).select_related("ente").first()


def membri_attivi(tavolo: Tavolo) -> QuerySet[MembroTavolo]:
    return MembroTavolo.objects.filter(tavolo=tavolo, stato=M.ATTIVO).select_related("utente", "ente").order_by(
        "utente__last_name", "utente__first_name")


def focus_group_del_tavolo(tavolo: Tavolo) -> list[FocusGroup]:
    return list(FocusGroup.objects.filter(tavolo=tavolo).select_related("referente").prefetch_related(
        Prefetch("membri", queryset=MembroTavolo.objects.select_related("utente", "ente"))))


def focus_group_dettaglio(pk: int) -> FocusGroup | None:
    return (FocusGroup.objects.select_related(
        "referente", "tavolo", "tavolo__piano", "tavolo__piano__ciclo", "tavolo__area", "tavolo__coordinatore")
        .prefetch_related("tavolo__piano__ambiti", "tavolo__piano__ambiti__asl",
                          Prefetch("membri", queryset=MembroTavolo.objects.select_related("utente", "ente")))
        .filter(pk=pk).first())


def sedute_del_tavolo(tavolo: Tavolo, focus_group: FocusGroup | None = None) -> QuerySet[SedutaTavolo]:
    sedute = SedutaTavolo.objects.filter(tavolo=tavolo)
    if focus_group is not None:
        sedute = sedute.filter(focus_group=focus_group)
    return sedute.select_related("focus_group", "verbale").order_by("-data")


def eventi_del_tavolo(tavolo: Tavolo, limite: int = 50) -> list[EventoTavolo]:
    """The latest entries of the log, newest first."""
    return list(EventoTavolo.objects.filter(tavolo=tavolo).select_related("utente", "seduta")
                .order_by("-quando", "-pk")[:limite])


# --- people and bodies a form may choose -----------------------------------------------------

def utenti_del_piano(piano) -> QuerySet[Utente]:
    """People with a current role in one of the plan's ambiti (coordinators are chosen here)."""
    oggi = timezone.localdate()
    incarichi = Incarico.objects.filter(ambito__in=piano.ambiti.all(), attivo=True, dal__lte=oggi).filter(
        Q(al__isnull=True) | Q(al__gte=oggi))
    return Utente.objects.filter(is_active=True, pk__in=incarichi.values("utente_id")).order_by(
        "last_name", "first_name", "username")


def utenti_invitabili(tavolo: Tavolo) -> QuerySet[Utente]:
    """People with a current role in the plan's ambiti, and the registered Terzo Settore
    referents (a body may work across ambiti); not those already in, invited or asking."""
    oggi = timezone.localdate()
    incarichi = Incarico.objects.filter(attivo=True, dal__lte=oggi).filter(Q(al__isnull=True) | Q(al__gte=oggi)).filter(
        Q(ambito__in=tavolo.piano.ambiti.all()) | Q(ruolo=Incarico.Ruolo.REFERENTE_TERZO_SETTORE))
    gia_presenti = MembroTavolo.objects.filter(tavolo=tavolo, stato__in=[M.ATTIVO, M.INVITATO, M.RICHIESTA])
    return (Utente.objects.filter(is_active=True, pk__in=incarichi.values("utente_id"))
            .exclude(pk__in=gia_presenti.values("utente_id")).order_by("last_name", "first_name", "username"))


def enti_del_piano(piano) -> QuerySet[Ente]:
    """Bodies that may sit at the plan's tavoli: the Comuni and the ASL of its ambiti, the bodies
    working there, the bodies of the people holding a role there, the Terzo Settore, and the
    bodies already represented at one of the plan's tavoli."""
    ambiti = piano.ambiti.all()
    rappresentati = MembroTavolo.objects.filter(tavolo__piano=piano, ente__isnull=False).values("ente_id")
    ids = Ente.objects.filter(
        Q(comune__ambiti__in=ambiti) | Q(asl__ambiti__in=ambiti) | Q(ambiti__in=ambiti)
        | Q(incarichi__ambito__in=ambiti) | Q(tipo=Ente.Tipo.TERZO_SETTORE) | Q(pk__in=rappresentati)
    ).values("pk")
    return Ente.objects.filter(pk__in=ids).order_by("denominazione")


def enti_dell_utente(utente) -> QuerySet[Ente]:
    """Bodies the user holds a current incarico for (a join request is made for one of them)."""
    oggi = timezone.localdate()
    incarichi = Incarico.objects.filter(utente=utente, attivo=True, dal__lte=oggi, ente__isnull=False).filter(
        Q(al__isnull=True) | Q(al__gte=oggi))
    return Ente.objects.filter(pk__in=incarichi.values("ente_id")).order_by("denominazione")


def comuni_del_piano(piano) -> QuerySet[Comune]:
    ids = Comune.objects.filter(ambiti__in=piano.ambiti.all()).values("pk")
    return Comune.objects.filter(pk__in=ids).select_related("provincia").order_by("denominazione")


def aree_queryset(aree: list[AreaIntervento]) -> QuerySet[AreaIntervento]:
    """A queryset over a list of areas (form fields need one)."""
    return AreaIntervento.objects.filter(pk__in=[a.pk for a in aree]).order_by("ordine", "nome")


def tipi_offerta(regione) -> QuerySet[TipoUnitaOfferta]:
    """The active kinds of service: the national catalogue and the region's own."""
    return TipoUnitaOfferta.objects.filter(attivo=True).filter(
        Q(regione__isnull=True) | Q(regione=regione)).order_by("nome")


# --- sessions, contributions, minutes --------------------------------------------------------

def seduta_dettaglio(pk: int) -> SedutaTavolo | None:
    return (
        SedutaTavolo.objects.select_related(
            "tavolo", "tavolo__piano", "tavolo__piano__ciclo", "tavolo__piano__ciclo__regione", "tavolo__area",
            "tavolo__coordinatore", "focus_group", "verbale", "verbale__documento", "verbale__approvato_da",
            "verbale__approvato_in", "verbale__redatto_da",
        )
        .prefetch_related("tavolo__piano__ambiti", "tavolo__piano__ambiti__asl")
        .filter(pk=pk).first()
    )


def verbale_di(seduta: SedutaTavolo) -> VerbaleTavolo | None:
    try:
        return seduta.verbale
    except VerbaleTavolo.DoesNotExist:
        return None


def convocabili(seduta: SedutaTavolo) -> list[MembroTavolo]:
    """The active members a session is for: the focus-group's, or the whole tavolo's."""
    membri_qs = membri_attivi(seduta.tavolo)
    if seduta.focus_group_id:
        membri_qs = membri_qs.filter(focus_group=seduta.focus_group_id)
    return list(membri_qs)


def presenze(seduta: SedutaTavolo) -> list[PresenzaTavolo]:
    return list(PresenzaTavolo.objects.filter(seduta=seduta).select_related("membro", "ente").order_by("nominativo"))


def contributi(seduta: SedutaTavolo) -> dict[str, list]:
    """The needs, offer and proposals recorded in the session, with who and which body."""
    bisogni = list(Bisogno.objects.filter(seduta=seduta).select_related("area", "ente", "registrato_da")
                   .prefetch_related(Prefetch("comuni", queryset=Comune.objects.order_by("denominazione"))))
    offerta = list(UnitaOfferta.objects.filter(seduta=seduta).select_related(
        "tipo", "gestore", "comune", "comune__provincia", "area", "ente", "registrato_da"))
    proposte = list(Proposta.objects.filter(seduta=seduta).select_related("area", "ente", "registrato_da")
                    .prefetch_related(Prefetch("bisogni", queryset=Bisogno.objects.order_by("pk"))))
    return {"bisogni": bisogni, "offerta": offerta, "proposte": proposte}


def bisogni_della_seduta(seduta: SedutaTavolo) -> QuerySet[Bisogno]:
    return Bisogno.objects.filter(seduta=seduta).order_by("pk")


def sedute_per_approvazione(seduta: SedutaTavolo) -> QuerySet[SedutaTavolo]:
    """Later held sessions of the same tavolo, where the minutes may have been approved."""
    return SedutaTavolo.objects.filter(tavolo_id=seduta.tavolo_id, stato=SedutaTavolo.Stato.SVOLTA,
                                       data__gt=seduta.data).select_related("focus_group").order_by("data")


def osservazioni(verbale: VerbaleTavolo, autore=None) -> list[OsservazioneVerbale]:
    righe = OsservazioneVerbale.objects.filter(verbale=verbale).select_related("autore")
    if autore is not None:
        righe = righe.filter(autore=autore)
    return list(righe.order_by("creata_il", "pk"))


# --- the desk ----------------------------------------------------------------------------------

def scrivania(utente, limite: int = 20) -> dict[str, list]:
    """What waits for the user in the tavoli: invitations to answer, requests to join to decide
    (as coordinator or Ufficio di Piano), the next convened sessions of their tavoli, and
    circulated minutes awaiting their observations. One query for the memberships and the
    requests; two more only for who is an active member somewhere (coordinators always are)."""
    vuoto = {"inviti": [], "richieste": [], "sedute": [], "verbali": []}
    if not utente.is_authenticated:
        return vuoto
    ambiti_udp = ambiti_con_permesso(utente, "gestisci_piano").values("pk")
    coordinati = Tavolo.objects.filter(Q(coordinatore=utente) | Q(piano__ambiti__in=ambiti_udp)).values("pk")
    da_decidere = Q(stato=M.RICHIESTA, tavolo__in=coordinati)
    righe = list(
        MembroTavolo.objects.filter(Q(utente=utente) | da_decidere)
        .annotate(da_decidere=ExpressionWrapper(da_decidere, output_field=BooleanField()))
        .select_related("tavolo", "tavolo__area", "utente", "ente").order_by("proposto_il")[:200]
    )
    miei = [r for r in righe if r.utente_id == utente.pk]
    inviti = sorted((r for r in miei if r.stato == M.INVITATO), key=lambda r: r.proposto_il, reverse=True)
    richieste = [r for r in righe if r.da_decidere]
    attivi = [r.tavolo_id for r in miei if r.stato == M.ATTIVO]
    if not attivi:
        return {**vuoto, "inviti": inviti[:limite], "richieste": richieste[:limite]}
    miei_focus_group = FocusGroup.objects.filter(membri__utente=utente).values("pk")
    sedute = list(
        SedutaTavolo.objects.filter(stato=SedutaTavolo.Stato.CONVOCATA, data__gte=timezone.now(), tavolo__in=attivi)
        .filter(Q(tavolo__coordinatore=utente) | Q(focus_group__isnull=True) | Q(focus_group__in=miei_focus_group))
        .select_related("tavolo", "focus_group").order_by("data")[:limite]
    )
    verbali = list(
        VerbaleTavolo.objects.filter(stato=VerbaleTavolo.Stato.IN_CIRCOLAZIONE, seduta__tavolo__in=attivi)
        .exclude(seduta__tavolo__coordinatore=utente).exclude(redatto_da=utente)
        .annotate(osservato=Exists(OsservazioneVerbale.objects.filter(
            verbale=OuterRef("pk"), autore=utente, versione=OuterRef("versione"))))
        .select_related("seduta", "seduta__tavolo").order_by("inviato_il")[:limite]
    )
    return {"inviti": inviti[:limite], "richieste": richieste[:limite], "sedute": sedute, "verbali": verbali}
