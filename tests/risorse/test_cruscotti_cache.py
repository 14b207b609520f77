"""The dashboards' figures are kept in the cache for a minute, under a key holding a version
of the data: a second request reads fewer queries, and every change — saved, deleted, added
in bulk — shows at the next request, not after the minute."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordi.models import PianoDiZona
from ambiti.segnali import aggiunte
from risorse.models import VoceRisorsa

from ..factories import VoceRisorsaFactory, fonte
from .cruscotti_dati import crea_regione, funzionario

pytestmark = pytest.mark.django_db
REGIONALE = reverse("risorse:cruscotto_regionale")


@pytest.fixture
def r():
    return crea_regione()


def _totale(client, url=REGIONALE):
    risposta = client.get(url)
    assert risposta.status_code == 200
    testo = risposta.content.decode()
    assert 'data-testid="aggiornati-il">Dati aggiornati al ' in testo
    inizio = testo.index('data-testid="totale-risorse">') + len('data-testid="totale-risorse">')
    return testo[inizio:testo.index("<", inizio)]


def _query(client, url=REGIONALE) -> int:
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    return len(q)


def test_la_seconda_richiesta_legge_dalla_cache(client, r):
    client.force_login(funzionario(r.regione))
    calcolo = _query(client)
    assert _query(client) < calcolo - 5
    # Another filter is another entry, computed once too.
    url = f"{REGIONALE}?tipo=consuntivo"
    calcolo = _query(client, url)
    assert _query(client, url) < calcolo - 5


def test_una_voce_salvata_o_cancellata_si_vede_subito(client, r):
    client.force_login(funzionario(r.regione))
    prima = _totale(client)
    voce = VoceRisorsaFactory(piano=r.piano_alfa, fonte=fonte("fnps"), anno=2027,
                              importo_centesimi=123_456)
    dopo = _totale(client)
    assert dopo != prima
    voce.importo_centesimi += 100
    voce.save()
    assert _totale(client) != dopo
    voce.delete()
    assert _totale(client) == prima


def test_le_voci_aggiunte_in_blocco_si_vedono_subito(client, r):
    """bulk_create sends no signal of Django's: the services add rows in bulk with
    ``ambiti.segnali.aggiunte``, which says so (tests/risorse/test_versioni_scritture.py)."""
    client.force_login(funzionario(r.regione))
    prima = _totale(client)
    modello = VoceRisorsa.objects.filter(piano=r.piano_alfa, tipo="previsto").first()
    modello.pk = None
    modello.importo_centesimi, modello.anno = 777_700, 2029
    aggiunte(VoceRisorsa, [modello])
    assert _totale(client) != prima


def test_il_cruscotto_d_ambito_segue_il_piano(client, r):
    client.force_login(funzionario(r.regione))
    url = reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])
    assert "Piano Alfa" in client.get(url).content.decode()
    piano = PianoDiZona.objects.get(pk=r.piano_alfa.pk)
    piano.titolo = "Piano Alfa rinominato"
    piano.save()
    assert "Piano Alfa rinominato" in client.get(url).content.decode()
