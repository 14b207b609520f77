"""Reading the Assemblea: who holds which seat, what a user may see and do."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from ambiti.models import Ambito, Ente, Incarico, Utente
from ambiti.ruoli import Permessi

from . import voto
from .models import (
    Delega,
    Deliberazione,
    EventoAssemblea,
    PuntoOrdineDelGiorno,
    Seduta,
    Seggio,
    TipoDeliberazione,
    Votazione,
    Voto,
)


def incarichi_in_corso(**filtri) -> QuerySet[Incarico]:
    oggi = timezone.localdate()
    return Incarico.objects.filter(attivo=True, dal__lte=oggi, **filtri).filter(Q(al__isnull=True) | Q(al__gte=oggi))


def sindaci_per_comune(ambito: Ambito) -> dict[int, list]:
    """Comune id -> the users holding the mayor's role for it in this ambito."""
    risultato: dict[int, list] = {}
    for inc in incarichi_in_corso(ruolo=Incarico.Ruolo.SINDACO, ambito=ambito, ente__comune__isnull=False
                                  ).select_related("utente", "ente"):
        risultato.setdefault(inc.ente.comune_id, []).append(inc.utente)
    return risultato


def comuni_rappresentati(utente, seduta: Seduta) -> list[int]:
    """The seats (Comune ids) ``utente`` holds in ``seduta``: as mayor of the Comune, or as the
    holder of a delegation valid for the session (the delegation then replaces the mayor)."""
    if not utente.is_authenticated:
        return []
    ambito = seduta.assemblea.ambito
    propri = set(
        incarichi_in_corso(utente=utente, ruolo=Incarico.Ruolo.SINDACO, ambito=ambito, ente__comune__isnull=False)
        .values_list("ente__comune_id", flat=True)
    )
    deleghe = Delega.objects.filter(assemblea=seduta.assemblea, revocata_il__isnull=True)
    return _seggi_tenuti(utente, seduta, propri, deleghe)


def _seggi_tenuti(utente, seduta: Seduta, propri: set[int], deleghe) -> list[int]:
    """``propri``: the Comuni ``utente`` is mayor of in the session's ambito; ``deleghe``: the
    Assemblea's delegations not revoked."""
    valide = [d for d in deleghe if d.vale_per(seduta)]
    delegati_altrui = {d.comune_id for d in valide if d.delegato_id != utente.pk}
    ricevute = {d.comune_id for d in valide if d.delegato_id == utente.pk}
    return sorted((propri - delegati_altrui) | ricevute)


def delega_valida(utente, seduta: Seduta, comune_id: int) -> Delega | None:
    for d in Delega.objects.filter(assemblea=seduta.assemblea, comune_id=comune_id, delegato=utente,
                                   revocata_il__isnull=True):
        if d.vale_per(seduta):
            return d
    return None


def assemblea_per_utente(utente, ambito: Ambito) -> bool:
    """May read the Assemblea's pages: anyone who reads the ambito, or holds a delegation."""
    if Permessi(utente).legge([ambito]):
        return True
    return utente.is_authenticated and Delega.objects.filter(
        assemblea__ambito=ambito, delegato=utente, revocata_il__isnull=True).exists()


def seduta_dettaglio(pk: int) -> Seduta | None:
    return (
        Seduta.objects.select_related("assemblea", "assemblea__ambito", "assemblea__ambito__asl",
                                      "assemblea__regola", "verbale")
        .prefetch_related(
            Prefetch("seggi", queryset=Seggio.objects.select_related("comune", "rappresentante", "delega")),
            Prefetch("punti", queryset=PuntoOrdineDelGiorno.objects.select_related(
                "piano", "documento_piano", "ente_capofila", "votazione", "deliberazione",
                "deliberazione__atto").prefetch_related("priorita")),
        )
        .filter(pk=pk).first()
    )


def popolazioni(seduta: Seduta) -> dict:
    """Seat (the Comune, named in messages) -> population frozen at convocation."""
    return {s.comune: s.popolazione for s in seduta.seggi.all()}


def presenti(seduta: Seduta) -> set:
    return {s.comune for s in seduta.seggi.all() if s.presente}


