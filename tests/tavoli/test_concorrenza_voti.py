"""Votes of the Assemblea cast at the same moment: a mayor pressing «vota» twenty times records one
vote and is told the others were not taken; twenty mayors voting together are all recorded; votes
racing the Presidente's closing are either counted in the result or refused as late. The log holds
one entry per recorded vote. Real concurrency needs PostgreSQL."""

import threading
import time

import pytest
from django.db import connection, connections

from ambiti.exceptions import DatiNonValidi, IterError, TransizioneNonAmmessa
from ambiti.models import Incarico
from tavoli import services, voto
from tavoli.models import EventoAssemblea, Votazione, Voto
from tavoli.services_assemblea import assemblea_garantisci

from ..factories import AmbitoFactory, ComuneFactory, crea_piano, sindaco_di, utente_con_ruolo
from .conftest import Consesso

R = Incarico.Ruolo
TENTATIVI = 20

pytestmark = pytest.mark.postgres


@pytest.fixture
def solo_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("la concorrenza reale si verifica su PostgreSQL (DATABASE_URL=postgres://…)")


def _consesso(n_comuni: int) -> Consesso:
    comuni = [ComuneFactory(denominazione=f"Comune {i:02d}", popolazione=1000 + i) for i in range(n_comuni)]
    ambito = AmbitoFactory(nome="Ambito di prova", comuni=comuni)
    return Consesso(
        ambito=ambito, assemblea=assemblea_garantisci(ambito), comuni=comuni,
        sindaci=[sindaco_di(c, ambito, username=f"sindaco-{i}") for i, c in enumerate(comuni)],
        presidente=utente_con_ruolo(R.PRESIDENTE_ASSEMBLEA, ambito, username="presidente"),
        udp=utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp"),
        piano=crea_piano(ambito, titolo="Piano di prova"),
    )


def _votazione_aperta(consesso: Consesso) -> Votazione:
    _seduta, punto = consesso.seduta_aperta()
    return services.votazione_apri(punto=punto, utente=consesso.presidente)


def _in_parallelo(azioni) -> list[object]:
    """Run every callable in its own thread, all released together; each one's result or error."""
    barriera = threading.Barrier(len(azioni))
    esiti: list[object] = [None] * len(azioni)

    def tenta(i):
        try:
            barriera.wait(timeout=10)
            esiti[i] = azioni[i]()
        except IterError as exc:
            esiti[i] = exc
        except Exception as exc:  # noqa: BLE001 - an unexpected error (IntegrityError…) must fail the test
            esiti[i] = exc
        finally:
            connections.close_all()

    fili = [threading.Thread(target=tenta, args=(i,)) for i in range(len(azioni))]
    for f in fili:
        f.start()
    for f in fili:
        f.join(timeout=60)
    return esiti


def _eventi_voto(votazione):
    return EventoAssemblea.objects.filter(votazione=votazione, azione=EventoAssemblea.Azione.VOTO)


@pytest.mark.django_db(transaction=True)
def test_venti_voti_dello_stesso_sindaco_ne_registrano_uno(solo_postgres):
    consesso = _consesso(3)
    votazione = _votazione_aperta(consesso)
    sindaco, comune = consesso.sindaci[0], consesso.comuni[0]

    def vota(i):
        return lambda: services.voto_esprimi(votazione=Votazione.objects.get(pk=votazione.pk), utente=sindaco,
                                             espressione="favorevole" if i % 2 else "contrario")

    esiti = _in_parallelo([vota(i) for i in range(TENTATIVI)])

    registrati = [e for e in esiti if isinstance(e, Voto)]
    rifiutati = [e for e in esiti if isinstance(e, DatiNonValidi)]
    assert len(registrati) == 1, esiti
    assert len(rifiutati) == TENTATIVI - 1, esiti
    assert {str(e) for e in rifiutati} == {f"{comune} ha già votato: il voto non si può ripetere né cambiare."}
    voti = list(Voto.objects.filter(votazione=votazione))
    assert [(v.comune_id, v.espressione) for v in voti] == [(comune.pk, registrati[0].espressione)]
    assert _eventi_voto(votazione).count() == 1
    assert _eventi_voto(votazione).get().descrizione == f"{comune}: {voti[0].get_espressione_display()}"


