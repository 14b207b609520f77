"""A Celery worker killed (kill -9) in the middle of a PDF: the task goes back to the queue, a
second worker finishes it, and the act has one number and one file. Real worker processes on a
Redis of the test's own and on the PostgreSQL test database (committed data: transaction=True)."""

import time

import pytest
from django.db import connection

from accordi.models import ContatoreAtti, Documento, RevisioneDocumento
from accordi.services_documenti import documento_richiedi
from ambiti.models import Incarico

from ..pki import PASS
from .servizi import Processo, RedisProprio, ambiente, broker_su, con_processi_reali, eseguibile, redis_disponibile

R = Incarico.Ruolo
RITARDO = 4  # seconds the first worker spends "rendering" before it is killed
VISIBILITA = 2  # seconds before an unacknowledged task goes back to the queue

pytestmark = [
    pytest.mark.postgres,
    con_processi_reali,
    pytest.mark.skipif(not redis_disponibile(), reason="redis-server non installato"),
]


@pytest.fixture
def solo_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("i worker Celery vedono il database di prova solo su PostgreSQL (DATABASE_URL=postgres://…)")


@pytest.fixture
def redis_proprio():
    server = RedisProprio().avvia()
    yield server
    server.ferma()


def avvia_worker(redis_url, pki_prova, media, ritardo, nome):
    dati = connection.settings_dict
    database = f"postgres://{dati['USER']}:{dati['PASSWORD'] or ''}@{dati['HOST'] or '127.0.0.1'}:" \
               f"{dati['PORT'] or 5432}/{dati['NAME']}"
    env = ambiente(
        DATABASE_URL=database, REDIS_URL=redis_url, MEDIA_ROOT=str(media),
        PIANOZONA_PKI_DIR=str(pki_prova.cartella), PIANOZONA_SIGILLO_P12=str(pki_prova.cartella / "sigillo.p12"),
        PIANOZONA_SIGILLO_PASSPHRASE=PASS, PIANOZONA_RITARDO_GENERAZIONE_TEST=str(ritardo),
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITA), DB_CONN_MAX_AGE="0",
    )
    return Processo(
        [eseguibile("celery"), "-A", "pianozona", "worker", "-P", "solo", "-c", "1", "--without-mingle",
         "--without-gossip", "--without-heartbeat", "-l", "info", "-n", f"{nome}@%h"],
        env, nome,
    )


def aspetta(condizione, timeout, descrizione, worker):
    fine = time.monotonic() + timeout
    while time.monotonic() < fine:
        if condizione():
            return
        time.sleep(0.2)
    pytest.fail(f"{descrizione} entro {timeout} s\n--- worker ---\n{worker.uscita()}")


@pytest.mark.django_db(transaction=True)
def test_il_worker_ucciso_a_meta_pdf_non_duplica_l_atto(solo_postgres, mondo, pki_prova, redis_proprio, tmp_path):
    primo = avvia_worker(redis_proprio.url, pki_prova, tmp_path, RITARDO, "primo")
    secondo = None
    try:
        with broker_su(redis_proprio.url):
            documento = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])

        def stato():
            return Documento.objects.get(pk=documento.pk).stato

        aspetta(lambda: stato() == Documento.Stato.IN_CORSO, 60, "il primo worker non ha iniziato il PDF", primo)
        primo.uccidi()
        assert stato() == Documento.Stato.IN_CORSO  # killed before finishing

        secondo = avvia_worker(redis_proprio.url, pki_prova, tmp_path, 0, "secondo")
        aspetta(lambda: stato() == Documento.Stato.PRONTO, 90, "il secondo worker non ha completato l'atto", secondo)
        time.sleep(VISIBILITA + 1)  # any further redelivery would run now: it must change nothing
    finally:
        for worker in (primo, secondo):
            if worker:
                worker.ferma()

    documento.refresh_from_db()
    assert documento.tentativi == 2  # the killed run and the one that finished
    assert RevisioneDocumento.objects.filter(documento=documento).count() == 1
    assert Documento.objects.filter(piano=mondo.piano, tipo="accordo").count() == 1
    assert ContatoreAtti.objects.get(ambito=documento.ambito, anno=documento.anno).ultimo == documento.numero == 1
    file = RevisioneDocumento.objects.get(documento=documento).file.name
    assert (tmp_path / file).read_bytes().startswith(b"%PDF")
