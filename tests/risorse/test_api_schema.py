"""The API against its own OpenAPI schema (schemathesis): for every operation, generated
requests (ids, filters, pages) must get an answer the schema documents — status code, content
type, headers and body — and never a server error; anonymously and with a token. Small data
and few examples per operation keep the file fast."""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from accordi.models import AccordoDiProgramma, ParteAccordo, PianoDiZona
from ambiti.models import Incarico
from pianozona.wsgi import application

from ..factories import (
    AmbitoFactory,
    EnteFactory,
    RichiestaAdesioneFactory,
    VoceRisorsaFactory,
    crea_piano,
    ente_terzo_settore,
    fonte,
)

R = Incarico.Ruolo

# The schema as the running application serves it (no database needed to build it).
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)

ESEMPI = settings(max_examples=10, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                         HealthCheck.filter_too_much])


@pytest.fixture(autouse=True)
def _connessione_tenuta():
    """Schemathesis calls the WSGI application itself, not through Django's test client, so
    nothing stops the end of each request from closing the database connection, which on
    PostgreSQL holds the test's transaction. Disconnect that handler as the test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _senza_limiti(monkeypatch):
    """Each example costs several calls (the checks replay some without auth or with another
    method): the per-address limit of anonymous use must not turn them into 429s at random."""
    from risorse.api.permessi import LimiteAnonimi, LimiteUtenti

    for limite in (LimiteAnonimi, LimiteUtenti):
        monkeypatch.setattr(limite, "THROTTLE_RATES", {"anonimi": "100000/minute", "utenti": "100000/minute"})


@pytest.fixture
def dati(mondo):
    """A plan in force with its Accordo, a party, an adherent and a request under review; the
    quadro of the Ufficio di Piano's plan; a draft plan that must stay private."""
    vigente = crea_piano(AmbitoFactory(comuni=[]), stato="vigente", vigente_dal=datetime.date(2025, 4, 1),
                         revisione_vigente=1, titolo="Piano in vigore")
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato="vigente", vigente_dal=datetime.date(2025, 4, 1),
                                                         revisione_vigente=1)
    capofila = EnteFactory()
    accordo = AccordoDiProgramma.objects.create(piano=mondo.piano, revisione=1, ente_capofila=capofila,
                                                data_inizio=datetime.date(2025, 4, 1))
    ParteAccordo.objects.create(accordo=accordo, ente=capofila, ruolo=ParteAccordo.Ruolo.values[0])
    for stato in ("sottoscritta", "in_istruttoria"):
        richiesta = RichiestaAdesioneFactory(accordo=accordo, ente=ente_terzo_settore(mondo.ambito)[0], stato=stato)
        richiesta.risorse.create(tipo="denaro", descrizione="Contributo", quantita=1, valore_centesimi=123_456)
    for anno in (2025, 2026):
        VoceRisorsaFactory(piano=mondo.piano, anno=anno, fonte=fonte("fnps"))
        VoceRisorsaFactory(piano=mondo.piano, anno=anno, fonte=fonte("fna"), tipo="consuntivo")
    crea_piano(AmbitoFactory(comuni=[]), stato="bozza", titolo="Bozza privata")
    return {"vigente": vigente, "token": Token.objects.create(user=mondo[R.RESPONSABILE_UDP]).key}


@pytest.mark.django_db
@schema.parametrize()
@ESEMPI
def test_api_anonima_conforme_allo_schema(case, dati):
    risposta = case.call_and_validate(app=application)
    assert "Bozza privata" not in risposta.text


@pytest.mark.django_db
@schema.parametrize()
@ESEMPI
def test_api_con_token_conforme_allo_schema(case, dati):
    case.call_and_validate(app=application, headers={"Authorization": f"Token {dati['token']}"})


@pytest.mark.django_db
def test_le_risposte_con_dati_sono_conformi_allo_schema(dati, mondo):
    """Generated ids rarely name a row: here every detail is read with ids that exist, so that
    the bodies of the 200 answers (nested objects, nullable fields, amounts) meet the schema."""
    accordo = AccordoDiProgramma.objects.get(piano=mondo.piano)
    token = {"Authorization": f"Token {dati['token']}"}
    casi = [
        ("/api/v1/ambiti/{id}/", mondo.ambito.pk, {}),
        ("/api/v1/pubblico/piani/{id}/", dati["vigente"].pk, {}),
        ("/api/v1/pubblico/accordi/{id}/", accordo.pk, {}),
        ("/api/v1/piani/{id}/", mondo.piano.pk, token),
        ("/api/v1/piani/{id}/risorse/", mondo.piano.pk, token),
        ("/api/v1/piani/{id}/adesioni/", mondo.piano.pk, token),
    ]
    for percorso, pk, intestazioni in casi:
        case = schema[percorso]["GET"].Case(path_parameters={"id": pk}, headers=intestazioni)
        risposta = case.call_and_validate(app=application)
        assert risposta.status_code == 200, percorso
    for percorso in ("/api/v1/pubblico/accordi/", "/api/v1/piani/"):
        risposta = schema[percorso]["GET"].Case(headers=token).call_and_validate(app=application)
        assert risposta.json()["count"] > 0