@pytest.mark.django_db(transaction=True)
def test_sindaco_e_segreteria_votano_insieme_per_lo_stesso_comune(solo_postgres):
    """The mayor in the browser and the secretariat entering the vote given aloud: one vote only."""
    consesso = _consesso(3)
    votazione = _votazione_aperta(consesso)
    comune = consesso.comuni[1]

    def vota(i):
        if i % 2:
            return lambda: services.voto_esprimi(votazione=Votazione.objects.get(pk=votazione.pk),
                                                 utente=consesso.sindaci[1], espressione="favorevole")
        return lambda: services.voto_esprimi(votazione=Votazione.objects.get(pk=votazione.pk), utente=consesso.udp,
                                             espressione="astenuto", comune_id=comune.pk)

    esiti = _in_parallelo([vota(i) for i in range(TENTATIVI)])

    assert sum(isinstance(e, Voto) for e in esiti) == 1, esiti
    assert sum(isinstance(e, DatiNonValidi) and "ha già votato" in str(e) for e in esiti) == TENTATIVI - 1, esiti
    assert Voto.objects.filter(votazione=votazione, comune=comune).count() == 1
    assert _eventi_voto(votazione).count() == 1


@pytest.mark.django_db(transaction=True)
def test_venti_sindaci_che_votano_insieme_sono_tutti_registrati(solo_postgres):
    consesso = _consesso(TENTATIVI)
    votazione = _votazione_aperta(consesso)

    def vota(sindaco):
        return lambda: services.voto_esprimi(votazione=Votazione.objects.get(pk=votazione.pk), utente=sindaco,
                                             espressione="favorevole")

    esiti = _in_parallelo([vota(s) for s in consesso.sindaci])

    assert all(isinstance(e, Voto) for e in esiti), esiti
    assert set(Voto.objects.filter(votazione=votazione).values_list("comune_id", flat=True)) == {
        c.pk for c in consesso.comuni}
    assert _eventi_voto(votazione).count() == TENTATIVI
    chiusa = services.votazione_chiudi(votazione=votazione, utente=consesso.presidente)
    assert chiusa.risultato["conteggi"][0]["favorevoli"] == TENTATIVI


@pytest.mark.django_db(transaction=True)
def test_i_voti_in_corsa_con_la_chiusura_sono_contati_o_rifiutati(solo_postgres, monkeypatch):
    """Nineteen mayors vote while the Presidente closes the vote, some of them while the result is
    being computed: a vote recorded before the closing is in the result, one arriving after is
    refused as late; none is lost."""
    consesso = _consesso(TENTATIVI - 1)
    votazione = _votazione_aperta(consesso)
    calcola = voto.calcola_esito
    chiusura_in_corso = threading.Event()

    def calcola_lento(*args, **kwargs):
        # the votes are read: let the late voters go, and widen the window before the closing commits
        chiusura_in_corso.set()
        time.sleep(0.3)
        return calcola(*args, **kwargs)

    monkeypatch.setattr(voto, "calcola_esito", calcola_lento)

    def vota(i, sindaco):
        def azione():
            if i % 2:
                chiusura_in_corso.wait(timeout=10)
            return services.voto_esprimi(votazione=Votazione.objects.get(pk=votazione.pk), utente=sindaco,
                                         espressione="favorevole")
        return azione

    def chiudi():
        return services.votazione_chiudi(votazione=Votazione.objects.get(pk=votazione.pk),
                                         utente=consesso.presidente)

    esiti = _in_parallelo([vota(i, s) for i, s in enumerate(consesso.sindaci)] + [chiudi])

    registrati = [e for e in esiti[:-1] if isinstance(e, Voto)]
    tardivi = [e for e in esiti[:-1] if isinstance(e, TransizioneNonAmmessa)]
    assert isinstance(esiti[-1], Votazione), esiti
    assert len(registrati) + len(tardivi) == TENTATIVI - 1, esiti
    assert tardivi, "nessun voto è arrivato durante la chiusura"
    assert all(str(e) == "La votazione è chiusa: il voto non è stato registrato." for e in tardivi)
    votazione.refresh_from_db()
    assert votazione.stato == Votazione.Stato.CHIUSA
    conteggio = votazione.risultato["conteggi"][0]
    assert conteggio["favorevoli"] == len(registrati) == Voto.objects.filter(votazione=votazione).count()
    assert conteggio["non_votanti"] == len(tardivi)
    assert _eventi_voto(votazione).count() == len(registrati)
    assert EventoAssemblea.objects.filter(votazione=votazione, azione="votazione_chiusa").count() == 1
