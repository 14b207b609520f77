"""Redis down: the pages keep working (the cache answers as an empty one and the limits let
requests through), an act asked for meanwhile stays «in coda» with a clear message, and it is
made once when Redis is back. A redis-server of the test's own is stopped: never the shared one."""

import base64
import html
import json
import re
import time

import pytest
import redis
from django.urls import reverse

from accordi.models import Documento
from accordi.services_documenti import CODA_NON_RAGGIUNGIBILE, riaccoda_documenti_fermi
from accordi.tasks import genera_documento_task
from ambiti.models import Incarico

from ..factories import UtenteFactory
from .servizi import RedisProprio, broker_su, redis_disponibile

R = Incarico.Ruolo
PASSWORD = "una-password-lunga-2026"
SECONDI_MASSIMI = 3  # a page with Redis down: no hanging on the cache or on the broker

pytestmark = pytest.mark.skipif(not redis_disponibile(), reason="redis-server non installato")


def visibile(risposta) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", risposta.content.decode())).split())


@pytest.fixture
def redis_proprio():
    server = RedisProprio().avvia()
    yield server
    server.ferma()


@pytest.fixture
def cache_redis(settings, redis_proprio):
    """The production cache backend, on the test's own Redis."""
    settings.CACHES = {"default": {"BACKEND": "ambiti.cache.RedisCacheTollerante", "LOCATION": redis_proprio.url}}
    from django.core.cache import cache

    cache.clear()
    return redis_proprio


@pytest.fixture
def broker_redis(redis_proprio):
    """Celery sends its tasks to the test's own Redis instead of running them in-process."""
    with broker_su(redis_proprio.url):
        yield redis_proprio


def messaggi_in_coda(server) -> list[int]:
    """The document ids of the generation tasks waiting in the broker's queue."""
    client = redis.Redis.from_url(server.url)
    ids = []
    for grezzo in client.lrange("celery", 0, -1):
        messaggio = json.loads(grezzo)
        assert messaggio["headers"]["task"] == genera_documento_task.name
        argomenti = json.loads(base64.b64decode(messaggio["body"]))[0]
        ids.append(argomenti[0])
    return ids


def esegui_la_coda(server) -> None:
    """A worker's job, in the test process: run every queued generation task."""
    client = redis.Redis.from_url(server.url)
    for documento_id in messaggi_in_coda(server):
        genera_documento_task.apply(args=(documento_id,), throw=True)
    client.delete("celery")


def test_con_redis_attivo_la_cache_e_redis(cache_redis):
    from django.core.cache import cache

    cache.set("prova", 41)
    assert cache.incr("prova") == 42
    assert redis.Redis.from_url(cache_redis.url).dbsize() == 1


def test_con_redis_giu_la_cache_risponde_vuota_senza_attese(cache_redis):
    from django.core.cache import cache

    cache.set("prova", 1)
    cache_redis.ferma()
    inizio = time.monotonic()
    assert cache.get("prova", "assente") == "assente"
    assert cache.add("altra", 1) is False
    with pytest.raises(ValueError):
        cache.incr("prova")
    cache.set("prova", 2)
    assert cache.get_many(["prova"]) == {}
    assert time.monotonic() - inizio < SECONDI_MASSIMI


def test_quando_redis_torna_la_cache_riprende_con_lo_stesso_client(cache_redis, monkeypatch):
    """The backend keeps one redis client per pool (ambiti.cache._ClienteRedis): after a restart
    of Redis that client reconnects by itself."""
    from django.core.cache import caches

    cache = caches["default"]
    cache.set("prova", 1)
    client = cache._cache.get_client()
    assert cache._cache.get_client() is client
    cache_redis.ferma()
    assert cache.get("prova") is None
    cache_redis.avvia()
    monkeypatch.setattr(cache, "_giu_fino", 0.0)  # as when the pause after the failure is over
    cache.set("prova", 2)
    assert cache.get("prova") == 2
    assert cache._cache.get_client() is client


def test_con_redis_giu_le_pagine_pubbliche_rispondono(client, cache_redis, db):
    cache_redis.ferma()
    for indirizzo in ["/", reverse("login"), reverse("accordi:verifica"), reverse("accordi:portale"),
                      reverse("accordi:registrazione"), reverse("accordi:accordi_vigenti"),
                      reverse("api:pubblico_piani")]:
        inizio = time.monotonic()
        risposta = client.get(indirizzo)
        assert risposta.status_code == 200, indirizzo
        assert time.monotonic() - inizio < SECONDI_MASSIMI, indirizzo


