"""Reading the adesione requests: the requests a person's bodies made, those the Ufficio di
Piano reviews, one request for whoever may see it (and in which role), the attendance records
that back the tavoli a body declares, and who signs the adesione act. Each function reads in a
fixed number of queries.

Who sees a request (accordi/services_adesioni.py says who may act):
- ``ente``: whoever represents the body (``selectors_portale.rappresenta``), in every state;
- ``udp``: the Ufficio di Piano of any ambito of the Accordo's plan, once the request is sent;
- ``lettore``: who reads the plan's ambiti (``consulta_ambito``: mayors, the ASL, the President
  of the Assemblea) and the regional officers, once the request is sent. The tavoli's members,
  the unions and the other bodies read the plan's pages but not the bodies' requests;
- anyone else: nobody (the pages answer 404, so that nobody learns which bodies asked)."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ambiti.models import Incarico
from ambiti.ruoli import Permessi
from tavoli.models import SedutaTavolo, Tavolo

from . import selectors_portale
from .models import EventoAdesione, RichiestaAdesione, RisorsaAdesione, StatoAdesione

S = StatoAdesione
T = RisorsaAdesione.Tipo

# The log's actions, as the pages show them.
AZIONI = {
    "crea": _("Richiesta creata"),
    "aggiorna": _("Richiesta modificata"),
    "allegato_aggiunto": _("Allegato caricato"),
    "allegato_rimosso": _("Allegato eliminato"),
    "invia": _("Richiesta inviata all'Ufficio di Piano"),
    "prendi_in_carico": _("Richiesta presa in carico"),
    "richiedi_integrazione": _("Integrazioni richieste"),
    "integra": _("Integrazioni inviate"),
    "accogli": _("Richiesta accolta"),
    "respingi": _("Richiesta respinta"),
    "ritira": _("Richiesta ritirata"),
    "firma_richiesta": _("Atto di adesione inviato alla firma del legale rappresentante"),
    "sottoscrivi": _("Atto di adesione firmato"),
}

# The unit each kind of resource is counted in (empty: a number of items).
UNITA = {
    T.DENARO: _("euro"),
    T.ORE_PERSONALE: _("ore"),
    T.VOLONTARI: _("volontari"),
}


def etichetta_azione(azione: str) -> str:
    return str(AZIONI.get(azione, azione))


def quantita_leggibile(quantita: Decimal | None) -> str:
    """A quantity the Italian way: "12", "2,50", "1.500"."""
    if quantita is None:
        return ""
    decimali = 0 if quantita == quantita.to_integral_value() else 2
    with translation.override("it"):
        return number_format(quantita, decimali, force_grouping=True)


def _valore_totale() -> Coalesce:
    """The total value in cents of a request's resources, as a subquery (it never multiplies
    the rows of other annotations)."""
    somma = (RisorsaAdesione.objects.filter(richiesta=OuterRef("pk")).order_by().values("richiesta")
             .annotate(s=Sum("valore_centesimi")).values("s"))
    return Coalesce(Subquery(somma, output_field=IntegerField()), Value(0))


# --- lists -------------------------------------------------------------------------------------

def richieste_dell_utente(utente) -> QuerySet[RichiestaAdesione]:
    """The requests of the bodies ``utente`` represents, newest first, with ``valore_totale``."""
    return (RichiestaAdesione.objects.filter(ente__in=selectors_portale.enti_rappresentati(utente))
            .select_related("accordo__piano", "ente").annotate(valore_totale=_valore_totale())
            .order_by("-creata_il", "-pk"))


class DaEsaminare(NamedTuple):
    richieste: QuerySet[RichiestaAdesione]
    conteggi: dict[str, int]


def richieste_da_esaminare(accordo) -> DaEsaminare:
    """The requests sent to ``accordo`` (drafts are the body's own), latest sent first, with
    ``valore_totale``; and how many there are in each state (``{stato: n}``, states without
    requests left out)."""
    inviate = RichiestaAdesione.objects.filter(accordo=accordo).exclude(stato=S.BOZZA)
    conteggi = dict(inviate.order_by().values_list("stato").annotate(n=Count("pk")))
    richieste = (inviate.select_related("ente").annotate(valore_totale=_valore_totale())
                 .order_by("-inviata_il", "-pk"))
    return DaEsaminare(richieste, conteggi)


# --- one request -------------------------------------------------------------------------------

def ruolo_su(utente, richiesta: RichiestaAdesione) -> str | None:
    """"ente", "udp", "lettore" or None (see the module's docstring). A person who represents
    the body is on the body's side even if they also work in the Ufficio di Piano (and may not
    review their own body's request)."""
    if not utente.is_authenticated or not utente.is_active:
        return None
    if selectors_portale.rappresenta(utente, richiesta.ente):
        return "ente"
    if richiesta.stato == S.BOZZA:
        return None
    piano = richiesta.accordo.piano
    ambiti = list(piano.ambiti.all())
    permessi = Permessi(utente)
    permessi.prefetch(ambiti)
    if permessi.ha_su_alcuno("gestisci_piano", ambiti):
        return "udp"
    if permessi.ha_su_alcuno("consulta_ambito", ambiti) or permessi.consulta_regione(piano.ciclo.regione_id):
        return "lettore"
    return None


def richiesta_per_utente(utente, pk) -> tuple[RichiestaAdesione | None, str | None]:
    """The request and the role ``utente`` has on it; (None, None) when they may not see it
    or it does not exist (the pages answer 404 to both)."""
    richiesta = (RichiestaAdesione.objects
                 .select_related("accordo__piano__ciclo", "accordo__ente_capofila", "ente", "creata_da", "documento")
                 .filter(pk=pk).first())
    if richiesta is None:
        return None, None
    ruolo = ruolo_su(utente, richiesta)
    if ruolo is None:
        return None, None
    return richiesta, ruolo


def presenze_dell_ente(richiesta: RichiestaAdesione) -> dict[int, dict]:
    """What the attendance registers say about the body in each tavolo of the plan, in two
    queries: ``{tavolo_id: {"tavolo", "sedute", "presenze", "ultima", "dichiarato",
    "confermato"}}`` where ``sedute`` counts the tavolo's held sessions (its focus-groups'
    included), ``presenze`` those the body attended (one or more of its people), ``ultima``
    the date of the last one. Every tavolo of the plan is there, in the plan's order, so that
    the reviewer sees the declared ones the registers do not confirm and the attended ones the
    body did not declare."""
    svolte = Q(sedute__stato=SedutaTavolo.Stato.SVOLTA)
    dell_ente = svolte & Q(sedute__presenze__ente_id=richiesta.ente_id)
    tavoli = (Tavolo.objects.filter(piano__accordi__pk=richiesta.accordo_id).select_related("area")
              .annotate(n_sedute=Count("sedute", filter=svolte, distinct=True),
                        n_presenze=Count("sedute", filter=dell_ente, distinct=True),
                        ultima_presenza=Max("sedute__data", filter=dell_ente))
              .order_by("area__ordine", "nome"))
    dichiarati = {t.pk for t in richiesta.tavoli.all()}
    risultato = {}
    for tavolo in tavoli:
        ultima = tavolo.ultima_presenza
        risultato[tavolo.pk] = {
            "tavolo": tavolo,
            "sedute": tavolo.n_sedute,
            "presenze": tavolo.n_presenze,
            "ultima": timezone.localtime(ultima).date() if ultima else None,
            "dichiarato": tavolo.pk in dichiarati,
            "confermato": tavolo.n_presenze > 0,
        }
    return risultato


def valore_totale(richiesta: RichiestaAdesione) -> int:
    """The value in cents of what the body brings (the prefetched resources when there are)."""
    return sum(r.valore_centesimi for r in richiesta.risorse.all())


def firmatario_atteso(richiesta: RichiestaAdesione):
    """Who signs the adesione act: ``(account, codice fiscale, name)`` or None. For a body
    registered through the portal, the referent's account uploads the act signed by the legal
    representative, whose codice fiscale the certificate must carry; for a body known through a
    Terzo Settore referent's role, the referent signs with their own codice fiscale (the one who
    made the request if they still hold the role)."""
    registrazione = getattr(richiesta.ente, "registrazione", None)
    if registrazione is not None:
        referente = registrazione.referente
        if not referente.is_active or not registrazione.legale_rappresentante_cf:
            return None
        return referente, registrazione.legale_rappresentante_cf.upper(), registrazione.legale_rappresentante
    oggi = timezone.localdate()
    referenti = [
        i.utente for i in Incarico.objects.filter(
            ente_id=richiesta.ente_id, ruolo=Incarico.Ruolo.REFERENTE_TERZO_SETTORE, attivo=True, dal__lte=oggi,
            utente__is_active=True).filter(Q(al__isnull=True) | Q(al__gte=oggi))
        .select_related("utente").order_by("dal", "pk")
    ]
    referenti.sort(key=lambda u: u.pk != richiesta.creata_da_id)
    for utente in referenti:
        if utente.codice_fiscale:
            return utente, utente.codice_fiscale.upper(), utente.get_full_name() or utente.get_username()
    return None


def accettazione(richiesta: RichiestaAdesione) -> EventoAdesione | None:
    """The log entry of the acceptance (who accepted, when, with which note)."""
    return (EventoAdesione.objects.filter(richiesta=richiesta, azione="accogli").select_related("utente")
            .order_by("-quando", "-pk").first())
