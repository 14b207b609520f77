"""The dashboards' pages: who reads them, what they show, their CSV and a constant number of
queries whatever the number of ambiti."""

import pytest
from django.urls import reverse

from ambiti.models import Incarico

from ..factories import RegioneFactory, utente_con_ruolo
from .cruscotti_dati import altri_ambiti, crea_regione, funzionario

pytestmark = pytest.mark.django_db
R = Incarico.Ruolo
REGIONALE = reverse("risorse:cruscotto_regionale")


@pytest.fixture
def r():
    return crea_regione()


def _csv(risposta):
    testo = risposta.content.decode("utf-8")
    assert testo.startswith("\ufeff")
    return [riga.split(";") for riga in testo[1:].strip().split("\r\n")]


def test_regionale_anonimo_va_al_login(client, r):
    risposta = client.get(REGIONALE)
    assert risposta.status_code == 302 and "/account/accedi/" in risposta["Location"]
    assert client.get(reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])).status_code == 302
    assert client.get(reverse("risorse:cruscotto_regionale_csv", args=["iter"])).status_code == 302


@pytest.mark.parametrize("ruolo", [R.RESPONSABILE_UDP, R.SINDACO, R.REFERENTE_ASL])
def test_regionale_vietato_ai_ruoli_di_ambito(client, r, ruolo):
    client.force_login(utente_con_ruolo(ruolo, r.alfa))
    assert client.get(REGIONALE).status_code == 403
    assert client.get(reverse("risorse:cruscotto_regionale_csv", args=["iter"])).status_code == 403


def test_regionale_di_altra_regione(client, r):
    piemonte = RegioneFactory(codice_istat="01", nome="Piemonte")
    client.force_login(funzionario(piemonte))
    risposta = client.get(REGIONALE)
    assert risposta.status_code == 200
    assert "Alfa" not in risposta.content.decode() and "Beta" not in risposta.content.decode()
    # Asking for the other region by id is a 404, not its data.
    assert client.get(REGIONALE, {"regione": r.regione.pk}).status_code == 404
    assert client.get(reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])).status_code == 404
    # A forged cycle or ASL of the other region is refused as an invalid choice, and ignored.
    risposta = client.get(REGIONALE, {"ciclo": r.ciclo.pk, "asl": r.asl_uno.pk})
    assert risposta.status_code == 200 and "Alfa" not in risposta.content.decode()
    assert risposta.context["form"].errors


def test_regionale_mostra_le_cifre(client, r):
    client.force_login(funzionario(r.regione))
    risposta = client.get(REGIONALE)
    assert risposta.status_code == 200
    html = risposta.content.decode()
    assert "Alfa &amp; &lt;Oltrepò&gt;" in html and "<Oltrepò>" not in html
    assert 'role="img"' in html and "<caption>" in html
    assert "26.000,00" in html  # total planned resources
    assert "3,25" in html  # per inhabitant
    assert "Piano non avviato" in html
    assert "tra il 16% e il 50%" in html
    assert reverse("risorse:cruscotto_ambito", args=[r.alfa.pk]) in html
    c = risposta.context["c"]
    assert len(c.righe) == 3


def test_regionale_filtri_asl_tipo_e_ordine(client, r):
    client.force_login(funzionario(r.regione))
    risposta = client.get(REGIONALE, {"asl": r.asl_due.pk, "tipo": "consuntivo", "ordine": "pro_capite"})
    assert risposta.status_code == 200
    assert [x.nome for x in risposta.context["pagina"].object_list] == ["Beta", "Gamma"]
    assert risposta.context["c"].totali_risorse["totale"] == 0
    risposta = client.get(REGIONALE, {"provincia": r.milano.pk, "anno": "2024"})
    assert [x.nome for x in risposta.context["c"].righe] == ["Beta", "Gamma"]
    assert risposta.context["c"].anno_spesa == 2024  # chosen, though Beta and Gamma have no data for it
    assert [k for k, _e, n in risposta.context["c"].classi_quote() if n] == ["senza_dati"]


def test_regionale_paginato(client, r):
    altri_ambiti(r, 52)
    client.force_login(funzionario(r.regione))
    prima = client.get(REGIONALE)
    assert len(prima.context["pagina"].object_list) == 50
    seconda = client.get(REGIONALE, {"pagina": 2})
    assert len(seconda.context["pagina"].object_list) == 5
    assert 'aria-current="page"' in seconda.content.decode()


