"""The permission matrix: every named URL of the project, read from the URL configuration, asked
by every role of an ambito, by the regional officers of its region and of another, by a user
without roles and by the anonymous visitor, about the objects of their own ambito, of another
ambito of the same region and of an ambito of another region. The expected outcomes are one
table (tests/sicurezza/matrice.py): a new view that the table does not list fails the test.

Zero leaks: nobody gets a 2xx for an object they may not read, the anonymous visitor never gets
a private page, and no page a person may open names the plan or the ambito of another ambito
they may not read (lists included)."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from .matrice import CATEGORIE, LEGGIBILI, ROTTE, atteso
from .mondo import SOGGETTI, VARIANTI, costruisci

# Django's admin checks staff by itself (tested apart below); the language switch is a
# redirect for everybody.
ESCLUSE = {"set_language"}


def rotte_nominate(resolver=None, namespace=None) -> dict[str, str]:
    """Every named route of the URL configuration (with its namespace) and its pattern."""
    resolver = resolver or get_resolver()
    trovate: dict[str, str] = {}
    for voce in resolver.url_patterns:
        if isinstance(voce, URLResolver):
            ns = namespace
            if voce.namespace:
                ns = f"{namespace}:{voce.namespace}" if namespace else voce.namespace
            for nome, schema in rotte_nominate(voce, ns).items():
                trovate[nome] = f"{voce.pattern}{schema}"
        elif isinstance(voce, URLPattern) and voce.name:
            trovate[f"{namespace}:{voce.name}" if namespace else voce.name] = str(voce.pattern)
    return {n: s for n, s in trovate.items() if not n.startswith("admin:") and n not in ESCLUSE}


# --- the table covers the URL configuration --------------------------------------------------


def test_ogni_rotta_del_progetto_e_nella_tabella():
    mancanti = sorted(set(rotte_nominate()) - set(ROTTE))
    assert not mancanti, f"Rotte senza esito atteso nella matrice dei permessi: {mancanti}"


def test_la_tabella_non_elenca_rotte_che_non_esistono_piu():
    sparite = sorted(set(ROTTE) - set(rotte_nominate()))
    assert not sparite, f"Rotte della matrice che non esistono più: {sparite}"


def test_ogni_rotta_ha_una_categoria_nota_e_tutti_i_parametri():
    for nome, (categoria, parametri) in ROTTE.items():
        assert categoria in CATEGORIE, nome
        schema = rotte_nominate()[nome]
        for convertitore in schema.split("<")[1:]:
            assert convertitore.split(">")[0].split(":")[-1] in parametri, (nome, convertitore)


# --- the world, built once for the module ------------------------------------------------------


@pytest.fixture(scope="module")
def mondo_matrice(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            m = costruisci()
            m.token = {s: Token.objects.create(user=u).key for s, u in m.soggetti.items() if u is not None}
            m.client = {}
            for soggetto in SOGGETTI:
                client = Client()
                if m.soggetti[soggetto] is not None:
                    client.force_login(m.soggetti[soggetto])
                m.client[soggetto] = client
            # thousands of expected 403/404: not one warning each in the log
            registro = logging.getLogger("django.request")
            livello = registro.level
            registro.setLevel(logging.ERROR)
            try:
                yield m
            finally:
                registro.setLevel(livello)
                transaction.set_rollback(True)


# Ambito C (another region) is asked by the two regional officers: for everybody else it is one
# more ambito that is not theirs, like B.
SOGGETTI_PER_VARIANTE = {"C": ["regionale", "regionale_altra_regione"]}


def _parametri(m, parametri: dict, variante: str) -> dict:
    oggetti = m.oggetti["A" if variante == "-" else variante]
    return {k: oggetti.pk[v[1:]] if isinstance(v, str) and v.startswith("@") else v for k, v in parametri.items()}


def _chiedi(m, nome: str, url: str, soggetto: str):
    """GET (POST with an empty form when the view takes only POST), undone afterwards."""
    client = m.client[soggetto]
    if nome == "logout":
        client = Client()  # signing out must not sign out the matrix's clients
        if m.soggetti[soggetto] is not None:
            client.force_login(m.soggetti[soggetto])
    extra = {}
    if nome.startswith("api:") and soggetto in m.token:
        extra["HTTP_AUTHORIZATION"] = f"Token {m.token[soggetto]}"
    cache.clear()  # rate limits count per address: every request starts from zero
    with transaction.atomic():
        risposta = client.get(url, **extra)
        if risposta.status_code == 405:
            risposta = client.post(url, {}, **extra)
        transaction.set_rollback(True)
    return risposta


def esito(risposta) -> str:
    codice = risposta.status_code
    if codice in (401,) or (codice == 302 and risposta["Location"].startswith(reverse("login"))):
        return "login"
    if codice in (403, 404):
        return "negato"
    if 200 <= codice < 400 or codice in (400, 409):
        return "ok"
    return f"inatteso {codice}"


def _testo(risposta) -> str:
    if getattr(risposta, "streaming", False):
        return b"".join(risposta.streaming_content).decode("utf-8", "replace")
    return risposta.content.decode("utf-8", "replace")


def _nomi_proibiti(m, soggetto: str) -> list[str]:
    leggibili = LEGGIBILI.get(soggetto, {"A"} if soggetto not in ("anonimo", "senza_ruolo") else set())
    return [nome for v in VARIANTI if v not in leggibili for nome in m.oggetti[v].nomi_riservati]


@pytest.mark.parametrize("nome", sorted(ROTTE))
def test_ogni_persona_ottiene_dalla_rotta_l_esito_della_tabella_e_nessun_nome_altrui(db, mondo_matrice, nome):
    categoria, parametri = ROTTE[nome]
    regola = CATEGORIE[categoria]
    varianti = VARIANTI if any(isinstance(v, str) and v.startswith("@") for v in parametri.values()) else ["-"]
    difformi, fughe = [], []
    for variante in varianti:
        url = reverse(nome, kwargs=_parametri(mondo_matrice, parametri, variante))
        for soggetto in SOGGETTI_PER_VARIANTE.get(variante, SOGGETTI):
            risposta = _chiedi(mondo_matrice, nome, url, soggetto)
            ottenuto, previsto = esito(risposta), atteso(categoria, soggetto, variante)
            if ottenuto != previsto:
                difformi.append(f"{soggetto} su {variante} ({url}): {risposta.status_code}, atteso {previsto}")
            if ottenuto == "ok" and not regola.contenuto_pubblico and 200 <= risposta.status_code < 300:
                testo = _testo(risposta)
                for proibito in _nomi_proibiti(mondo_matrice, soggetto):
                    if proibito in testo:
                        fughe.append(f"{soggetto} su {variante} ({url}) legge «{proibito}»")
    assert not difformi, f"{nome} [{categoria}]:\n" + "\n".join(difformi)
    assert not fughe, f"{nome} [{categoria}]:\n" + "\n".join(fughe)


# --- Django's admin ------------------------------------------------------------------------------


def test_l_amministrazione_rimanda_al_suo_accesso_chi_non_e_del_personale(client, db):
    url = reverse("admin:index")
    accesso = reverse("admin:login")
    risposta = client.get(url)
    assert risposta.status_code == 302 and risposta["Location"].startswith(accesso)
    utente = get_user_model().objects.create_user("non-personale", password="x", is_staff=False)
    client.force_login(utente)
    risposta = client.get(url)
    assert risposta.status_code == 302 and risposta["Location"].startswith(accesso)
