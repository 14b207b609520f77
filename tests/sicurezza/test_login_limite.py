"""Sign-in throttling: after five failed attempts for a username, or twenty from one address,
in the window, the sign-in answers 429 with an Italian message, the same whether the username
exists or not, without checking the password; a successful sign-in is not counted."""

import re
import types
import zlib

import django_ratelimit.core
import pytest
from django.test import Client, override_settings
from django.urls import reverse

from ..factories import UtenteFactory

pytestmark = pytest.mark.django_db

PASSWORD = "password-di-prova"
MESSAGGIO = "Troppi tentativi di accesso non riusciti"


def _accedi(client, username, password, indirizzo="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=indirizzo)


def _fallisci(client, username, volte, indirizzo="10.0.0.1"):
    for _ in range(volte):
        risposta = _accedi(client, username, "sbagliata", indirizzo)
        assert risposta.status_code == 200
        assert MESSAGGIO not in risposta.text


def test_dopo_cinque_errori_il_nome_utente_e_sospeso(client):
    UtenteFactory(username="giulia")
    _fallisci(client, "giulia", 5)
    risposta = _accedi(client, "giulia", "sbagliata")
    assert risposta.status_code == 429
    assert MESSAGGIO in risposta.text
    # the window is fixed (django-ratelimit): the wait is what remains of its 15 minutes
    attesa = int(risposta["Retry-After"])
    assert 0 < attesa <= 15 * 60
    minuti = -(-attesa // 60)
    assert f"riprova tra {minuti} minut" in risposta.text


def test_nell_ultimo_minuto_della_finestra_l_avviso_dice_un_minuto(client, monkeypatch):
    # a clock fixed 30 seconds before the end of the username's window (django-ratelimit staggers
    # each window by the CRC32 of its key)
    periodo = 15 * 60
    fine = zlib.crc32(b"giulia") % periodo
    adesso = 2_000_000 * periodo + (fine - 30) % periodo
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: adesso))
    UtenteFactory(username="giulia")
    _fallisci(client, "giulia", 5)
    risposta = _accedi(client, "giulia", "sbagliata")
    assert risposta.status_code == 429
    assert risposta["Retry-After"] == "30"
    assert "riprova tra 1 minuto oppure" in risposta.text


def test_la_sospensione_vale_anche_con_la_password_giusta(client):
    UtenteFactory(username="giulia")
    _fallisci(client, "giulia", 5)
    risposta = _accedi(client, "giulia", PASSWORD)
    assert risposta.status_code == 429
    assert "_auth_user_id" not in client.session


def test_la_sospensione_vale_da_ogni_indirizzo_e_con_maiuscole_diverse(client):
    UtenteFactory(username="giulia")
    _fallisci(client, "giulia", 5, indirizzo="10.0.0.1")
    assert _accedi(client, "Giulia", PASSWORD, indirizzo="10.9.9.9").status_code == 429


def test_la_risposta_non_rivela_se_il_nome_utente_esiste():
    UtenteFactory(username="giulia")
    esistente, inesistente = Client(), Client()
    _fallisci(esistente, "giulia", 5, indirizzo="10.0.0.1")
    _fallisci(inesistente, "nessuno", 5, indirizzo="10.0.0.2")
    a = _accedi(esistente, "giulia", "sbagliata", indirizzo="10.0.0.1")
    b = _accedi(inesistente, "nessuno", "sbagliata", indirizzo="10.0.0.2")
    assert a.status_code == b.status_code == 429
    avviso = re.compile(r'data-testid="accesso-sospeso">([^<]+)<')
    # the windows are staggered by the username's text (django-ratelimit), not by its existence:
    # the wait may differ, also between "1 minuto" and "N minuti"
    senza_minuti = [re.sub(r"\d+ minut[oi]", "N minuti", avviso.search(r.text).group(1)) for r in (a, b)]
    assert senza_minuti[0] == senza_minuti[1]
    assert "giulia" not in avviso.search(a.text).group(1)


def test_gli_errori_sotto_il_limite_non_impediscono_l_accesso(client):
    UtenteFactory(username="giulia")
    _fallisci(client, "giulia", 4)
    risposta = _accedi(client, "giulia", PASSWORD)
    assert risposta.status_code == 302
    assert client.session["_auth_user_id"]


def test_gli_accessi_riusciti_non_contano(client):
    utente = UtenteFactory(username="giulia")
    for _ in range(8):
        assert _accedi(client, "giulia", PASSWORD).status_code == 302
        client.logout()
    assert _accedi(client, "giulia", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(utente.pk)


def test_un_altro_utente_non_e_toccato_dalla_sospensione(client):
    UtenteFactory(username="giulia")
    UtenteFactory(username="marco")
    _fallisci(client, "giulia", 5, indirizzo="10.0.0.1")
    assert _accedi(client, "marco", PASSWORD, indirizzo="10.0.0.2").status_code == 302


@override_settings(PIANOZONA_ACCESSO_LIMITE_INDIRIZZO="20/h")
def test_dopo_venti_errori_l_indirizzo_e_sospeso_per_ogni_nome(client):
    UtenteFactory(username="giulia")
    for i in range(20):
        _fallisci(client, f"tentativo-{i}", 1, indirizzo="10.0.0.7")
    risposta = _accedi(client, "giulia", PASSWORD, indirizzo="10.0.0.7")
    assert risposta.status_code == 429
    assert MESSAGGIO in risposta.text
    # another address is not affected
    assert _accedi(client, "giulia", PASSWORD, indirizzo="10.0.0.8").status_code == 302


def test_la_pagina_di_accesso_si_apre_anche_durante_la_sospensione(client):
    UtenteFactory(username="giulia")
    _fallisci(client, "giulia", 5)
    assert client.get(reverse("login")).status_code == 200
