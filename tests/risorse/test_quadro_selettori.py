"""The quadro's reading: seed 004's table 1.1, aggregates computed by hand, the population of
the plan's Comuni, and a constant number of queries."""

import datetime

import pytest

from risorse.selectors_quadro import fonti_della_spesa, pro_capite, quadro
from tests.factories import AreaInterventoFactory, VoceRisorsaFactory, fonte

# Seed 004, table 1.1: «Le fonti della spesa sociale e sociosanitaria in Lombardia (stima 2009)»,
# amounts in cents as printed (the seed's «-» is no amount).
TABELLA_1_1 = {
    "regione": {"sociale": 350_027_915_72, "sociosanitario": 1_458_000_000_00},
    "comuni": {"sociale": 1_203_909_856_35},
    "province": {"sociale": 51_597_856_00},
    "utenti": {"sociale": 173_495_774_28, "sociosanitario": 720_000_000_00},
    "inps": {"sociale": 4_027_410_041_56, "sociosanitario": 3_130_395_791_18},
}
LOMBARDIA_1_1_2009 = 9_742_676  # ISTAT, resident population on 1 January 2009


def test_tabella_1_1_del_seme():
    """The seed's table 1.1 rebuilt from its own amounts: every row total and the grand totals
    match the seed to the cent.

    The seed's per-capita column is not consistent with one population. With Lombardia's ISTAT
    population on 1/1/2009 (9.742.676) Regione (185,58) and INPS (734,69) match, but Comuni,
    Province, Utenti and the total come out as 123,57 / 5,30 / 91,71 / 1.140,84 against the
    seed's 124,86 / 5,33 / 91,89 / 1.142,35 (the seed seems to have divided those rows by a
    smaller, older population). The code divides every row by the one population it is given:
    it is tested against the two rows that match and against our own figures for the others;
    it is not bent to reproduce the seed's mix."""
    t = fonti_della_spesa(TABELLA_1_1, LOMBARDIA_1_1_2009)
    righe = {r.categoria: r for r in t.righe}
    assert [r.categoria for r in t.righe] == ["regione", "comuni", "province", "utenti", "inps"]
    assert righe["regione"].totale == 1_808_027_915_72
    assert righe["comuni"].totale == 1_203_909_856_35 and righe["comuni"].sociosanitario == 0
    assert righe["province"].totale == 51_597_856_00
    assert righe["utenti"].totale == 893_495_774_28
    assert righe["inps"].totale == 7_157_805_832_74
    assert t.totale.sociale == 5_806_441_443_91
    assert t.totale.sociosanitario == 5_308_395_791_18
    assert t.totale.totale == 11_114_837_235_09
    # the per-capita figures that the seed computed with this population
    assert righe["regione"].pro_capite == 185_58
    assert righe["inps"].pro_capite == 734_69
    # the others, with the same population (see the docstring)
    assert [righe[c].pro_capite for c in ("comuni", "province", "utenti")] == [123_57, 5_30, 91_71]
    assert t.totale.pro_capite == 1140_84
    assert str(righe["inps"].etichetta) == "INPS"


def test_tabella_senza_popolazione_e_ordine_del_chiamante():
    t = fonti_della_spesa({"utenti": {"sociale": 5}, "stato": {"sociosanitario": 7}}, None)
    assert [r.categoria for r in t.righe] == ["utenti", "stato"]
    assert t.totale.totale == 12 and t.totale.pro_capite is None
    assert fonti_della_spesa({}, 100).totale.totale == 0


@pytest.mark.parametrize(("centesimi", "abitanti", "atteso"), [
    (100, 3, 33),      # 33,33… down
    (200, 3, 67),      # 66,67 up
    (5, 2, 3),         # 2,5 exactly: half up
    (3, 2, 2),         # 1,5: half up
    (0, 10, 0),
])
def test_pro_capite_arrotonda_a_meta_per_eccesso(centesimi, abitanti, atteso):
    assert pro_capite(centesimi, abitanti) == atteso


def test_pro_capite_senza_popolazione():
    assert pro_capite(100, 0) is None and pro_capite(100, None) is None


