"""User story: the regional officer reads the dashboard of the region.

The officer of Lombardia signs in and opens «Cruscotto» from the menu: the cycle 2025-2027 with
three ambiti, one at signature, one in force and one without a plan; the resources by source
(26.000 € planned, 3,25 € per inhabitant); the share of the Comuni's spending conferred to the
Ufficio di Piano (one ambito between 16% and 50%, one below 16%, one without data); the Terzo
Settore bodies that adhere. The officer filters by ASL Due: two ambiti remain. The officer opens
the data table of the sources chart, reads its total, downloads the ambiti's iter as CSV
(semicolon, only the filtered ambiti) and drills down to the dashboard of the ambito Beta."""

import os

import pytest
from playwright.sync_api import expect

from ..risorse.cruscotti_dati import crea_regione, funzionario
from .conftest import accedi

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _fonti_predefinite():
    """A transactional test empties the tables, the default sources of migration 0002 included."""
    import importlib

    from django.apps import apps

    importlib.import_module("risorse.migrations.0002_fonti_predefinite").crea(apps, None)


@pytest.mark.django_db(transaction=True)
def test_il_funzionario_regionale_legge_il_cruscotto(nuova_sessione, screenshot):
    _fonti_predefinite()
    r = crea_regione()
    funzionario(r.regione, username="regione")

    pagina = nuova_sessione()
    accedi(pagina, "regione")
    pagina.get_by_role("link", name="Cruscotto").first.click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Cruscotto regionale – Lombardia")
    expect(pagina.get_by_test_id("tabella-ambiti").locator("tbody tr")).to_have_count(3)
    expect(pagina.get_by_test_id("classi-quota")).to_contain_text("1 tra il 16% e il 50%")
    expect(pagina.get_by_test_id("classi-quota")).to_contain_text("1 senza dati")
    expect(pagina.get_by_test_id("sezione-iter").get_by_role("img")).to_be_visible()
    screenshot(pagina, "01-cruscotto")

    # --- filter by ASL, without JavaScript: a GET form
    pagina.get_by_label("Azienda sanitaria").select_option(label="ASL Due")
    pagina.get_by_role("button", name="Applica i filtri").click()
    righe = pagina.get_by_test_id("tabella-ambiti").locator("tbody tr")
    expect(righe).to_have_count(2)
    expect(righe.first).to_contain_text("Beta")
    expect(righe.first).to_contain_text("in vigore dal 01/02/2026")
    expect(righe.nth(1)).to_contain_text("Piano non avviato")
    screenshot(pagina, "02-filtro-asl")

    # --- the data table of the sources chart
    sezione = pagina.get_by_test_id("sezione-risorse")
    categorie = sezione.get_by_test_id("tabella-categorie")  # table 1.1, open by default
    expect(categorie.locator("tbody tr")).to_have_count(1)
    expect(categorie.locator("tbody tr").first).to_contain_text("Stato")
    expect(categorie.locator("tfoot")).to_contain_text("8.000,00")
    expect(sezione.get_by_test_id("totale-risorse")).to_have_text("8.000,00")
    per_abitante = sezione.get_by_role("table", name="Risorse per abitante per ambito, in euro")
    expect(per_abitante).to_be_hidden()
    sezione.get_by_text("Dati del grafico").nth(1).click()
    expect(per_abitante).to_be_visible()
    expect(per_abitante.locator("tbody tr")).to_have_count(1)
    expect(per_abitante.locator("tbody tr").first).to_contain_text("Beta")
    expect(per_abitante.locator("tbody td").first).to_have_text("2,00 €")
    screenshot(pagina, "03-dati-del-grafico")

    # --- the iter as CSV, with the same filter
    with pagina.expect_download() as scaricamento:
        pagina.get_by_role("link", name="Scarica l'iter per ambito in CSV").click()
    testo = open(scaricamento.value.path(), encoding="utf-8-sig").read()
    righe_csv = [r.split(";") for r in testo.strip().splitlines()]
    assert righe_csv[0][:3] == ["Ambito", "Codice", "ASL"]
    assert [r[0] for r in righe_csv[1:]] == ["Beta", "Gamma"]
    assert scaricamento.value.suggested_filename == "cruscotto-lombardia-iter-2025-2027.csv"

    # --- drill down to the ambito
    pagina.get_by_test_id("tabella-ambiti").get_by_role("link", name="Beta").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Cruscotto – Beta")
    expect(pagina.get_by_test_id("stato-piano")).to_have_text("Vigente")
    expect(pagina.get_by_test_id("tabella-quote-anni")).to_contain_text("sotto il 16%")
    screenshot(pagina, "04-ambito")
    pagina.get_by_role("link", name="Cruscotto regionale").click()
    expect(pagina.get_by_role("heading", level=1)).to_have_text("Cruscotto regionale – Lombardia")