def test_con_redis_giu_si_accede_e_un_errore_di_password_non_diventa_un_blocco(client, cache_redis, db):
    utente = UtenteFactory(username="mrossi")
    utente.set_password(PASSWORD)
    utente.save()
    cache_redis.ferma()
    for _ in range(8):  # more than the limit per username: nothing is counted, nobody is blocked
        sbagliata = client.post(reverse("login"), {"username": "mrossi", "password": "sbagliata"})
        assert sbagliata.status_code == 200
    risposta = client.post(reverse("login"), {"username": "mrossi", "password": PASSWORD})
    assert risposta.status_code == 302
    assert client.session["_auth_user_id"] == str(utente.pk)


def test_con_redis_giu_i_moduli_pubblici_si_inviano(client, cache_redis, db):
    cache_redis.ferma()
    verifica = client.post(reverse("accordi:verifica"), {"codice": "ABCDEFGHJK"})
    assert verifica.status_code == 200
    assert "Nessun documento corrisponde a questo codice." in visibile(verifica)
    # the Terzo Settore registration form: its limits fail open, the form answers
    registrazione = client.post(reverse("accordi:registrazione"), {"denominazione": "Associazione Il Girasole"})
    assert registrazione.status_code == 200


def test_con_redis_giu_l_atto_resta_in_coda_e_la_pagina_lo_dice(
    client, mondo, pki_attiva, broker_redis, django_capture_on_commit_callbacks,
):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    broker_redis.ferma()
    inizio = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(reverse("accordi:documento_genera", args=[mondo.piano.pk, "accordo"]))
    assert time.monotonic() - inizio < SECONDI_MASSIMI
    documento = Documento.objects.get(piano=mondo.piano, tipo="accordo")
    assert risposta.status_code == 302 and risposta.url == reverse("accordi:documento", args=[documento.pk])
    assert documento.stato == Documento.Stato.IN_CODA
    assert documento.errore.startswith(CODA_NON_RAGGIUNGIBILE)

    pagina = visibile(client.get(risposta.url))
    assert "il servizio che prepara i documenti non è raggiungibile" in pagina
    assert "sarà preparato appena il servizio torna disponibile" in pagina
    assert f"n. {documento.protocollo}" in pagina


def test_con_redis_giu_il_riaccodamento_non_perde_nulla_e_riprova_dopo(
    mondo, pki_attiva, broker_redis, django_capture_on_commit_callbacks,
):
    from accordi.services_documenti import documento_richiedi

    broker_redis.ferma()
    with django_capture_on_commit_callbacks(execute=True):
        documento = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])
    assert riaccoda_documenti_fermi(minuti=0) == []
    documento.refresh_from_db()
    assert documento.stato == Documento.Stato.IN_CODA
    assert documento.errore.startswith(CODA_NON_RAGGIUNGIBILE)


def test_quando_redis_torna_l_atto_in_coda_e_generato_una_volta(
    client, mondo, pki_attiva, broker_redis, django_capture_on_commit_callbacks,
):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    broker_redis.ferma()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accordi:documento_genera", args=[mondo.piano.pk, "accordo"]))
    documento = Documento.objects.get(piano=mondo.piano, tipo="accordo")

    broker_redis.avvia()
    # not yet: the sweeper leaves alone the acts asked for less than N minutes ago
    assert riaccoda_documenti_fermi(minuti=5) == []
    assert riaccoda_documenti_fermi(minuti=0) == [documento.pk]
    assert messaggi_in_coda(broker_redis) == [documento.pk]
    documento.refresh_from_db()
    assert documento.errore == ""
    assert "tra pochi istanti" in visibile(client.get(reverse("accordi:documento", args=[documento.pk])))

    # a second sweep before a worker took it: a duplicate message, still one act
    assert riaccoda_documenti_fermi(minuti=0) == [documento.pk]
    esegui_la_coda(broker_redis)
    documento.refresh_from_db()
    assert documento.stato == Documento.Stato.PRONTO
    assert documento.revisioni.count() == 1
    assert Documento.objects.filter(piano=mondo.piano, tipo="accordo").count() == 1
    assert "Documento pronto" in visibile(client.get(reverse("accordi:documento", args=[documento.pk])))


def test_il_riaccodamento_e_pianificato(settings):
    voce = settings.CELERY_BEAT_SCHEDULE["riaccoda-documenti-fermi"]
    assert voce["task"] == "accordi.tasks.riaccoda_documenti_fermi"
