"""The arithmetic of the cost sharing: exact sums in cents, largest remainder, properties."""

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from accordi.ripartizione import percentuale_da_testo, percentuale_testo, ripartisci, ripartisci_voce

totali = st.integers(min_value=0, max_value=10**12)
pesi = st.dictionaries(st.integers(min_value=1, max_value=500), st.integers(min_value=0, max_value=10**7),
                       min_size=1, max_size=40)
popolazioni = st.dictionaries(st.integers(min_value=1, max_value=500), st.integers(min_value=1, max_value=10**7),
                              min_size=1, max_size=40)


@st.composite
def quote(draw):
    """Three shares in hundredths of a percent adding to 10000."""
    a = draw(st.integers(min_value=0, max_value=10000))
    b = draw(st.integers(min_value=0, max_value=10000 - a))
    return draw(st.permutations([a, b, 10000 - a - b]))


@given(totali, pesi)
def test_la_somma_torna_al_centesimo(totale, p):
    assume(totale == 0 or any(p.values()))
    assert sum(ripartisci(totale, p).values()) == totale


@given(totali, pesi)
def test_ogni_quota_entro_un_centesimo_dalla_quota_esatta(totale, p):
    assume(any(p.values()))
    somma = sum(p.values())
    for chiave, quota in ripartisci(totale, p).items():
        assert abs(quota - Fraction(totale * p[chiave], somma)) < 1


@given(totali, pesi)
def test_a_peso_maggiore_quota_non_minore(totale, p):
    assume(any(p.values()))
    risultato = ripartisci(totale, p)
    for a in p:
        for b in p:
            if p[a] > p[b]:
                assert risultato[a] >= risultato[b]
            elif p[a] == p[b]:
                assert abs(risultato[a] - risultato[b]) <= 1


@given(totali, pesi)
def test_peso_zero_quota_zero(totale, p):
    assume(any(p.values()))
    risultato = ripartisci(totale, p)
    assert all(risultato[k] == 0 for k, peso in p.items() if peso == 0)
    assert all(q >= 0 for q in risultato.values())


@given(totali, pesi)
def test_deterministica(totale, p):
    assume(any(p.values()))
    assert ripartisci(totale, p) == ripartisci(totale, dict(p))


def test_parita_al_peso_maggiore_poi_all_ordine():
    # 1 cent among equal remainders: the first key given gets it
    assert ripartisci(1, {"b": 1, "a": 1}) == {"b": 1, "a": 0}
    assert ripartisci(2, {"a": 1, "b": 1, "c": 1}) == {"a": 1, "b": 1, "c": 0}
    # 100 cents in thirds: 33,33 each, one cent left to the first
    assert ripartisci(100, {"x": 1, "y": 1, "z": 1}) == {"x": 34, "y": 33, "z": 33}
    # equal remainders, different weights: the larger weight first
    assert ripartisci(3, {"piccolo": 1, "grande": 3, "medio": 2}) == {"piccolo": 0, "grande": 2, "medio": 1}


def test_esempio_con_resti_diversi():
    # 1000 € by population 5.000 / 3.000 / 2.001: exact 500,05 / 300,03 / 200,12 → rounded by the remainders
    risultato = ripartisci(100_000, {"A": 5000, "B": 3000, "C": 2001})
    assert risultato == {"A": 49995, "B": 29997, "C": 20008}
    assert sum(risultato.values()) == 100_000


def test_tutti_zero_e_un_errore_se_c_e_qualcosa_da_ripartire():
    with pytest.raises(ValueError, match="tutti i pesi sono zero"):
        ripartisci(100, {"a": 0, "b": 0})
    with pytest.raises(ValueError):
        ripartisci(100, {})
    assert ripartisci(0, {"a": 0, "b": 0}) == {"a": 0, "b": 0}


@pytest.mark.parametrize("totale, p", [(-1, {"a": 1}), (1.5, {"a": 1}), (10, {"a": -1}), (10, {"a": 1.0})])
def test_input_non_valido(totale, p):
    with pytest.raises(ValueError):
        ripartisci(totale, p)


# --- mixed rules ---------------------------------------------------------------------------