@pytest.mark.parametrize("tabella,intestazione", [
    ("iter", "Ambito"), ("risorse", "Categoria"), ("risorse_ambiti", "Ambito"),
    ("quota_udp", "Ambito"), ("terzo_settore", "Ambito")])
def test_regionale_csv(client, r, tabella, intestazione):
    client.force_login(funzionario(r.regione))
    risposta = client.get(reverse("risorse:cruscotto_regionale_csv", args=[tabella]))
    assert risposta.status_code == 200 and risposta["Content-Type"].startswith("text/csv")
    assert "attachment" in risposta["Content-Disposition"]
    righe = _csv(risposta)
    assert righe[0][0] == intestazione


def test_regionale_csv_contenuto(client, r):
    client.force_login(funzionario(r.regione))
    url = reverse("risorse:cruscotto_regionale_csv", args=["risorse"])
    righe = _csv(client.get(url))
    assert righe[-1] == ["Totale", "", "23.000,00", "3.000,00", "26.000,00", "3,25"]
    quote = {x[0]: x for x in _csv(client.get(reverse("risorse:cruscotto_regionale_csv", args=["quota_udp"])))}
    assert quote["Beta"][3:] == ["200,00", "20,00", "10,0", "sotto il 16%"]
    assert quote["Gamma"][-1] == "senza dati"
    ts = {x[0]: x for x in _csv(client.get(reverse("risorse:cruscotto_regionale_csv", args=["terzo_settore"])))}
    assert ts["Alfa & <Oltrepò>"][2:5] == ["2", "1", "2.500,00"]
    per_asl = _csv(client.get(reverse("risorse:cruscotto_regionale_csv", args=["iter"]), {"asl": r.asl_due.pk}))
    assert [x[0] for x in per_asl[1:]] == ["Beta", "Gamma"]
    assert client.get(reverse("risorse:cruscotto_regionale_csv", args=["altro"])).status_code == 404


@pytest.mark.parametrize("ruolo", [R.RESPONSABILE_UDP, R.OPERATORE_UDP, R.SINDACO, R.PRESIDENTE_ASSEMBLEA])
def test_ambito_letto_dai_suoi_ruoli(client, r, ruolo):
    client.force_login(utente_con_ruolo(ruolo, r.alfa))
    risposta = client.get(reverse("risorse:cruscotto_ambito", args=[r.alfa.pk]))
    assert risposta.status_code == 200
    html = risposta.content.decode()
    assert "18.000,00" in html and "6,00" in html  # the plan's resources, per inhabitant
    assert "Sottoscrizione" in html
    assert [x["anno"] for x in risposta.context["storia_quote"]] == [2024, 2025]
    assert "Beta" not in html
    # Another ambito's dashboard is not found.
    assert client.get(reverse("risorse:cruscotto_ambito", args=[r.beta.pk])).status_code == 404
    assert client.get(reverse("risorse:cruscotto_ambito_csv", args=[r.beta.pk, "iter"])).status_code == 404


def test_ambito_letto_dal_funzionario_della_regione(client, r):
    client.force_login(funzionario(r.regione))
    risposta = client.get(reverse("risorse:cruscotto_ambito", args=[r.beta.pk]))
    assert risposta.status_code == 200 and "in vigore dal 01/02/2026" in risposta.content.decode()
    righe = _csv(client.get(reverse("risorse:cruscotto_ambito_csv", args=[r.beta.pk, "terzo_settore"])))
    assert [x[0] for x in righe[1:]] == ["Beta"]


def test_ambito_sindacato_e_altro_ambito_no(client, r):
    from ..factories import referente_di, sindacato_di

    # A union's referent reads the ambito's plan (ambiti.ruoli.PERMESSI_DI_LETTURA): its dashboard too.
    client.force_login(referente_di(sindacato_di(r.alfa), r.alfa))
    assert client.get(reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])).status_code == 200
    assert client.get(reverse("risorse:cruscotto_ambito", args=[r.beta.pk])).status_code == 404
    client.force_login(utente_con_ruolo(R.RESPONSABILE_UDP, r.beta))
    assert client.get(reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])).status_code == 404


def _misura(client, url, django_assert_max_num_queries, limite):
    with django_assert_max_num_queries(limite):
        assert client.get(url).status_code == 200


LIMITE = 28  # about 23 on the regional page, 26 on the ambito page, whatever the number of ambiti


