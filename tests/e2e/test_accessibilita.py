"""Accessibility: axe-core finds no WCAG 2.1 A/AA violation on every public page and on the main
pages of each role (Ufficio di Piano, mayor, regional officer).

One small region (tests/risorse/cruscotti_dati.py): the plan of the ambito Alfa is being signed,
with its Accordo open to adesioni, requests to review, resources, the Comuni's spending, content
with an indicator and its measurement, a tavolo; the plan of Beta is in force with its Accordo,
its signed text and an adherent body (tests/accordi/test_portale.py). Each page is a test of its
own, so that a failure names the page and lists axe's findings (rule, impact, elements)."""

import os
from dataclasses import dataclass

import pytest
from django.urls import reverse

from ambiti.models import Incarico
from ambiti.services import incarico_assegna

from ..accordi.test_portale import accordo_pubblico
from ..factories import (
    AzioneFactory,
    IndicatoreFactory,
    MisurazioneFactory,
    ObiettivoFactory,
    TavoloFactory,
    crea_sezione,
    utente_con_ruolo,
)
from ..risorse.cruscotti_dati import crea_regione, funzionario
from .accessibilita import controlla
from .conftest import accedi

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
R = Incarico.Ruolo


def _fonti_predefinite():
    """A transactional test empties the tables, the default sources of migration 0002 included."""
    import importlib

    from django.apps import apps

    importlib.import_module("risorse.migrations.0002_fonti_predefinite").crea(apps, None)


@dataclass
class Dati:
    alfa: object
    beta: object
    piano_alfa: object
    piano_beta: object
    accordo_beta: object
    regione: object


@pytest.fixture
def dati(transactional_db) -> Dati:
    _fonti_predefinite()
    r = crea_regione()
    accordo = accordo_pubblico(r.piano_beta, r.beta)
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, r.alfa, username="udp", first_name="Giulia", last_name="Ferri")
    incarico_assegna(utente=udp, ruolo=R.RESPONSABILE_UDP, ambito=r.beta)
    utente_con_ruolo(R.SINDACO, r.alfa, username="sindaco", first_name="Anna", last_name="Bianchi")
    funzionario(r.regione, username="regione")
    crea_sezione(r.piano_alfa)
    obiettivo = ObiettivoFactory(piano=r.piano_alfa, titolo="Sostenere la domiciliarità")
    azione = AzioneFactory(obiettivo=obiettivo, titolo="Assistenza domiciliare integrata")
    MisurazioneFactory(indicatore=IndicatoreFactory(azione=azione, descrizione="Utenti seguiti a domicilio"),
                       inserita_da=udp)
    TavoloFactory(piano=r.piano_alfa, nome="Tavolo anziani", coordinatore=udp)
    return Dati(r.alfa, r.beta, r.piano_alfa, r.piano_beta, accordo, r.regione)


def _invia_registrazione_vuota(pagina):
    pagina.get_by_role("button", name="Invia la richiesta di registrazione").click()
    pagina.wait_for_load_state()
    assert pagina.locator(".invalid-feedback, .alert-danger, [aria-invalid=true]").count() > 0


# (name, who signs in, address from the data, what to do on the page before the check)
PAGINE = [
    ("home", None, lambda d: reverse("accordi:home"), None),
    ("accesso", None, lambda d: reverse("login"), None),
    ("piani-approvati", None, lambda d: reverse("accordi:pubblico_piani"), None),
    ("piano-pubblico", None, lambda d: reverse("accordi:pubblico_piano", args=[d.piano_beta.pk]), None),
    ("accordi-in-vigore", None, lambda d: reverse("accordi:accordi_vigenti"), None),
    ("accordo-pubblico", None, lambda d: reverse("accordi:accordo_pubblico", args=[d.accordo_beta.pk]), None),
    ("portale-terzo-settore", None, lambda d: reverse("accordi:portale"), None),
    ("registrazione", None, lambda d: reverse("accordi:registrazione"), None),
    ("registrazione-con-errori", None, lambda d: reverse("accordi:registrazione"), _invia_registrazione_vuota),
    ("verifica", None, lambda d: reverse("accordi:verifica"), None),
    ("pagina-non-trovata", None, lambda d: "/pagina-che-non-esiste/", None),
    ("documentazione-api", None, lambda d: reverse("api:docs"), None),
    ("scrivania-udp", "udp", lambda d: reverse("accordi:home"), None),
    ("piani-udp", "udp", lambda d: reverse("accordi:piani"), None),
    ("piano-udp", "udp", lambda d: reverse("accordi:piano", args=[d.piano_alfa.pk]), None),
    ("contenuto-piano", "udp", lambda d: reverse("accordi:contenuto", args=[d.piano_alfa.pk]), None),
    ("accordo-udp", "udp", lambda d: reverse("accordi:accordo", args=[d.piano_alfa.pk]), None),
    ("esame-adesioni", "udp", lambda d: reverse("accordi:adesioni_accordo", args=[d.piano_alfa.pk]), None),
    ("quadro-risorse", "udp", lambda d: reverse("risorse:quadro", args=[d.piano_alfa.pk]), None),
    ("spesa-comuni", "udp", lambda d: reverse("risorse:spesa", args=[d.alfa.pk]), None),
    ("monitoraggio", "udp", lambda d: reverse("risorse:monitoraggio", args=[d.piano_alfa.pk]), None),
    ("cruscotto-ambito", "udp", lambda d: reverse("risorse:cruscotto_ambito", args=[d.alfa.pk]), None),
    ("tavoli", "udp", lambda d: reverse("tavoli:tavoli_piano", args=[d.piano_alfa.pk]), None),
    ("documento", "udp", lambda d: reverse("accordi:documento", args=[d.accordo_beta.documento_id]), None),
    ("scrivania-sindaco", "sindaco", lambda d: reverse("accordi:home"), None),
    ("assemblea", "sindaco", lambda d: reverse("tavoli:assemblea", args=[d.alfa.pk]), None),
    ("scrivania-regione", "regione", lambda d: reverse("accordi:home"), None),
    ("cruscotto-regionale", "regione", lambda d: reverse("risorse:cruscotto_regionale"), None),
]


@pytest.fixture
def pagina_senza_csp(browser, live_server):
    """A fresh context where the site's Content-Security-Policy does not stop axe."""
    contesto = browser.new_context(base_url=live_server.url, locale="it-IT", viewport={"width": 1280, "height": 900},
                                   bypass_csp=True)
    yield contesto.new_page()
    contesto.close()


@pytest.mark.parametrize(("nome", "utente", "indirizzo", "azione"), PAGINE, ids=[p[0] for p in PAGINE])
def test_la_pagina_non_ha_violazioni_wcag_21_aa(pagina_senza_csp, dati, screenshot, nome, utente, indirizzo, azione):
    pagina = pagina_senza_csp
    if utente:
        accedi(pagina, utente)
    risposta = pagina.goto(indirizzo(dati))
    atteso = 404 if nome == "pagina-non-trovata" else 200
    assert risposta.status == atteso, f"{nome}: {risposta.status} invece di {atteso}"
    if azione:
        azione(pagina)
    pagina.wait_for_load_state("networkidle")
    screenshot(pagina, nome)
    controlla(pagina, nome)
