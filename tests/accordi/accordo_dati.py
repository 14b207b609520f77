"""Building blocks for the Accordo's tests: the mayors of every Comune, the Assemblea's
designation of the ente capofila (written straight to the database), a complete Accordo."""

import datetime

from django.utils import timezone

from accordi import services_accordo as sa
from accordi.models import VoceOnere
from ambiti.models import Ente, Incarico
from tavoli.models import Deliberazione, PuntoOrdineDelGiorno, Seduta, Votazione
from tavoli.services_assemblea import assemblea_garantisci

from ..factories import sindaco_di

R = Incarico.Ruolo


def sindaci(ambito) -> dict:
    """Comune id -> its mayor (the existing one when there is, else a new one)."""
    risultato = {}
    for i, comune in enumerate(ambito.comuni.order_by("denominazione")):
        incarico = Incarico.objects.filter(ruolo=R.SINDACO, ente__comune=comune, attivo=True).first()
        risultato[comune.pk] = incarico.utente if incarico else sindaco_di(
            comune, ambito, username=f"sindaco-{ambito.pk}-{i}", first_name=f"Sindaco{i}")
    return risultato


def designa_capofila(piano, ente, utente, numero=1, adottata_il=datetime.date(2026, 5, 12)) -> Deliberazione:
    """A passed deliberation of the Assemblea designating ``ente`` as capofila of ``piano``."""
    ambito = piano.ambiti.first()
    assemblea = assemblea_garantisci(ambito)
    seduta = Seduta.objects.create(assemblea=assemblea, numero=numero, anno=adottata_il.year, data=timezone.now(),
                                   luogo="Sala consiliare", stato=Seduta.Stato.CHIUSA, creata_da=utente)
    punto = PuntoOrdineDelGiorno.objects.create(
        seduta=seduta, numero=1, oggetto="Designazione dell'ente capofila", tipo="designazione_capofila",
        piano=piano, ente_capofila=ente)
    votazione = Votazione.objects.create(punto=punto, regola=assemblea.regola, testo_regola="Maggioranza semplice",
                                         stato=Votazione.Stato.PROCLAMATA, aperta_da=utente, approvata=True)
    return Deliberazione.objects.create(
        assemblea=assemblea, anno=adottata_il.year, numero=numero, tipo="designazione_capofila", punto=punto,
        votazione=votazione, oggetto="Designazione dell'ente capofila", piano=piano, ente_capofila=ente,
        adottata_il=adottata_il)


def ente_del_comune(comune) -> Ente:
    ente, _ = Ente.objects.get_or_create(
        comune=comune, defaults={"tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {comune.denominazione}"})
    return ente


def completa(piano, udp, *, importi=None):
    """Make the Accordo of ``piano`` complete: capofila designated (the first Comune), every
    mayor in office, impegni for every party, one cost item per inhabitant."""
    ambito = piano.ambiti.first()
    persone = sindaci(ambito)
    capofila = ente_del_comune(ambito.comuni.order_by("denominazione").first())
    designa_capofila(piano, capofila, udp)
    accordo = sa.accordo_di(piano)
    for parte in accordo.parti.select_related("ente"):
        firmatario = parte.firmatario or persone.get(parte.ente.comune_id)
        sa.parte_aggiorna(parte=parte, utente=udp, impegni=f"{parte.ente} concorre alle azioni del Piano.",
                          firmatario=firmatario)
    sa.voce_salva(accordo=accordo, utente=udp, denominazione="Ufficio di Piano",
                  criterio=VoceOnere.Criterio.PER_ABITANTE, quota_popolazione=10000, quota_utenti=0,
                  quota_parti_uguali=0, importi=importi or {2025: 3_000_000, 2026: 3_000_000, 2027: 3_000_001},
                  utenti={})
    accordo.refresh_from_db()
    return accordo
