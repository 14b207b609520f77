"""Two people making a transition on the same plan at the same moment: exactly one succeeds,
the other is told the plan changed; nothing is lost. Real concurrency needs PostgreSQL."""

import threading

import pytest
from django.db import connection, connections

from accordi.exceptions import IterError, PianoCambiato
from accordi.models import PianoDiZona, TransizionePiano
from accordi.services import esegui_transizione
from ambiti.models import Incarico

from ..factories import AmbitoFactory, CicloFactory, crea_piano, utente_con_ruolo

R = Incarico.Ruolo

pytestmark = pytest.mark.postgres


@pytest.fixture
def solo_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("la concorrenza reale si verifica su PostgreSQL (DATABASE_URL=postgres://…)")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tentativi", [2, 20])
def test_una_sola_transizione_vince(solo_postgres, tentativi):
    ambito = AmbitoFactory()
    piano = crea_piano(ambito, stato="parere_sindacati", ciclo=CicloFactory())
    utenti = [utente_con_ruolo(R.OPERATORE_UDP, ambito) for _ in range(tentativi)]
    barriera = threading.Barrier(tentativi)
    esiti: list[object] = [None] * tentativi

    def tenta(i):
        try:
            barriera.wait(timeout=10)
            esiti[i] = esegui_transizione(
                piano=PianoDiZona.objects.get(pk=piano.pk), nome="rinvia_alla_stesura",
                utente=utenti[i], nota=f"osservazioni {i}", stato_atteso="parere_sindacati",
            )
        except IterError as exc:
            esiti[i] = exc
        finally:
            connections.close_all()

    fili = [threading.Thread(target=tenta, args=(i,)) for i in range(tentativi)]
    for f in fili:
        f.start()
    for f in fili:
        f.join(timeout=60)

    vinti = [e for e in esiti if isinstance(e, TransizionePiano)]
    persi = [e for e in esiti if isinstance(e, PianoCambiato)]
    assert len(vinti) == 1, esiti
    assert len(persi) == tentativi - 1, esiti
    assert all("cambiato nel frattempo" in str(e) for e in persi)
    piano.refresh_from_db()
    assert piano.stato == "bozza"
    assert TransizionePiano.objects.filter(piano=piano, nome="rinvia_alla_stesura").count() == 1
