"""The browser enforces the Content-Security-Policy and reports no violation on the public home,
the sign-in page, a plan's page and the dashboards: no inline script, event handler or style
is left that the policy would refuse (htmx and Bootstrap Italia keep working under it)."""

import os

import pytest
from playwright.sync_api import expect

from ..risorse.cruscotti_dati import crea_regione, funzionario
from .conftest import accedi

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The violations as the page sees them (securitypolicyviolation), besides Chromium's console.
RACCOGLI_VIOLAZIONI = """
window.__violazioniCsp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violazioniCsp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "")
                              + ":" + e.lineNumber);
});
"""


def _osserva(pagina):
    console = []
    pagina.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text
              or "Refused to" in m.text else None)
    pagina.add_init_script(RACCOGLI_VIOLAZIONI)
    return console


def _visita(pagina, console, indirizzo):
    risposta = pagina.goto(indirizzo)
    assert risposta.status == 200, indirizzo
    assert "script-src 'self'" in risposta.headers["content-security-policy"]
    pagina.wait_for_load_state("networkidle")
    violazioni = pagina.evaluate("window.__violazioniCsp")
    assert violazioni == [], f"{indirizzo}: {violazioni}"
    assert console == [], f"{indirizzo}: {console}"


def _fonti_predefinite():
    import importlib

    from django.apps import apps

    importlib.import_module("risorse.migrations.0002_fonti_predefinite").crea(apps, None)


@pytest.mark.django_db(transaction=True)
def test_le_pagine_pubbliche_rispettano_la_csp(nuova_sessione):
    pagina = nuova_sessione()
    console = _osserva(pagina)
    _visita(pagina, console, "/")
    _visita(pagina, console, "/account/accedi/")
    _visita(pagina, console, "/terzo-settore/")
    _visita(pagina, console, "/api/v1/docs/")
    expect(pagina.get_by_text("PianoZona – API aperta").first).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_piano_e_cruscotti_rispettano_la_csp(nuova_sessione):
    _fonti_predefinite()
    r = crea_regione()
    funzionario(r.regione, username="regione")
    pagina = nuova_sessione()
    console = _osserva(pagina)
    accedi(pagina, "regione")
    _visita(pagina, console, "/regione/cruscotto/")
    expect(pagina.get_by_test_id("sezione-iter").get_by_role("img")).to_be_visible()
    _visita(pagina, console, f"/ambiti/{r.alfa.pk}/cruscotto/")
    _visita(pagina, console, f"/piani/{r.piano_beta.pk}/")
    _visita(pagina, console, f"/piani/{r.piano_beta.pk}/monitoraggio/")


@pytest.mark.django_db(transaction=True)
def test_l_editor_delle_sezioni_funziona_con_la_csp(nuova_sessione):
    """Trix inserts its own <style> elements: they carry the page's nonce and are accepted."""
    from ambiti.models import Incarico

    from ..factories import AmbitoFactory, crea_piano, crea_sezione, utente_con_ruolo

    ambito = AmbitoFactory()
    piano = crea_piano(ambito, stato="bozza")
    sezione = crea_sezione(piano)
    utente_con_ruolo(Incarico.Ruolo.RESPONSABILE_UDP, ambito, username="udp")
    pagina = nuova_sessione()
    console = _osserva(pagina)
    accedi(pagina, "udp")
    _visita(pagina, console, f"/sezioni/{sezione.pk}/")
    editor = pagina.locator("trix-editor")
    expect(editor).to_be_visible()
    editor.click()
    pagina.keyboard.type("Testo scritto sotto la CSP")
    expect(editor).to_contain_text("Testo scritto sotto la CSP")
    assert pagina.evaluate("window.__violazioniCsp") == []