@pytest.fixture
def piano_con_voci(mondo):
    """A plan (cycle 2025-2027, three Comuni of 1.000 inhabitants) with hand-chosen cells."""
    piano = mondo.piano
    area = AreaInterventoFactory(regione=piano.ciclo.regione, codice="anziani", nome="Anziani", ordine=1)
    V = VoceRisorsaFactory
    V(piano=piano, anno=2025, fonte=fonte("fnps"), importo_centesimi=100_000_00)
    V(piano=piano, anno=2025, fonte=fonte("fnps"), area=area, importo_centesimi=20_000_00)
    V(piano=piano, anno=2025, fonte=fonte("fnps"), ambito_spesa="sociosanitario", importo_centesimi=30_000_00)
    V(piano=piano, anno=2025, fonte=fonte("fna"), tipo="consuntivo", importo_centesimi=12_345_67)
    V(piano=piano, anno=2025, fonte=fonte("comuni"), importo_centesimi=50_000_01)
    V(piano=piano, anno=2026, fonte=fonte("asl"), ambito_spesa="sociosanitario", importo_centesimi=7_000_00)
    V(piano=mondo.piano_altro, anno=2025, fonte=fonte("fnps"), importo_centesimi=999_999_99)  # another plan
    return piano, area


def test_quadro_somme_calcolate_a_mano(piano_con_voci):
    piano, area = piano_con_voci
    q = quadro(piano)
    assert [a.anno for a in q.anni] == [2025, 2026, 2027]
    a25, a26, a27 = q.anni
    assert [g.fonte.codice for g in a25.gruppi] == ["fnps", "fna", "comuni"]
    fnps = a25.gruppi[0]
    assert [r.area for r in fnps.righe] == [None, area]  # across areas first
    assert fnps.righe[0].importi.colonne() == [100_000_00, 30_000_00, 130_000_00, 0, 0, 0]
    assert fnps.totale.colonne() == [120_000_00, 30_000_00, 150_000_00, 0, 0, 0]
    assert a25.totale.colonne() == [170_000_01, 30_000_00, 200_000_01, 12_345_67, 0, 12_345_67]
    assert a26.totale.previsto == 7_000_00 and not a27.gruppi and a27.totale.previsto == 0
    # 3 Comuni × 1.000 inhabitants; 200.000,01 / 3.000 = 66,666… → 66,67
    assert q.popolazione.abitanti == 3000 and a25.previsto_pro_capite == 66_67
    assert a25.consuntivo_pro_capite == 4_12  # 12.345,67 / 3.000 = 4,115… → 4,12
    assert q.totale.colonne() == [170_000_01, 37_000_00, 207_000_01, 12_345_67, 0, 12_345_67]
    assert {f.codice: i.previsto for f, i in q.per_fonte} == {
        "fnps": 150_000_00, "fna": 0, "comuni": 50_000_01, "asl": 7_000_00}
    assert [(c, i.previsto, i.consuntivo) for c, _e, i in q.per_categoria] == [
        ("stato", 150_000_00, 12_345_67), ("comuni", 50_000_01, 0), ("asl", 7_000_00, 0)]
    assert {r.categoria: r.totale for r in q.fonti_previsto.righe} == {
        "stato": 150_000_00, "comuni": 50_000_01, "asl": 7_000_00}
    assert q.fonti_previsto.totale.totale == 207_000_01
    assert [r.categoria for r in q.fonti_consuntivo.righe] == ["stato"]
    assert [r.categoria for r in a25.fonti_previsto.righe] == ["stato", "comuni"]


def test_popolazione_mancante_niente_pro_capite(piano_con_voci):
    piano, _area = piano_con_voci
    comune = piano.ambiti.first().comuni.first()
    comune.popolazione, comune.popolazione_al = None, None
    comune.save()
    altro = piano.ambiti.first().comuni.exclude(pk=comune.pk).first()
    altro.popolazione_al = datetime.date(2024, 1, 1)
    altro.save()
    q = quadro(piano)
    assert q.popolazione.senza_popolazione == [comune]
    assert q.popolazione.abitanti == 2000 and q.popolazione.divisore is None
    assert q.popolazione.date_diverse and q.popolazione.al == datetime.date(2024, 1, 1)
    assert q.anni[0].previsto_pro_capite is None


@pytest.mark.parametrize("n", [1, 30])
def test_quadro_in_un_numero_fisso_di_query(mondo, django_assert_max_num_queries, n):
    piano = mondo.piano
    aree = [AreaInterventoFactory(regione=piano.ciclo.regione) for _ in range(n)]
    for i, area in enumerate(aree):
        for anno in (2025, 2026):
            VoceRisorsaFactory(piano=piano, anno=anno, area=area, fonte=fonte(["fnps", "fna", "fsr"][i % 3]),
                               importo_centesimi=100 + i)
    with django_assert_max_num_queries(2):
        q = quadro(piano)
    assert q.celle == 2 * n
