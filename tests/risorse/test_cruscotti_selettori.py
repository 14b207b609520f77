"""The dashboards' figures against a small region computed by hand (tests/risorse/cruscotti_dati.py)."""

from decimal import Decimal

import pytest

from risorse.selectors_cruscotti import Filtri, cruscotto, ordina, quote_per_anno

from .cruscotti_dati import OGGI, crea_regione

pytestmark = pytest.mark.django_db


@pytest.fixture
def r():
    return crea_regione()


def _righe(c):
    return {riga.nome: riga for riga in c.righe}


def test_iter_stato_e_scadenza(r):
    c = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo), oggi=OGGI)
    righe = _righe(c)
    assert righe["Alfa & <Oltrepò>"].stato == "sottoscrizione"
    assert righe["Alfa & <Oltrepò>"].giorni == 10
    assert righe["Beta"].giorni is None and str(righe["Beta"].vigente_dal) == "2026-02-01"
    assert righe["Gamma"].stato == "non_avviato" and righe["Gamma"].piano_id is None
    assert c.in_ritardo == 0
    assert [(s, n) for s, _e, n in c.conteggi_stato()] == [("sottoscrizione", 1), ("vigente", 1), ("non_avviato", 1)]
    # After the deadline the plan still at signature and the ambito without a plan are late.
    dopo = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo), oggi=OGGI.replace(month=4, day=2))
    assert dopo.in_ritardo == 2
    assert _righe(dopo)["Alfa & <Oltrepò>"].giorni == -2


def test_fonti_per_categoria_e_per_abitante(r):
    c = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo), oggi=OGGI)
    assert c.popolazione == 8000
    assert c.totali_risorse == {"sociale": 2_300_000, "sociosanitario": 300_000, "totale": 2_600_000}
    assert c.pro_capite == 325  # 26.000 € / 8.000 inhabitants
    fonti = {f["nome"]: f for f in c.fonti}
    assert fonti["Fondo Nazionale Politiche Sociali (FNPS)"]["sociale"] == 1_800_000
    assert [cat.categoria for cat in c.categorie.righe] == ["stato", "regione", "comuni"]
    assert c.categorie.righe[1].sociosanitario == 300_000
    assert c.categorie.totale.totale == 2_600_000
    righe = _righe(c)
    assert righe["Alfa & <Oltrepò>"].risorse == 1_800_000
    assert righe["Alfa & <Oltrepò>"].pro_capite == 600  # 18.000 € / 3.000
    assert righe["Beta"].pro_capite == 200
    assert righe["Gamma"].pro_capite is None


def test_consuntivo(r):
    c = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo, tipo="consuntivo"), oggi=OGGI)
    assert c.totali_risorse["totale"] == 100_000


def test_quota_udp_e_classi(r):
    c = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo), oggi=OGGI)
    assert c.anno_spesa == 2025 and c.anni_spesa == [2025, 2024]
    righe = _righe(c)
    assert righe["Alfa & <Oltrepò>"].quota == Decimal(50) and righe["Alfa & <Oltrepò>"].classe == "media"
    assert righe["Beta"].quota == Decimal(10) and righe["Beta"].classe == "bassa"
    assert [(k, n) for k, _e, n in c.classi_quote()] == [("alta", 0), ("media", 1), ("bassa", 1), ("senza_dati", 1)]
    assert c.distribuzione_quote() == [0, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    anno_prima = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo, anno=2024), oggi=OGGI)
    assert _righe(anno_prima)["Alfa & <Oltrepò>"].classe == "alta"


def test_terzo_settore(r):
    c = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo), oggi=OGGI)
    assert (c.aderenti, c.in_attesa) == (2, 1)
    per_tipo = {x["tipo"]: (x["quantita"], x["valore"]) for x in c.risorse_terzo_settore}
    assert per_tipo == {"denaro": (500, 50_000), "ore_personale": (100, 200_000), "volontari": (3, 0)}
    alfa = _righe(c)["Alfa & <Oltrepò>"]
    assert (alfa.aderenti, alfa.in_attesa, alfa.valore_terzo_settore) == (2, 1, 250_000)


def test_filtri_asl_provincia_e_ambito(r):
    per_asl = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo, asl_id=r.asl_due.pk), oggi=OGGI)
    assert sorted(x.nome for x in per_asl.righe) == ["Beta", "Gamma"]
    assert per_asl.totali_risorse["totale"] == 800_000 and per_asl.popolazione == 5000
    assert per_asl.aderenti == 0
    per_provincia = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo, provincia_id=r.milano.pk), oggi=OGGI)
    assert sorted(x.nome for x in per_provincia.righe) == ["Beta", "Gamma"]
    solo = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo, ambito_id=r.alfa.pk), oggi=OGGI)
    assert [x.nome for x in solo.righe] == ["Alfa & <Oltrepò>"] and solo.totali_risorse["totale"] == 1_800_000
    altra_regione = cruscotto(Filtri(regione_id=r.regione.pk + 999, ciclo=r.ciclo), oggi=OGGI)
    assert altra_regione.righe == [] and altra_regione.totali_risorse["totale"] == 0


def test_piano_di_due_ambiti_contato_una_volta(r):
    from accordi.models import PianoAmbito

    PianoAmbito.objects.create(piano=r.piano_beta, ambito=r.gamma, ciclo=r.ciclo)
    c = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo), oggi=OGGI)
    gamma = _righe(c)["Gamma"]
    assert gamma.piano_condiviso and gamma.risorse == 800_000
    assert gamma.pro_capite == 160  # 8.000 € / (4.000 + 1.000)
    assert c.totali_risorse["totale"] == 2_600_000


def test_quote_per_anno_e_ordine(r):
    storia = quote_per_anno(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo, ambito_id=r.alfa.pk))
    assert [(x["anno"], x["quota"], x["classe"]) for x in storia] == [(2024, Decimal(80), "alta"),
                                                                       (2025, Decimal(50), "media")]
    c = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo), oggi=OGGI)
    assert [x.nome for x in ordina(c.righe, "pro_capite")] == ["Alfa & <Oltrepò>", "Beta", "Gamma"]
    assert [x.nome for x in ordina(c.righe, "quota")][0] == "Alfa & <Oltrepò>"


def test_piano_annullato_conta_come_non_avviato(r):
    from accordi.models import PianoDiZona

    PianoDiZona.objects.filter(pk=r.piano_beta.pk).update(stato="annullato", vigente_dal=None)
    c = cruscotto(Filtri(regione_id=r.regione.pk, ciclo=r.ciclo), oggi=OGGI)
    beta = _righe(c)["Beta"]
    assert beta.stato == "non_avviato" and beta.risorse == 0 and beta.giorni == 10
    assert c.totali_risorse["totale"] == 1_800_000
