"""Quorum and majority against an integer oracle (cross-multiplication), with hypothesis."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tavoli import voto

ESPRESSIONI = [voto.FAVOREVOLE, voto.CONTRARIO, voto.ASTENUTO, voto.NON_VOTANTE, None]  # None: absent


@st.composite
def assemblee(draw):
    n = draw(st.integers(min_value=1, max_value=12))
    comuni = [f"C{i}" for i in range(n)]
    popolazioni = {c: draw(st.integers(min_value=1, max_value=200_000)) for c in comuni}
    scelte = {c: draw(st.sampled_from(ESPRESSIONI)) for c in comuni}
    return popolazioni, scelte


regole = st.builds(
    voto.Regola,
    modalita=st.sampled_from([voto.PER_CAPITA, voto.PONDERATO, voto.DOPPIA]),
    quorum=st.sampled_from([Fraction(1, 2), Fraction(1, 3), Fraction(2, 3)]),
    quorum_strettamente=st.booleans(),
    maggioranza=st.sampled_from([voto.SEMPLICE, voto.ASSOLUTA, voto.QUALIFICATA]),
    frazione_qualificata=st.sampled_from([Fraction(2, 3), Fraction(3, 5), Fraction(3, 4)]),
    base=st.sampled_from([voto.BASE_VOTANTI, voto.BASE_COMPONENTI]),
    astenuti_contano=st.booleans(),
)


def _oracolo(regola, pesi, scelte):
    """Independent integer arithmetic of the rules in tavoli/voto.py's docstring."""
    presenti = [c for c, s in scelte.items() if s is not None]
    tot = sum(pesi.values())
    p = sum(pesi[c] for c in presenti)
    q = regola.quorum
    quorum = p * q.denominator > q.numerator * tot if regola.quorum_strettamente else \
        p * q.denominator >= q.numerator * tot
    f = sum(pesi[c] for c, s in scelte.items() if s == voto.FAVOREVOLE)
    k = sum(pesi[c] for c, s in scelte.items() if s == voto.CONTRARIO)
    a = sum(pesi[c] for c, s in scelte.items() if s == voto.ASTENUTO)
    if regola.maggioranza == voto.SEMPLICE:
        esito = f > k + (a if regola.astenuti_contano else 0)
    else:
        base = tot if regola.base == voto.BASE_COMPONENTI else f + k + (a if regola.astenuti_contano else 0)
        if regola.maggioranza == voto.ASSOLUTA:
            esito = base > 0 and 2 * f > base
        else:
            fr = regola.frazione_qualificata
            esito = base > 0 and f * fr.denominator >= fr.numerator * base
    return quorum, esito


@settings(max_examples=300, deadline=None)
@given(regola=regole, dati=assemblee())
def test_quorum_and_result_match_the_oracle(regola, dati):
    popolazioni, scelte = dati
    presenti = {c for c, s in scelte.items() if s is not None}
    voti = {c: s for c, s in scelte.items() if s not in (None, voto.NON_VOTANTE)}
    q = voto.calcola_quorum(regola, popolazioni, presenti)
    e = voto.calcola_esito(regola, popolazioni, presenti, voti)
    teste = {c: 1 for c in popolazioni}
    attese = {voto.TESTE: _oracolo(regola, teste, scelte), voto.POPOLAZIONE: _oracolo(regola, popolazioni, scelte)}
    for misura in regola.misure():
        assert [c.raggiunto for c in q.conteggi if c.misura == misura] == [attese[misura][0]]
        assert [c.approvata for c in e.conteggi if c.misura == misura] == [attese[misura][1]]
    assert q.raggiunto == all(attese[m][0] for m in regola.misure())
    assert e.approvata == all(attese[m][1] for m in regola.misure())


@settings(max_examples=200, deadline=None)
@given(regola=regole, dati=assemblee(), chi=st.integers(min_value=0, max_value=11))
def test_turning_a_vote_in_favour_never_loses_an_approval(regola, dati, chi):
    popolazioni, scelte = dati
    comuni = list(popolazioni)
    c = comuni[chi % len(comuni)]
    presenti = {x for x, s in scelte.items() if s is not None} | {c}
    voti = {x: s for x, s in scelte.items() if s not in (None, voto.NON_VOTANTE)}
    prima = voto.calcola_esito(regola, popolazioni, presenti, voti).approvata
    voti[c] = voto.FAVOREVOLE
    assert voto.calcola_esito(regola, popolazioni, presenti, voti).approvata or not prima