def test_query_costanti_regionale(client, r, django_assert_max_num_queries):
    client.force_login(funzionario(r.regione))
    _misura(client, REGIONALE, django_assert_max_num_queries, LIMITE)
    _misura(client, f"{REGIONALE}?asl={r.asl_due.pk}&ordine=quota", django_assert_max_num_queries, LIMITE)
    altri_ambiti(r, 10)
    _misura(client, REGIONALE, django_assert_max_num_queries, LIMITE)
    _misura(client, f"{REGIONALE}?asl={r.asl_due.pk}&ordine=quota", django_assert_max_num_queries, LIMITE)
    for tabella in ("iter", "terzo_settore"):
        _misura(client, reverse("risorse:cruscotto_regionale_csv", args=[tabella]), django_assert_max_num_queries,
                LIMITE)


def test_query_costanti_ambito(client, r, django_assert_max_num_queries):
    client.force_login(funzionario(r.regione))
    url = reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])
    _misura(client, url, django_assert_max_num_queries, LIMITE)
    altri_ambiti(r, 10)
    _misura(client, url, django_assert_max_num_queries, LIMITE)


def test_voce_di_menu(client, r):
    client.force_login(funzionario(r.regione))
    assert f'href="{REGIONALE}"' in client.get(reverse("accordi:home")).content.decode()
    client.force_login(utente_con_ruolo(R.RESPONSABILE_UDP, r.alfa))
    html = client.get(reverse("accordi:home")).content.decode()
    assert f'href="{reverse("risorse:cruscotto_ambito", args=[r.alfa.pk])}"' in html
    client.force_login(utente_con_ruolo(R.SINDACO, r.alfa))
    assert "/cruscotto/" not in client.get(reverse("accordi:home")).content.decode()


def test_ambito_csv_della_quota_anno_per_anno(client, r):
    client.force_login(utente_con_ruolo(R.RESPONSABILE_UDP, r.alfa))
    righe = _csv(client.get(reverse("risorse:cruscotto_ambito_csv", args=[r.alfa.pk, "quota_udp"])))
    assert righe[1:] == [["2024", "1", "100,00", "80,00", "80,0", "oltre il 50%"],
                         ["2025", "2", "200,00", "100,00", "50,0", "tra il 16% e il 50%"]]


def test_funzionario_di_due_regioni_sceglie_la_regione(client, r):
    from ambiti.services import incarico_assegna

    piemonte = RegioneFactory(codice_istat="01", nome="Piemonte")
    utente = funzionario(r.regione)
    incarico_assegna(utente=utente, ruolo=R.OPERATORE_REGIONALE, regione=piemonte)
    client.force_login(utente)
    risposta = client.get(REGIONALE)  # the first region by name: Lombardia
    assert risposta.context["regione"] == r.regione and len(risposta.context["c"].righe) == 3
    assert 'name="regione"' in risposta.content.decode()
    risposta = client.get(REGIONALE, {"regione": piemonte.pk})
    assert risposta.context["regione"] == piemonte and risposta.context["c"].righe == []
    assert client.get(REGIONALE, {"regione": "999999"}).status_code == 404


@pytest.mark.parametrize("centesimi", [None, 0, 1, -1, 7, -50, 99, 100, -101, 123456, 99999999, -123456789012, 10**15])
def test_euro_della_pagina_uguale_a_quello_localizzato(centesimi):
    from accordi.selectors_contenuto import euro as euro_localizzato
    from risorse.views_cruscotti import euro

    assert euro(centesimi) == euro_localizzato(centesimi)


@pytest.mark.django_db
def test_select_rapida_uguale_a_quella_di_django(r):
    """The filters' selects are written in Python: same HTML as Django's templates, errors
    (aria-invalid, aria-describedby) and escaping included."""
    from django import forms

    from risorse.forms_cruscotti import FiltriCruscottoForm

    for dati in (None, {"tipo": "consuntivo", "anno": "x", "provincia": "0"}, {"ordine": "quota", "anno": "2020"}):
        form = FiltriCruscottoForm(dati, regione_id=r.regione.pk, anni=[2024, 2020], regionale=True)
        for campo in form:
            rapida = str(campo)
            campo.field.widget = forms.Select(attrs=campo.field.widget.attrs, choices=campo.field.widget.choices)
            assert rapida == str(campo)


def test_filtri_con_gli_stili_dei_menu_a_tendina(client, r):
    """The filters' fast select widget still gets Bootstrap Italia's select wrapper and label."""
    client.force_login(funzionario(r.regione))
    html = client.get(REGIONALE).content.decode()
    for campo in ("ciclo", "asl", "provincia", "tipo", "anno", "ordine"):
        assert f'<div class="select-wrapper mb-5">\n  <label for="id_{campo}"' in html.replace("\r", "")