@given(totali, quote(), popolazioni, st.data())
def test_regola_mista_somma_esatta(totale, q, pop, data):
    utenti = {k: data.draw(st.integers(min_value=0, max_value=5000)) for k in pop}
    assume(q[1] == 0 or any(utenti.values()))
    risultato = ripartisci_voce(totale, quote=tuple(q), popolazione=pop, utenti=utenti)
    assert set(risultato) == set(pop)
    assert sum(risultato.values()) == totale
    assert all(v >= 0 for v in risultato.values())
    # each Comune within a couple of cents per criterion of its exact share
    n, somma_pop, somma_ut = len(pop), sum(pop.values()), sum(utenti.values())
    criteri = sum(1 for x in q if x)
    for k, quota in risultato.items():
        esatta = Fraction(totale * q[0] * pop[k], 10000 * somma_pop) + Fraction(totale * q[2], 10000 * n)
        if q[1]:
            esatta += Fraction(totale * q[1] * utenti[k], 10000 * somma_ut)
        assert abs(quota - esatta) < 2 * criteri


@given(totali, popolazioni)
def test_per_abitante_e_una_ripartizione_sulla_popolazione(totale, pop):
    assert ripartisci_voce(totale, quote=(10000, 0, 0), popolazione=pop, utenti={}) == ripartisci(totale, pop)


@given(totali, popolazioni)
def test_parti_uguali_differiscono_al_piu_di_un_centesimo(totale, pop):
    risultato = ripartisci_voce(totale, quote=(0, 0, 10000), popolazione=pop, utenti={})
    assert max(risultato.values()) - min(risultato.values()) <= 1
    assert sum(risultato.values()) == totale


@given(totali, popolazioni, st.data())
def test_solo_utenti_serviti_entro_un_centesimo(totale, pop, data):
    utenti = {k: data.draw(st.integers(min_value=0, max_value=5000)) for k in pop}
    assume(any(utenti.values()))
    risultato = ripartisci_voce(totale, quote=(0, 10000, 0), popolazione=pop, utenti=utenti)
    somma = sum(utenti.values())
    for k, quota in risultato.items():
        assert abs(quota - Fraction(totale * utenti[k], somma)) < 1
        if utenti[k] == 0:
            assert quota == 0


def test_regola_mista_esempio():
    # 10.000 €: 60% by population (6.000 / 3.000 / 1.000), 30% by users (10 / 0 / 10), 10% equal parts
    risultato = ripartisci_voce(1_000_000, quote=(6000, 3000, 1000), popolazione={"A": 6000, "B": 3000, "C": 1000},
                                utenti={"A": 10, "C": 10})
    # A: 3.600 + 1.500 + 333,34; B: 1.800 + 0 + 333,33; C: 600 + 1.500 + 333,33
    assert risultato == {"A": 543_334, "B": 213_333, "C": 243_333}
    assert sum(risultato.values()) == 1_000_000


def test_regola_mista_errori():
    with pytest.raises(ValueError, match="sommano a 90"):
        ripartisci_voce(100, quote=(6000, 2000, 1000), popolazione={"A": 1}, utenti={})
    with pytest.raises(ValueError, match="utenti serviti"):
        ripartisci_voce(100, quote=(5000, 5000, 0), popolazione={"A": 1, "B": 2}, utenti={"A": 0})
    with pytest.raises(ValueError, match="popolazione"):
        ripartisci_voce(100, quote=(10000, 0, 0), popolazione={"A": 0, "B": 0}, utenti={})
    with pytest.raises(ValueError, match="non partecipano"):
        ripartisci_voce(100, quote=(0, 10000, 0), popolazione={"A": 1}, utenti={"Z": 3})
    # nothing to split by users: no users needed
    assert ripartisci_voce(0, quote=(0, 10000, 0), popolazione={"A": 1}, utenti={}) == {"A": 0}


# --- percentages as text -------------------------------------------------------------------


@pytest.mark.parametrize("testo, valore", [
    ("40", 4000), ("40%", 4000), ("40 %", 4000), ("33,33", 3333), ("33,3", 3330), ("0,5", 50), ("100", 10000),
    ("", 0), ("  ", 0), (None, 0), ("0", 0),
])
def test_percentuale_da_testo(testo, valore):
    assert percentuale_da_testo(testo) == valore


@pytest.mark.parametrize("testo", ["33.33", "33,333", "-5", "101", "100,01", "abc", "1.000", "40,", ",5"])
def test_percentuale_non_valida(testo):
    with pytest.raises(ValueError):
        percentuale_da_testo(testo)


def test_percentuale_testo():
    assert [percentuale_testo(v) for v in (3333, 4000, 1250, 5, 0, 10000)] == ["33,33", "40", "12,5", "0,05", "0",
                                                                                "100"]


@given(st.integers(min_value=0, max_value=10000))
def test_percentuale_andata_e_ritorno(valore):
    assert percentuale_da_testo(percentuale_testo(valore)) == valore