@given(n=st.integers(min_value=1, max_value=20))
def test_a_tie_is_never_a_majority(n):
    popolazioni = {f"C{i}": 100 for i in range(2 * n)}
    voti = {c: (voto.FAVOREVOLE if i < n else voto.CONTRARIO) for i, c in enumerate(popolazioni)}
    for maggioranza in (voto.SEMPLICE, voto.ASSOLUTA):
        for modalita in (voto.PER_CAPITA, voto.PONDERATO, voto.DOPPIA):
            regola = voto.Regola(modalita=modalita, maggioranza=maggioranza)
            assert not voto.calcola_esito(regola, popolazioni, set(popolazioni), voti).approvata


def test_exactly_half_present_fails_more_than_half_but_meets_at_least_half():
    popolazioni = {"A": 1, "B": 1, "C": 1, "D": 1}
    assert not voto.calcola_quorum(voto.Regola(), popolazioni, {"A", "B"}).raggiunto
    assert voto.calcola_quorum(voto.Regola(quorum_strettamente=False), popolazioni, {"A", "B"}).raggiunto


def test_weighted_passes_where_per_head_fails():
    popolazioni = {"Pavia": 71_000, "Borgarello": 4_000, "Cava Manara": 3_000}
    voti = {"Pavia": voto.FAVOREVOLE, "Borgarello": voto.CONTRARIO, "Cava Manara": voto.CONTRARIO}
    presenti = set(popolazioni)
    ponderato = voto.Regola(modalita=voto.PONDERATO, maggioranza=voto.ASSOLUTA)
    per_capita = voto.Regola(modalita=voto.PER_CAPITA, maggioranza=voto.ASSOLUTA)
    doppia = voto.Regola(modalita=voto.DOPPIA, maggioranza=voto.ASSOLUTA)
    assert voto.calcola_esito(ponderato, popolazioni, presenti, voti).approvata
    assert not voto.calcola_esito(per_capita, popolazioni, presenti, voti).approvata
    assert not voto.calcola_esito(doppia, popolazioni, presenti, voti).approvata


def test_abstentions_counted_can_sink_an_absolute_majority():
    popolazioni = {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1}
    voti = {"A": voto.FAVOREVOLE, "B": voto.FAVOREVOLE, "C": voto.CONTRARIO, "D": voto.ASTENUTO, "E": voto.ASTENUTO}
    senza = voto.Regola(maggioranza=voto.ASSOLUTA, astenuti_contano=False)
    con = voto.Regola(maggioranza=voto.ASSOLUTA, astenuti_contano=True)
    assert voto.calcola_esito(senza, popolazioni, set(popolazioni), voti).approvata  # 2 of 3
    assert not voto.calcola_esito(con, popolazioni, set(popolazioni), voti).approvata  # 2 of 5


def test_missing_population_refuses_weighted_rules_and_names_the_comune():
    popolazioni = {"Pavia": 71_000, "Zerbolò": None}
    for modalita in (voto.PONDERATO, voto.DOPPIA):
        with pytest.raises(voto.RegolaNonApplicabile, match="Zerbolò"):
            voto.verifica_pesi(voto.Regola(modalita=modalita), popolazioni)
    voto.verifica_pesi(voto.Regola(modalita=voto.PER_CAPITA), popolazioni)


def test_a_vote_from_an_absent_comune_is_refused():
    with pytest.raises(voto.RegolaNonApplicabile):
        voto.calcola_esito(voto.Regola(), {"A": 1, "B": 1}, {"A"}, {"B": voto.FAVOREVOLE})


def test_rule_text_names_the_fraction_and_the_modality():
    testo = voto.testo_regola(voto.Regola(modalita=voto.DOPPIA, maggioranza=voto.QUALIFICATA))
    assert "2/3" in testo and "doppia maggioranza" in testo