def quorum(seduta: Seduta) -> voto.Quorum | str:
    """The live quorum, or the reason it cannot be computed (e.g. a missing population)."""
    try:
        return voto.calcola_quorum(seduta.assemblea.regola.come_regola(), popolazioni(seduta), presenti(seduta))
    except voto.RegolaNonApplicabile as exc:
        return exc.messaggio


def voti_per_votazione(votazioni: list[Votazione]) -> dict[int, dict[int, Voto]]:
    """Votazione id -> Comune id -> Voto, for a session page, in one query."""
    risultato: dict[int, dict[int, Voto]] = {}
    if votazioni:
        for v in Voto.objects.filter(votazione__in=votazioni).select_related("comune"):
            risultato.setdefault(v.votazione_id, {})[v.comune_id] = v
    return risultato


def delegati_per_comune(seduta: Seduta) -> dict[int, list]:
    """Comune id -> the people holding a delegation valid for ``seduta``, in one query."""
    risultato: dict[int, list] = {}
    deleghe = Delega.objects.filter(assemblea_id=seduta.assemblea_id, revocata_il__isnull=True)
    for d in deleghe.select_related("delegato"):
        if d.vale_per(seduta):
            risultato.setdefault(d.comune_id, []).append(d.delegato)
    return risultato


def righe_dei_voti(votazione: Votazione) -> list[dict]:
    """Every seat of the vote's session with its vote (None when the Comune did not vote), in
    the order of the Comuni's names: the table under a result."""
    voti = {v.comune_id: v for v in Voto.objects.filter(votazione=votazione)}
    seggi = Seggio.objects.filter(seduta_id=votazione.punto.seduta_id).select_related("comune", "rappresentante")
    return [{"seggio": s, "voto": voti.get(s.comune_id)} for s in seggi.order_by("comune__denominazione")]


def voto_ponderato(votazione: Votazione) -> bool:
    """Whether the vote was counted by population too (from its stored result)."""
    return any(c.get("misura") == voto.POPOLAZIONE for c in (votazione.risultato or {}).get("conteggi", []))


def utenti_dell_ambito(ambito: Ambito) -> QuerySet[Utente]:
    """Active users holding a role in ``ambito`` today (who may be named in the Ufficio di Piano)."""
    return (Utente.objects.filter(is_active=True, pk__in=incarichi_in_corso(ambito=ambito).values("utente_id"))
            .order_by("last_name", "first_name", "username"))


def enti_dell_ambito(ambito: Ambito) -> QuerySet[Ente]:
    """The Comuni of the ambito, its ASL and the bodies associated with it."""
    return (Ente.objects.filter(Q(comune__ambiti=ambito) | Q(asl=ambito.asl) | Q(ambiti=ambito))
            .distinct().order_by("denominazione"))


def voti_della_votazione(votazione: Votazione, seduta: Seduta) -> dict:
    comuni = {s.comune_id: s.comune for s in seduta.seggi.all()}
    return {comuni[c]: e for c, e in Voto.objects.filter(votazione=votazione).values_list("comune_id", "espressione")}


def eventi(seduta: Seduta) -> QuerySet[EventoAssemblea]:
    return seduta.eventi.select_related("utente").order_by("quando", "pk")


def deliberazione_passata(piano, tipo: str, **filtri) -> Deliberazione | None:
    """The latest deliberation of ``tipo`` passed for ``piano`` (only passed proposals become
    deliberations, and only in a session opened with the quorum)."""
    return (Deliberazione.objects.filter(piano=piano, tipo=tipo, **filtri)
            .select_related("assemblea", "ente_capofila", "documento_piano").order_by("-anno", "-numero").first())


def deliberazioni_del_piano(piano) -> QuerySet[Deliberazione]:
    return Deliberazione.objects.filter(piano=piano).select_related("atto").order_by("anno", "numero")


TIPI_CON_PIANO = {TipoDeliberazione.ATTO_INDIRIZZO, TipoDeliberazione.APPROVAZIONE_PIANO,
                  TipoDeliberazione.DESIGNAZIONE_CAPOFILA, TipoDeliberazione.CRITERI_RIPARTIZIONE}


