"""PostgreSQL restarted under the running app: gunicorn keeps its persistent connection
(CONN_MAX_AGE, as in production) and, thanks to CONN_HEALTH_CHECKS, the first request after the
restart opens a new one instead of failing. The cluster is the test's own (initdb in a temporary
folder, a free port): the shared PostgreSQL is never restarted."""

import subprocess
import urllib.error
import urllib.request

import pytest

from .servizi import (
    RADICE,
    PostgresProprio,
    Processo,
    ambiente,
    aspetta_porta,
    con_processi_reali,
    eseguibile,
    porta_libera,
    postgres_disponibile,
)

PAGINA = "/pubblico/accordi/"  # public, and it reads the database

cluster_proprio = pytest.mark.skipif(not postgres_disponibile(), reason="PostgreSQL 15 (initdb) non disponibile")


def stato_http(porta: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{porta}{PAGINA}", timeout=20) as risposta:
            return risposta.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def cluster():
    pg = PostgresProprio().crea()
    pg.avvia()
    yield pg
    pg.elimina()


@pytest.fixture(scope="module")
def app_in_esecuzione(cluster):
    """gunicorn with the production settings on the test's own cluster, migrated."""
    env = ambiente(
        DATABASE_URL=cluster.url(), DB_CONN_MAX_AGE="60", DEBUG="false", PIANOZONA_HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1", REDIS_URL="",
    )
    subprocess.run([eseguibile("python"), "manage.py", "migrate", "--noinput", "-v", "0"], env=env, check=True,
                   cwd=RADICE, timeout=300)
    porta = porta_libera()
    web = Processo(
        [eseguibile("gunicorn"), "pianozona.wsgi:application", "--bind", f"127.0.0.1:{porta}", "--workers", "1",
         "--timeout", "60"],
        env, "gunicorn",
    )
    aspetta_porta(porta, timeout=60)
    yield porta, web
    web.ferma()


def test_le_impostazioni_controllano_la_connessione_prima_di_riusarla():
    from django.conf import settings

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@con_processi_reali
@cluster_proprio
def test_dopo_il_riavvio_di_postgresql_la_prima_richiesta_riesce(cluster, app_in_esecuzione):
    porta, web = app_in_esecuzione
    assert stato_http(porta) == 200, web.uscita()
    assert stato_http(porta) == 200  # the same persistent connection

    cluster.riavvia()  # every open connection is closed by the server

    assert stato_http(porta) == 200, web.uscita()
    assert web.processo.poll() is None  # the same gunicorn, never restarted


@con_processi_reali
@cluster_proprio
def test_con_postgresql_fermo_la_pagina_e_un_errore_e_poi_si_riprende(cluster, app_in_esecuzione):
    porta, web = app_in_esecuzione
    assert stato_http(porta) == 200, web.uscita()

    cluster.ferma()
    assert stato_http(porta) == 500  # the page does read the database: an error page, no hang

    cluster.avvia()
    assert stato_http(porta) == 200, web.uscita()
    assert web.processo.poll() is None