def destinatari_convocazione(seduta: Seduta) -> list[str]:
    """Every member's address: the mayors of the ambito, the delegates holding a delegation valid
    for the session, the Presidente and the Ufficio di Piano (the secretariat)."""
    ambito = seduta.assemblea.ambito
    utenti = [inc.utente for inc in incarichi_in_corso(
        ambito=ambito, ruolo__in=[Incarico.Ruolo.SINDACO, Incarico.Ruolo.PRESIDENTE_ASSEMBLEA,
                                  Incarico.Ruolo.RESPONSABILE_UDP, Incarico.Ruolo.OPERATORE_UDP],
    ).select_related("utente")]
    utenti += [d.delegato for d in Delega.objects.filter(assemblea=seduta.assemblea, revocata_il__isnull=True)
               .select_related("delegato") if d.vale_per(seduta)]
    return sorted({u.email for u in utenti if u.email and u.is_active})


def sedute_da_seguire(utente, limite: int = 10) -> list[dict]:
    """For the desk: sessions being prepared, convened or under way in the user's ambiti (or
    where they hold a delegation), with what waits for them: a vote to cast, a session to
    convene or to open. A fixed number of queries, however many sessions, seats and Comuni."""
    if not utente.is_authenticated:
        return []
    ambiti = incarichi_in_corso(utente=utente, ambito__isnull=False).exclude(
        ruolo=Incarico.Ruolo.REFERENTE_SINDACATO).values_list("ambito_id", flat=True)
    assemblee_delegate = Delega.objects.filter(delegato=utente, revocata_il__isnull=True).values_list(
        "assemblea_id", flat=True)
    sedute = list(
        Seduta.objects.filter(Q(assemblea__ambito_id__in=ambiti) | Q(assemblea_id__in=assemblee_delegate),
                              stato__in=[Seduta.Stato.BOZZA, Seduta.Stato.CONVOCATA, Seduta.Stato.APERTA])
        .select_related("assemblea", "assemblea__ambito").order_by("data")[:limite]
    )
    if not sedute:
        return []
    permessi = Permessi(utente)
    permessi.prefetch({s.assemblea.ambito for s in sedute})
    aperte = {v.punto.seduta_id: v for v in Votazione.objects.filter(
        punto__seduta__in=sedute, stato=Votazione.Stato.APERTA).select_related("punto")}
    votati: set[tuple[int, int]] = set()
    propri: dict[int, set[int]] = {}
    deleghe: dict[int, list[Delega]] = {}
    if aperte:
        votati = set(Voto.objects.filter(votazione__in=list(aperte.values())).values_list("votazione_id", "comune_id"))
        ambiti_aperti = {s.assemblea.ambito_id for s in sedute if s.pk in aperte}
        for ambito_id, comune_id in incarichi_in_corso(
                utente=utente, ruolo=Incarico.Ruolo.SINDACO, ambito_id__in=ambiti_aperti,
                ente__comune__isnull=False).values_list("ambito_id", "ente__comune_id"):
            propri.setdefault(ambito_id, set()).add(comune_id)
        for d in Delega.objects.filter(assemblea_id__in={s.assemblea_id for s in sedute if s.pk in aperte},
                                       revocata_il__isnull=True):
            deleghe.setdefault(d.assemblea_id, []).append(d)
    risultato = []
    for seduta in sedute:
        ambito = seduta.assemblea.ambito
        presiede = permessi.ha("presiedi_assemblea", ambito)
        if seduta.stato == Seduta.Stato.BOZZA and not (presiede or permessi.ha("gestisci_piano", ambito)):
            continue
        aperta = aperte.get(seduta.pk)
        da_votare = False
        if aperta is not None:
            seggi = _seggi_tenuti(utente, seduta, propri.get(ambito.pk, set()), deleghe.get(seduta.assemblea_id, []))
            da_votare = any((aperta.pk, c) not in votati for c in seggi)
        risultato.append({
            "seduta": seduta, "votazione": aperta, "da_votare": da_votare,
            "da_convocare": presiede and seduta.stato == Seduta.Stato.BOZZA,
            "da_aprire": presiede and seduta.stato == Seduta.Stato.CONVOCATA,
        })
    return risultato
