"""Property-based tests and worked examples for ``tavoli.voto`` (quorum and majority of the
Assemblea dei Sindaci).

Every expected result is computed by an independent oracle written here with plain integer
arithmetic (cross-multiplication, never Fractions or floats), from the rules stated in the
module docstring; relational properties (monotonicity, doppia maggioranza = both counts,
permutation invariance) compare runs of the module with each other.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from tavoli import voto
from tavoli.voto import (
    ASSOLUTA,
    ASTENUTO,
    BASE_COMPONENTI,
    BASE_VOTANTI,
    CONTRARIO,
    DOPPIA,
    FAVOREVOLE,
    NON_VOTANTE,
    PER_CAPITA,
    PONDERATO,
    QUALIFICATA,
    SEMPLICE,
    Regola,
    RegolaNonApplicabile,
    calcola_esito,
    calcola_quorum,
    verifica_pesi,
)

settings.register_profile("voto", max_examples=200, deadline=None)
VOTO = settings.get_profile("voto")

ASSENTE = "assente"  # not a vote: the seat is not present
MUTO = "muto"  # present, no entry in ``voti`` at all
STATI = [ASSENTE, MUTO, FAVOREVOLE, CONTRARIO, ASTENUTO, NON_VOTANTE]


# --------------------------------------------------------------------------- data and oracle

@dataclass
class Scenario:
    popolazioni: dict
    presenti: set
    voti: dict

    def esito(self, regola: Regola) -> voto.Esito:
        return calcola_esito(regola, self.popolazioni, self.presenti, self.voti)

    def quorum(self, regola: Regola) -> voto.Quorum:
        return calcola_quorum(regola, self.popolazioni, self.presenti)


def scenario_da(popolazioni: list, stati: list) -> Scenario:
    nomi = [f"Comune {i}" for i in range(len(popolazioni))]
    presenti = {c for c, s in zip(nomi, stati, strict=True) if s != ASSENTE}
    voti = {c: s for c, s in zip(nomi, stati, strict=True) if s not in (ASSENTE, MUTO)}
    return Scenario(dict(zip(nomi, popolazioni, strict=True)), presenti, voti)


def pesi_oracolo(scenario: Scenario, misura: str) -> dict:
    if misura == "teste":
        return {c: 1 for c in scenario.popolazioni}
    return dict(scenario.popolazioni)


def quorum_oracolo(pesi: dict, presenti: set, num: int, den: int, strettamente: bool) -> bool:
    totale = sum(pesi.values())
    presenti_peso = sum(p for c, p in pesi.items() if c in presenti)
    if totale == 0:
        return False
    # presenti / totale  >  num / den   <=>   presenti * den  >  num * totale
    if strettamente:
        return presenti_peso * den > num * totale
    return presenti_peso * den >= num * totale


def somme_oracolo(pesi: dict, scenario: Scenario) -> dict:
    somme = {FAVOREVOLE: 0, CONTRARIO: 0, ASTENUTO: 0, "non_votanti": 0, "assenti": 0}
    for c, p in pesi.items():
        if c not in scenario.presenti:
            somme["assenti"] += p
        elif scenario.voti.get(c) in (FAVOREVOLE, CONTRARIO, ASTENUTO):
            somme[scenario.voti[c]] += p
        else:
            somme["non_votanti"] += p
    return somme


def maggioranza_oracolo(pesi: dict, scenario: Scenario, regola: Regola) -> bool:
    s = somme_oracolo(pesi, scenario)
    f, c = s[FAVOREVOLE], s[CONTRARIO]
    a = s[ASTENUTO] if regola.astenuti_contano else 0
    if regola.maggioranza == SEMPLICE:
        return f > c + a
    base = sum(pesi.values()) if regola.base == BASE_COMPONENTI else f + c + a
    if base == 0:
        return False
    if regola.maggioranza == ASSOLUTA:
        return 2 * f > base  # more than half
    q = regola.frazione_qualificata
    # at least the fraction, and never weaker than an absolute majority (a tie always fails)
    return f * q.denominator >= q.numerator * base and 2 * f > base


def misure_di(modalita: str) -> list[str]:
    return {PER_CAPITA: ["teste"], PONDERATO: ["popolazione"], DOPPIA: ["teste", "popolazione"]}[modalita]


# --------------------------------------------------------------------------- strategies

frazioni = st.one_of(
    st.sampled_from([Fraction(1, 2), Fraction(1, 3), Fraction(2, 3), Fraction(3, 5), Fraction(1, 1)]),
    st.integers(1, 12).flatmap(lambda d: st.integers(1, d).map(lambda n: Fraction(n, d))),
)


TUTTE_LE_MODALITA = st.sampled_from([PER_CAPITA, PONDERATO, DOPPIA])


def regole(modalita=TUTTE_LE_MODALITA, maggioranza=None, astenuti_contano=None, base=None):
    if isinstance(maggioranza, st.SearchStrategy):  # a strategy is drawn from, not taken as the value
        maggioranza_strategia, maggioranza = maggioranza, None
    else:
        maggioranza_strategia = st.sampled_from([SEMPLICE, ASSOLUTA, QUALIFICATA])
    return st.builds(
        Regola,
        modalita=modalita if not isinstance(modalita, str) else st.just(modalita),
        quorum=frazioni,
        quorum_strettamente=st.booleans(),
        maggioranza=maggioranza_strategia if maggioranza is None else st.just(maggioranza),
        frazione_qualificata=frazioni,
        base=st.sampled_from([BASE_VOTANTI, BASE_COMPONENTI]) if base is None else st.just(base),
        astenuti_contano=st.booleans() if astenuti_contano is None else st.just(astenuti_contano),
    )


@st.composite
def scenari(draw, min_n=1, max_n=8):
    n = draw(st.integers(min_n, max_n))
    scala = draw(st.sampled_from([1, 3, 20, 10**6, 10**15]))  # small scales make ties and boundaries likely
    popolazioni = draw(st.lists(st.integers(0, scala), min_size=n, max_size=n))
    if sum(popolazioni) == 0:
        popolazioni[0] = 1
    stati = draw(st.lists(st.sampled_from(STATI), min_size=n, max_size=n))
    return scenario_da(popolazioni, stati)


def campi(esito: voto.Esito) -> list[tuple]:
    return [(c.misura, c.favorevoli, c.contrari, c.astenuti, c.non_votanti, c.assenti, c.base, c.soglia, c.approvata)
            for c in esito.conteggi]


# --------------------------------------------------------------------------- quorum

@VOTO
@given(n=st.integers(1, 40), data=st.data(), frazione=frazioni, strettamente=st.booleans())
def test_quorum_per_capita_matches_integer_oracle(n, data, frazione, strettamente):
    """Per capita, the quorum is reached iff (present seats)·den {>, ≥} num·(all seats)."""
    presenti_n = data.draw(st.integers(0, n))
    scenario = scenario_da([None] * n, [MUTO] * presenti_n + [ASSENTE] * (n - presenti_n))
    regola = Regola(modalita=PER_CAPITA, quorum=frazione, quorum_strettamente=strettamente)
    q = scenario.quorum(regola)
    atteso = (presenti_n * frazione.denominator > frazione.numerator * n if strettamente
              else presenti_n * frazione.denominator >= frazione.numerator * n)
    assert q.raggiunto is atteso
    assert [(c.misura, c.presenti, c.totale) for c in q.conteggi] == [("teste", presenti_n, n)]


@VOTO
@given(k=st.one_of(st.integers(1, 10**6), st.integers(10**15, 10**18)), frazione=frazioni,
       modalita=st.sampled_from([PER_CAPITA, PONDERATO]), sparsi=st.integers(0, 5))
@example(k=123456789012345678, frazione=Fraction(3, 5), modalita=PONDERATO, sparsi=0)  # float says 3k·… < 3/5·5k
@example(k=123456789012345678, frazione=Fraction(5, 6), modalita=PONDERATO, sparsi=0)  # float says 5k < 5/6·6k
def test_quorum_exactly_at_the_fraction_fails_more_than_and_passes_at_least(k, frazione, modalita, sparsi):
    """Present weight exactly num/den of the total: "more than" fails, "at least" passes
    (checked with huge populations too, where float arithmetic would misjudge the boundary)."""
    den, num = frazione.denominator, frazione.numerator
    if modalita == PER_CAPITA:
        k = k % 7 + 1
        popolazioni = [1] * (den * k)
        stati = [MUTO] * (num * k) + [ASSENTE] * ((den - num) * k)
    else:
        # the total is den·k split over seats; present exactly num·k
        presenti = [num * k - sparsi, sparsi] if num * k > sparsi else [num * k]
        assenti = [(den - num) * k]
        popolazioni = presenti + assenti
        stati = [MUTO] * len(presenti) + [ASSENTE]
    scenario = scenario_da(popolazioni, stati)
    assert scenario.quorum(Regola(modalita=modalita, quorum=frazione, quorum_strettamente=True)).raggiunto is False
    assert scenario.quorum(Regola(modalita=modalita, quorum=frazione, quorum_strettamente=False)).raggiunto is True


@VOTO
@given(k=st.one_of(st.integers(1, 50), st.integers(10**15, 10**18)),
       frazione=frazioni.filter(lambda f: Fraction(1, 2) < f < 1),
       astenuti_contano=st.booleans())
@example(k=123456789012345678, frazione=Fraction(5, 6), astenuti_contano=False)
def test_qualified_majority_exactly_at_the_fraction_passes_and_one_less_fails(k, frazione, astenuti_contano):
    """Weighted, favorevoli exactly num/den of the voters: "at least" the fraction, approved;
    one inhabitant fewer in favour (moved to contrari), rejected. Exact even with huge numbers."""
    num, den = frazione.numerator, frazione.denominator
    regola = Regola(modalita=PONDERATO, maggioranza=QUALIFICATA, frazione_qualificata=frazione,
                    astenuti_contano=astenuti_contano)
    avverso = ASTENUTO if astenuti_contano else CONTRARIO
    esatto = scenario_da([num * k, (den - num) * k], [FAVOREVOLE, avverso])
    assert esatto.esito(regola).approvata is True
    uno_in_meno = scenario_da([num * k - 1, 1, (den - num) * k], [FAVOREVOLE, CONTRARIO, avverso])
    assert uno_in_meno.esito(regola).approvata is False


@pytest.mark.parametrize("seggi, presenti, frazione, strettamente, atteso", [
    (10, 5, Fraction(1, 2), True, False),   # exactly half, "more than half": no
    (10, 5, Fraction(1, 2), False, True),   # exactly half, "at least half": yes
    (10, 6, Fraction(1, 2), True, True),
    (9, 4, Fraction(1, 2), True, False),
    (9, 5, Fraction(1, 2), True, True),
    (9, 3, Fraction(1, 3), True, False),
    (9, 3, Fraction(1, 3), False, True),
    (10, 4, Fraction(1, 3), True, True),
    (9, 6, Fraction(2, 3), True, False),
    (9, 6, Fraction(2, 3), False, True),
    (9, 7, Fraction(2, 3), True, True),
    (3, 2, Fraction(2, 3), True, False),
    (3, 2, Fraction(2, 3), False, True),
    (10, 6, Fraction(2, 3), False, False),
    (4, 4, Fraction(1, 1), False, True),
    (4, 4, Fraction(1, 1), True, False),
    (4, 0, Fraction(1, 3), False, False),
])
def test_quorum_per_capita_worked_examples(seggi, presenti, frazione, strettamente, atteso):
    """Worked per-capita quorum examples, including the exact boundaries."""
    scenario = scenario_da([1000] * seggi, [MUTO] * presenti + [ASSENTE] * (seggi - presenti))
    regola = Regola(modalita=PER_CAPITA, quorum=frazione, quorum_strettamente=strettamente)
    assert scenario.quorum(regola).raggiunto is atteso


@VOTO
@given(scenario=scenari(), regola=regole(modalita=PONDERATO))
def test_quorum_ponderato_matches_integer_oracle(scenario, regola):
    """Weighted, the quorum compares the present population with the total population."""
    q = scenario.quorum(regola)
    pesi = pesi_oracolo(scenario, "popolazione")
    f = regola.quorum
    assert q.raggiunto is quorum_oracolo(pesi, scenario.presenti, f.numerator, f.denominator,
                                         regola.quorum_strettamente)
    assert q.conteggi[0].totale == sum(pesi.values())
    assert q.conteggi[0].presenti == sum(p for c, p in pesi.items() if c in scenario.presenti)


@VOTO
@given(scenario=scenari(), regola=regole(modalita=DOPPIA))
def test_quorum_doppia_reached_iff_reached_by_heads_and_by_population(scenario, regola):
    """With doppia maggioranza the quorum must hold both by Comuni and by population."""
    q = scenario.quorum(regola)
    per_teste = scenario.quorum(replace(regola, modalita=PER_CAPITA)).raggiunto
    per_pop = scenario.quorum(replace(regola, modalita=PONDERATO)).raggiunto
    assert q.raggiunto is (per_teste and per_pop)
    f = regola.quorum
    oracoli = [quorum_oracolo(pesi_oracolo(scenario, m), scenario.presenti, f.numerator, f.denominator,
                              regola.quorum_strettamente) for m in ("teste", "popolazione")]
    assert [c.raggiunto for c in q.conteggi] == oracoli


@VOTO
@given(scenario=scenari(), regola=regole(), nuovo=st.integers(0, 7))
def test_quorum_never_lost_when_one_more_seat_is_present(scenario, regola, nuovo):
    """A further seat being present never makes a reached quorum fail."""
    nomi = list(scenario.popolazioni)
    c = nomi[nuovo % len(nomi)]
    prima = scenario.quorum(regola).raggiunto
    dopo = calcola_quorum(regola, scenario.popolazioni, scenario.presenti | {c}).raggiunto
    assert not (prima and not dopo)


# --------------------------------------------------------------------------- majority vs oracle

@VOTO
@given(scenario=scenari(), regola=regole())
def test_esito_matches_integer_oracle_for_every_rule(scenario, regola):
    """Per capita, weighted and doppia: approval and the counts agree with the integer oracle
    (doppia = every measure must approve)."""
    esito = scenario.esito(regola)
    attesi = [maggioranza_oracolo(pesi_oracolo(scenario, m), scenario, regola) for m in misure_di(regola.modalita)]
    assert [c.approvata for c in esito.conteggi] == attesi
    assert esito.approvata is all(attesi)
    for conteggio, misura in zip(esito.conteggi, misure_di(regola.modalita), strict=True):
        s = somme_oracolo(pesi_oracolo(scenario, misura), scenario)
        assert conteggio.misura == misura
        assert (conteggio.favorevoli, conteggio.contrari, conteggio.astenuti, conteggio.non_votanti,
                conteggio.assenti) == (s[FAVOREVOLE], s[CONTRARIO], s[ASTENUTO], s["non_votanti"], s["assenti"])


@VOTO
@given(scenario=scenari(), regola=regole(maggioranza=st.sampled_from([ASSOLUTA, QUALIFICATA])))
def test_base_of_absolute_and_qualified_majority_is_voters_or_all_seats(scenario, regola):
    """The base is favorevoli + contrari (+ astenuti if they count) for "votanti", the whole
    weight of the Assemblea for "componenti"."""
    for conteggio, misura in zip(scenario.esito(regola).conteggi, misure_di(regola.modalita), strict=True):
        pesi = pesi_oracolo(scenario, misura)
        s = somme_oracolo(pesi, scenario)
        if regola.base == BASE_COMPONENTI:
            atteso = sum(pesi.values())
        else:
            atteso = s[FAVOREVOLE] + s[CONTRARIO] + (s[ASTENUTO] if regola.astenuti_contano else 0)
        assert conteggio.base == atteso


@VOTO
@given(scenario=scenari(), regola=regole(modalita=DOPPIA))
def test_doppia_approves_iff_per_capita_and_ponderato_both_approve(scenario, regola):
    """Doppia maggioranza approves iff the same vote approves counted per capita and weighted."""
    doppia = scenario.esito(regola).approvata
    per_capita = scenario.esito(replace(regola, modalita=PER_CAPITA)).approvata
    ponderato = scenario.esito(replace(regola, modalita=PONDERATO)).approvata
    assert doppia is (per_capita and ponderato)


# --------------------------------------------------------------------------- ties

@VOTO
@given(pesi_favorevoli=st.lists(st.integers(0, 50), min_size=1, max_size=4), data=st.data(),
       modalita=st.sampled_from([PER_CAPITA, PONDERATO]), astenuti_contano=st.booleans(),
       maggioranza=st.sampled_from([SEMPLICE, ASSOLUTA]))
def test_tie_between_favorevoli_and_the_rest_of_the_voters_is_never_a_majority(
        pesi_favorevoli, data, modalita, astenuti_contano, maggioranza):
    """favorevoli == contrari (+ astenuti when they count): neither a simple majority nor an
    absolute one of the voters (favorevoli exactly half the base)."""
    # the opposing side gets exactly the same weights, shuffled
    avversi = data.draw(st.permutations(pesi_favorevoli))
    stati_avversi = data.draw(st.lists(st.sampled_from([CONTRARIO, ASTENUTO] if astenuti_contano else [CONTRARIO]),
                                       min_size=len(avversi), max_size=len(avversi)))
    extra = data.draw(st.lists(st.tuples(st.integers(0, 50), st.sampled_from(
        [ASSENTE, MUTO, NON_VOTANTE] + ([] if astenuti_contano else [ASTENUTO]))), max_size=3))
    if modalita == PER_CAPITA:
        pesi_favorevoli = [1] * len(pesi_favorevoli)
        avversi = [1] * len(avversi)
    popolazioni = pesi_favorevoli + list(avversi) + [p for p, _ in extra]
    assume(sum(popolazioni) > 0)
    stati = [FAVOREVOLE] * len(pesi_favorevoli) + stati_avversi + [s for _, s in extra]
    scenario = scenario_da(popolazioni, stati)
    regola = Regola(modalita=modalita, maggioranza=maggioranza, base=BASE_VOTANTI, astenuti_contano=astenuti_contano)
    assert scenario.esito(regola).approvata is False


@VOTO
@given(pesi_favorevoli=st.lists(st.integers(0, 50), min_size=1, max_size=4), data=st.data(),
       modalita=st.sampled_from([PER_CAPITA, PONDERATO]), astenuti_contano=st.booleans())
def test_favorevoli_exactly_half_of_all_seats_is_not_an_absolute_majority(
        pesi_favorevoli, data, modalita, astenuti_contano):
    """Base componenti: favorevoli weighing exactly half the Assemblea do not make an absolute
    majority, whatever the others did (against, abstaining, silent or absent)."""
    altri = data.draw(st.permutations(pesi_favorevoli))
    stati_altri = data.draw(st.lists(st.sampled_from([CONTRARIO, ASTENUTO, NON_VOTANTE, MUTO, ASSENTE]),
                                     min_size=len(altri), max_size=len(altri)))
    if modalita == PER_CAPITA:
        pesi_favorevoli, altri = [1] * len(pesi_favorevoli), [1] * len(altri)
    assume(sum(pesi_favorevoli) > 0)
    scenario = scenario_da(pesi_favorevoli + list(altri), [FAVOREVOLE] * len(pesi_favorevoli) + stati_altri)
    regola = Regola(modalita=modalita, maggioranza=ASSOLUTA, base=BASE_COMPONENTI, astenuti_contano=astenuti_contano)
    assert scenario.esito(regola).approvata is False


@VOTO
@given(k=st.integers(1, 10), frazione=frazioni.filter(lambda f: f > Fraction(1, 2)),
       base=st.sampled_from([BASE_VOTANTI, BASE_COMPONENTI]))
def test_tie_is_not_a_qualified_majority_above_one_half(k, frazione, base):
    """k in favour, k against: no qualified majority of more than one half."""
    scenario = scenario_da([1] * (2 * k), [FAVOREVOLE] * k + [CONTRARIO] * k)
    assert scenario.esito(Regola(maggioranza=QUALIFICATA, frazione_qualificata=frazione, base=base)).approvata is False


@pytest.mark.parametrize("base", [BASE_VOTANTI, BASE_COMPONENTI])
def test_tie_is_not_a_qualified_majority_of_one_half(base):
    """1 in favour, 1 against, qualified majority of at least 1/2: a tie, so not approved."""
    scenario = scenario_da([1, 1], [FAVOREVOLE, CONTRARIO])
    regola = Regola(maggioranza=QUALIFICATA, frazione_qualificata=Fraction(1, 2), base=base)
    assert scenario.esito(regola).approvata is False


def test_tie_worked_examples():
    """3 for, 3 against, 2 abstaining: a tie by simple and absolute majority of the voters when
    abstentions are not computed; with abstentions computed it is rejected a fortiori."""
    scenario = scenario_da([1] * 8, [FAVOREVOLE] * 3 + [CONTRARIO] * 3 + [ASTENUTO] * 2)
    for maggioranza in (SEMPLICE, ASSOLUTA):
        for contano in (False, True):
            assert scenario.esito(Regola(maggioranza=maggioranza, astenuti_contano=contano)).approvata is False
    # one more in favour breaks the tie, as long as abstentions are not computed
    scenario = scenario_da([1] * 8, [FAVOREVOLE] * 4 + [CONTRARIO] * 3 + [ASTENUTO] * 1)
    assert scenario.esito(Regola(maggioranza=SEMPLICE)).approvata is True
    assert scenario.esito(Regola(maggioranza=SEMPLICE, astenuti_contano=True)).approvata is False  # 4 vs 3+1


# --------------------------------------------------------------------------- monotonicity and abstentions

def con_stato(scenario: Scenario, comune, stato) -> Scenario:
    """The same scenario with ``comune`` present and voting ``stato`` (MUTO: present, no entry)."""
    voti = {c: v for c, v in scenario.voti.items() if c != comune}
    if stato != MUTO:
        voti[comune] = stato
    return Scenario(scenario.popolazioni, scenario.presenti | {comune}, voti)


def comune_presente(scenario: Scenario, indice: int):
    presenti = sorted(scenario.presenti)
    assume(presenti)
    return presenti[indice % len(presenti)]


@VOTO
@given(scenario=scenari(), regola=regole(), indice=st.integers(0, 7))
def test_turning_a_present_seat_into_favorevole_never_loses_an_approved_vote(scenario, regola, indice):
    """Any present seat (against, abstaining, non voting or silent) switching to favorevole
    never turns an approved result into a rejected one."""
    c = comune_presente(scenario, indice)
    if scenario.esito(regola).approvata:
        assert con_stato(scenario, c, FAVOREVOLE).esito(regola).approvata is True


@VOTO
@given(scenario=scenari(), regola=regole(), indice=st.integers(0, 7))
def test_turning_a_favorevole_into_contrario_never_makes_a_rejected_vote_pass(scenario, regola, indice):
    """A favorevole switching to contrario never turns a rejected result into an approved one."""
    favorevoli = sorted(c for c, v in scenario.voti.items() if v == FAVOREVOLE)
    assume(favorevoli)
    c = favorevoli[indice % len(favorevoli)]
    if not scenario.esito(regola).approvata:
        assert con_stato(scenario, c, CONTRARIO).esito(regola).approvata is False


@VOTO
@given(scenario=scenari(), regola=regole(astenuti_contano=False), indice=st.integers(0, 7))
def test_abstentions_not_computed_contrario_to_astenuto_never_makes_approval_harder(scenario, regola, indice):
    """With astenuti_contano=False a contrario who abstains instead never turns an approved
    result into a rejected one (simple, absolute and qualified, any base)."""
    contrari = sorted(c for c, v in scenario.voti.items() if v == CONTRARIO)
    assume(contrari)
    c = contrari[indice % len(contrari)]
    if scenario.esito(regola).approvata:
        assert con_stato(scenario, c, ASTENUTO).esito(regola).approvata is True


@VOTO
@given(scenario=scenari(), regola=regole(astenuti_contano=True), indice=st.integers(0, 7),
       da=st.sampled_from([MUTO, NON_VOTANTE]))
def test_abstentions_computed_adding_an_abstainer_never_helps(scenario, regola, indice, da):
    """With astenuti_contano=True a present seat that did not vote and now abstains never turns
    a rejected result into an approved one."""
    c = comune_presente(scenario, indice)
    assume(scenario.voti.get(c, MUTO) in (MUTO, NON_VOTANTE))
    prima = con_stato(scenario, c, da)
    if not prima.esito(regola).approvata:
        assert con_stato(scenario, c, ASTENUTO).esito(regola).approvata is False


@VOTO
@given(scenario=scenari(), regola=regole(), indice=st.integers(0, 7))
def test_abstaining_weighs_like_contrario_when_computed_and_like_not_voting_otherwise(scenario, regola, indice):
    """Astenuto gives the same outcome as contrario when abstentions count, and the same as a
    present non votante when they do not."""
    c = comune_presente(scenario, indice)
    astenuto = con_stato(scenario, c, ASTENUTO).esito(regola).approvata
    equivalente = CONTRARIO if regola.astenuti_contano else NON_VOTANTE
    assert astenuto is con_stato(scenario, c, equivalente).esito(regola).approvata


def test_abstentions_worked_example():
    """5 for, 4 against, 2 abstaining out of 11: passes by simple majority and by absolute
    majority of the voters when abstentions are not computed, fails both when they are."""
    scenario = scenario_da([1] * 11, [FAVOREVOLE] * 5 + [CONTRARIO] * 4 + [ASTENUTO] * 2)
    assert scenario.esito(Regola(maggioranza=SEMPLICE)).approvata is True
    assert scenario.esito(Regola(maggioranza=ASSOLUTA)).approvata is True  # 5 > 9/2
    assert scenario.esito(Regola(maggioranza=SEMPLICE, astenuti_contano=True)).approvata is False  # 5 vs 6
    esito = scenario.esito(Regola(maggioranza=ASSOLUTA, astenuti_contano=True))
    assert esito.approvata is False  # 5 is not more than 11/2
    assert esito.conteggi[0].base == 11


# --------------------------------------------------------------------------- base componenti / non votanti

@VOTO
@given(scenario=scenari(), regola=regole(maggioranza=st.sampled_from([ASSOLUTA, QUALIFICATA]),
                                         base=BASE_COMPONENTI))
def test_base_componenti_is_never_easier_than_base_votanti(scenario, regola):
    """Absent and silent seats weigh against an absolute or qualified majority of the members:
    whatever passes with base componenti also passes with base votanti."""
    if scenario.esito(regola).approvata:
        assert scenario.esito(replace(regola, base=BASE_VOTANTI)).approvata is True


@VOTO
@given(scenario=scenari(), regola=regole(base=BASE_COMPONENTI), indice=st.integers(0, 7))
def test_base_componenti_absent_seat_weighs_like_a_present_one_not_voting(scenario, regola, indice):
    """With base componenti an absent seat counts exactly like a present seat that does not vote."""
    assenti = sorted(set(scenario.popolazioni) - scenario.presenti)
    assume(assenti)
    c = assenti[indice % len(assenti)]
    presente = con_stato(scenario, c, NON_VOTANTE).esito(regola)
    assert presente.approvata is scenario.esito(regola).approvata
    assert [x.base for x in presente.conteggi] == [x.base for x in scenario.esito(regola).conteggi]


@pytest.mark.parametrize("maggioranza, frazione", [(ASSOLUTA, Fraction(2, 3)), (QUALIFICATA, Fraction(2, 3))])
def test_base_componenti_absent_seats_count_against(maggioranza, frazione):
    """10 seats, 6 present, 5 for and 1 against: 5 of 6 voters passes, 5 of 10 members does not."""
    scenario = scenario_da([1] * 10, [FAVOREVOLE] * 5 + [CONTRARIO] + [ASSENTE] * 4)
    regola = Regola(maggioranza=maggioranza, frazione_qualificata=frazione)
    assert scenario.esito(replace(regola, base=BASE_VOTANTI)).approvata is True
    componenti = scenario.esito(replace(regola, base=BASE_COMPONENTI))
    assert componenti.approvata is False
    assert componenti.conteggi[0].base == 10
    assert componenti.conteggi[0].assenti == 4
    # two of the absent turn up and vote in favour: 7 of 10 > half and >= 2/3
    scenario = scenario_da([1] * 10, [FAVOREVOLE] * 7 + [CONTRARIO] + [ASSENTE] * 2)
    assert scenario.esito(replace(regola, base=BASE_COMPONENTI)).approvata is True


def test_non_votanti_count_for_quorum_but_not_in_the_base_of_voters():
    """5 seats, 3 present: 1 for and 2 present non voting. The quorum (more than half) is there
    thanks to the non votanti; the absolute majority of the voters is 1 of 1."""
    scenario = scenario_da([1] * 5, [FAVOREVOLE, NON_VOTANTE, MUTO, ASSENTE, ASSENTE])
    assert scenario.quorum(Regola()).raggiunto is True
    assert scenario_da([1] * 5, [FAVOREVOLE, ASSENTE, ASSENTE, ASSENTE, ASSENTE]).quorum(Regola()).raggiunto is False
    for contano in (False, True):
        esito = scenario.esito(Regola(maggioranza=ASSOLUTA, astenuti_contano=contano))
        assert esito.approvata is True
        c = esito.conteggi[0]
        assert (c.favorevoli, c.non_votanti, c.assenti, c.base) == (1, 2, 2, 1)
    # with base componenti the same non votanti do weigh: 1 of 5
    assert scenario.esito(Regola(maggioranza=ASSOLUTA, base=BASE_COMPONENTI)).approvata is False


@VOTO
@given(scenario=scenari(), regola=regole(), indice=st.integers(0, 7))
def test_explicit_non_votante_is_the_same_as_present_without_a_vote(scenario, regola, indice):
    """A present seat marked non_votante and one with no entry in voti are counted identically."""
    c = comune_presente(scenario, indice)
    assert campi(con_stato(scenario, c, NON_VOTANTE).esito(regola)) == campi(con_stato(scenario, c, MUTO).esito(regola))


@VOTO
@given(scenario=scenari(), regola=regole(base=BASE_VOTANTI), indice=st.integers(0, 7))
def test_a_non_votante_does_not_change_the_base_of_voters(scenario, regola, indice):
    """Base votanti: an absent seat that comes in and does not vote leaves the outcome and the
    base unchanged (it only adds to the quorum)."""
    assenti = sorted(set(scenario.popolazioni) - scenario.presenti)
    assume(assenti)
    c = assenti[indice % len(assenti)]
    dopo = con_stato(scenario, c, NON_VOTANTE)
    assert [(x.approvata, x.base) for x in dopo.esito(regola).conteggi] == \
        [(x.approvata, x.base) for x in scenario.esito(regola).conteggi]
    assert [x.presenti for x in dopo.quorum(regola).conteggi] == \
        [x.presenti + (1 if x.misura == "teste" else scenario.popolazioni[c]) for x in scenario.quorum(regola).conteggi]


# --------------------------------------------------------------------------- errors

POP_MANCANTE = {"Pavia": 71000, "Comune di Bereguardo": None, "Certosa": 5500, "Albuzzano": None}
PRESENTI_TUTTI = set(POP_MANCANTE)
VOTI_MANCANTE = {"Pavia": FAVOREVOLE, "Comune di Bereguardo": CONTRARIO, "Certosa": FAVOREVOLE}


@pytest.mark.parametrize("modalita", [PONDERATO, DOPPIA])
def test_missing_population_makes_weighted_rules_inapplicable_naming_the_comuni(modalita):
    """A Comune without a population: weighted and doppia raise, naming every such Comune,
    from calcola_esito, calcola_quorum and verifica_pesi alike."""
    regola = Regola(modalita=modalita)
    chiamate = [
        lambda: calcola_esito(regola, POP_MANCANTE, PRESENTI_TUTTI, VOTI_MANCANTE),
        lambda: calcola_quorum(regola, POP_MANCANTE, PRESENTI_TUTTI),
        lambda: verifica_pesi(regola, POP_MANCANTE),
    ]
    for chiamata in chiamate:
        with pytest.raises(RegolaNonApplicabile) as e:
            chiamata()
        assert "Comune di Bereguardo" in e.value.messaggio
        assert "Albuzzano" in e.value.messaggio
        assert "Pavia" not in e.value.messaggio and "Certosa" not in e.value.messaggio
        assert str(e.value) == e.value.messaggio


def test_missing_population_does_not_matter_per_capita():
    """Per capita the population is irrelevant: a None population works everywhere."""
    regola = Regola(modalita=PER_CAPITA)
    verifica_pesi(regola, POP_MANCANTE)
    assert calcola_quorum(regola, POP_MANCANTE, PRESENTI_TUTTI).raggiunto is True
    esito = calcola_esito(regola, POP_MANCANTE, PRESENTI_TUTTI, VOTI_MANCANTE)
    assert esito.approvata is True  # 2 for, 1 against
    assert (esito.conteggi[0].favorevoli, esito.conteggi[0].contrari, esito.conteggi[0].non_votanti) == (2, 1, 1)


@pytest.mark.parametrize("modalita", [PER_CAPITA, PONDERATO, DOPPIA])
def test_vote_from_a_comune_not_present_is_refused_naming_it(modalita):
    """A vote from a seat that is not among the present raises, naming that seat."""
    popolazioni = {"Pavia": 71000, "Certosa": 5500, "Giussago": 6000}
    with pytest.raises(RegolaNonApplicabile) as e:
        calcola_esito(Regola(modalita=modalita), popolazioni, {"Pavia", "Certosa"},
                      {"Pavia": FAVOREVOLE, "Giussago": CONTRARIO})
    assert "Giussago" in e.value.messaggio
    assert "Pavia" not in e.value.messaggio


@VOTO
@given(n=st.integers(1, 6), data=st.data(), modalita=st.sampled_from([PONDERATO, DOPPIA]))
def test_total_population_zero_makes_weighted_rules_inapplicable(n, data, modalita):
    """All populations zero: weighted and doppia cannot be applied (quorum, vote, check)."""
    stati = data.draw(st.lists(st.sampled_from(STATI), min_size=n, max_size=n))
    scenario = scenario_da([0] * n, stati)
    regola = Regola(modalita=modalita)
    for chiamata in (lambda: scenario.esito(regola), lambda: scenario.quorum(regola),
                     lambda: verifica_pesi(regola, scenario.popolazioni)):
        with pytest.raises(RegolaNonApplicabile, match="zero"):
            chiamata()
    # per capita the same Assemblea is fine
    verifica_pesi(Regola(modalita=PER_CAPITA), scenario.popolazioni)
    scenario.esito(Regola(modalita=PER_CAPITA))


# --------------------------------------------------------------------------- weighted vs per capita

def test_big_comune_in_favour_passes_weighted_but_fails_per_capita():
    """Pavia (71 000) for, two small Comuni against: weighted yes, per capita no, doppia no."""
    popolazioni = {"Pavia": 71000, "Bereguardo": 2800, "Torre d'Isola": 2400}
    voti = {"Pavia": FAVOREVOLE, "Bereguardo": CONTRARIO, "Torre d'Isola": CONTRARIO}
    presenti = set(popolazioni)
    for maggioranza in (SEMPLICE, ASSOLUTA, QUALIFICATA):
        regola = Regola(maggioranza=maggioranza)
        assert calcola_esito(replace(regola, modalita=PONDERATO), popolazioni, presenti, voti).approvata is True
        assert calcola_esito(replace(regola, modalita=PER_CAPITA), popolazioni, presenti, voti).approvata is False
        doppia = calcola_esito(replace(regola, modalita=DOPPIA), popolazioni, presenti, voti)
        assert doppia.approvata is False
        assert [(c.misura, c.approvata) for c in doppia.conteggi] == [("teste", False), ("popolazione", True)]
    ponderato = calcola_esito(Regola(modalita=PONDERATO), popolazioni, presenti, voti).conteggi[0]
    assert (ponderato.favorevoli, ponderato.contrari) == (71000, 5200)


def test_big_comune_against_fails_weighted_but_passes_per_capita():
    """Pavia against, two small Comuni in favour: per capita yes, weighted no, doppia no."""
    popolazioni = {"Pavia": 71000, "Bereguardo": 2800, "Torre d'Isola": 2400}
    voti = {"Pavia": CONTRARIO, "Bereguardo": FAVOREVOLE, "Torre d'Isola": FAVOREVOLE}
    presenti = set(popolazioni)
    for maggioranza in (SEMPLICE, ASSOLUTA, QUALIFICATA):
        regola = Regola(maggioranza=maggioranza)
        assert calcola_esito(replace(regola, modalita=PER_CAPITA), popolazioni, presenti, voti).approvata is True
        assert calcola_esito(replace(regola, modalita=PONDERATO), popolazioni, presenti, voti).approvata is False
        assert calcola_esito(replace(regola, modalita=DOPPIA), popolazioni, presenti, voti).approvata is False


def test_weighted_quorum_differs_from_per_capita_quorum():
    """Only Pavia present: 1 of 3 seats (no quorum per capita) but most of the population."""
    popolazioni = {"Pavia": 71000, "Bereguardo": 2800, "Torre d'Isola": 2400}
    assert calcola_quorum(Regola(modalita=PONDERATO), popolazioni, {"Pavia"}).raggiunto is True
    assert calcola_quorum(Regola(modalita=PER_CAPITA), popolazioni, {"Pavia"}).raggiunto is False
    assert calcola_quorum(Regola(modalita=DOPPIA), popolazioni, {"Pavia"}).raggiunto is False
    # the two small ones: 2 of 3 seats, but under 7% of the population
    piccoli = {"Bereguardo", "Torre d'Isola"}
    assert calcola_quorum(Regola(modalita=PER_CAPITA), popolazioni, piccoli).raggiunto is True
    assert calcola_quorum(Regola(modalita=PONDERATO), popolazioni, piccoli).raggiunto is False


# --------------------------------------------------------------------------- permutation invariance

@VOTO
@given(scenario=scenari(), regola=regole(), data=st.data())
def test_order_of_the_comuni_does_not_matter(scenario, regola, data):
    """Reordering the insertion order of popolazioni, presenti and voti changes nothing."""
    ordine_pop = data.draw(st.permutations(list(scenario.popolazioni)))
    ordine_voti = data.draw(st.permutations(list(scenario.voti)))
    ordine_presenti = data.draw(st.permutations(sorted(scenario.presenti)))
    rimescolato = Scenario({c: scenario.popolazioni[c] for c in ordine_pop}, set(ordine_presenti),
                           {c: scenario.voti[c] for c in ordine_voti})
    assert campi(rimescolato.esito(regola)) == campi(scenario.esito(regola))
    assert rimescolato.esito(regola).spiegazione == scenario.esito(regola).spiegazione
    assert ([(c.presenti, c.totale, c.raggiunto) for c in rimescolato.quorum(regola).conteggi]
            == [(c.presenti, c.totale, c.raggiunto) for c in scenario.quorum(regola).conteggi])


def test_order_of_the_comuni_does_not_change_the_missing_population_message():
    """The error naming the Comuni without population is the same in any order."""
    messaggi = set()
    for popolazioni in (POP_MANCANTE, dict(reversed(list(POP_MANCANTE.items())))):
        with pytest.raises(RegolaNonApplicabile) as e:
            verifica_pesi(Regola(modalita=PONDERATO), popolazioni)
        messaggi.add(e.value.messaggio)
    assert len(messaggi) == 1


# --------------------------------------------------------------------------- testo_regola

@pytest.mark.parametrize("modalita, parola", [
    (PER_CAPITA, "un voto per Comune"), (PONDERATO, "ponderato"), (DOPPIA, "doppia maggioranza"),
])
def test_testo_regola_names_the_modality_and_the_qualified_fraction(modalita, parola):
    """The rule in words names how Comuni weigh, the qualified fraction and the quorum."""
    with translation.override("it"):
        regola = Regola(modalita=modalita, maggioranza=QUALIFICATA, frazione_qualificata=Fraction(2, 3),
                        quorum=Fraction(1, 3), quorum_strettamente=False)
        testo = voto.testo_regola(regola)
        assert parola in testo
        assert "2/3" in testo and "almeno 2/3" in testo
        assert "almeno 1/3" in testo
        altre = {PER_CAPITA: "un voto per Comune", PONDERATO: "ponderato", DOPPIA: "doppia"}
        assert not any(v in testo for m, v in altre.items() if m != modalita)


def test_testo_regola_reflects_each_choice():
    """"Più di"/"almeno" for the quorum, the other fractions, the base and the abstentions."""
    with translation.override("it"):
        testo = voto.testo_regola(Regola(quorum=Fraction(1, 2), quorum_strettamente=True, maggioranza=QUALIFICATA,
                                         frazione_qualificata=Fraction(3, 5), base=BASE_COMPONENTI,
                                         astenuti_contano=True))
        assert "più di 1/2" in testo
        assert "3/5" in testo and "2/3" not in testo
        assert "dei componenti" in testo
        assert "Gli astenuti contano come votanti" in testo
        testo = voto.testo_regola(Regola(maggioranza=ASSOLUTA, base=BASE_VOTANTI, astenuti_contano=False))
        assert "maggioranza assoluta" in testo and "dei votanti" in testo
        assert "non sono computati" in testo
        testo = voto.testo_regola(Regola(maggioranza=SEMPLICE))
        assert "maggioranza semplice" in testo and "2/3" not in testo


@pytest.mark.parametrize("modalita, quorum", [
    (PER_CAPITA, "La seduta è valida se sono presenti più di 1/2 dei Comuni."),
    (PONDERATO, "La seduta è valida se i Comuni presenti rappresentano più di 1/2 degli abitanti."),
    (DOPPIA, "La seduta è valida se sono presenti più di 1/2 dei Comuni e se questi rappresentano più di 1/2 "
             "degli abitanti."),
])
def test_testo_regola_measures_the_quorum_as_the_rule_weighs(modalita, quorum):
    """A quorum measured by population speaks of inhabitants, never of "componenti presenti"."""
    with translation.override("it"):
        testo = voto.testo_regola(Regola(modalita=modalita))
    assert quorum in testo
    assert "componenti presenti" not in testo


@pytest.mark.parametrize("maggioranza, base, astenuti, frase", [
    (SEMPLICE, BASE_VOTANTI, False, "Si approva a maggioranza semplice: i favorevoli devono essere più dei contrari."),
    (SEMPLICE, BASE_VOTANTI, True, "Si approva a maggioranza semplice: i favorevoli devono essere più dei contrari "
                                   "e degli astenuti insieme."),
    (ASSOLUTA, BASE_VOTANTI, False, "Si approva a maggioranza assoluta: i favorevoli devono essere più della metà "
                                    "dei votanti."),
    (ASSOLUTA, BASE_COMPONENTI, False, "Si approva a maggioranza assoluta: i favorevoli devono essere più della "
                                       "metà dei componenti dell'Assemblea."),
    (QUALIFICATA, BASE_VOTANTI, True, "Si approva a maggioranza qualificata: i favorevoli devono essere almeno 2/3 "
                                      "dei votanti."),
])
def test_testo_regola_is_made_of_whole_sentences(maggioranza, base, astenuti, frase):
    """Each part of the rule is one whole sentence: capital letter, full stop, no fragments."""
    with translation.override("it"):
        testo = voto.testo_regola(Regola(maggioranza=maggioranza, base=base, astenuti_contano=astenuti))
    assert frase in testo
    frasi = [f for f in testo.split(". ") if f]
    assert len(frasi) == 4 and testo.endswith(".")
    assert all(f[0].isupper() for f in frasi)
    assert ";" not in testo


def test_spiegazione_keeps_comuni_capitalised_and_groups_thousands():
    """The explanation of a weighted vote counts inhabitants with Italian thousands separators,
    and "Comuni" keeps its capital (it used to be lowercased by str.capitalize)."""
    popolazioni = {"Pavia": 71_000, "Borgarello": 4_000, "Cava Manara": 3_000}
    voti = {"Pavia": FAVOREVOLE, "Borgarello": CONTRARIO, "Cava Manara": CONTRARIO}
    with translation.override("it"):
        esito = calcola_esito(Regola(modalita=DOPPIA, maggioranza=ASSOLUTA), popolazioni, set(popolazioni), voti)
        semplice = calcola_esito(Regola(modalita=PONDERATO), popolazioni, set(popolazioni), voti)
    per_comuni, per_popolazione = (c.spiegazione for c in esito.conteggi)
    assert per_comuni == ("Per Comuni – favorevoli: 1 su una base di 3; ne servivano più di 1,50: "
                          "maggioranza non raggiunta.")
    assert per_popolazione == ("Per popolazione – favorevoli: 71.000 abitanti su una base di 78.000; ne servivano "
                               "più di 39.000: maggioranza raggiunta.")
    assert semplice.spiegazione == ("Per popolazione – favorevoli: 71.000 abitanti, contrari: 7.000 abitanti. "
                                    "I favorevoli superano i contrari: maggioranza raggiunta.")


@VOTO
@given(scenario=scenari(), regola=regole())
def test_esito_and_quorum_carry_the_text_of_their_rule(scenario, regola):
    """Every result is printed with the text of the rule that produced it."""
    assert scenario.esito(regola).regola == voto.testo_regola(regola)
    assert scenario.quorum(regola).regola == voto.testo_regola(regola)


def test_the_rule_text_ends_with_its_reference_as_a_sentence():
    from tavoli.models import RegolaVoto

    testo = RegolaVoto(riferimento="art. 6 del regolamento.").testo
    assert testo.endswith(" Riferimento: art. 6 del regolamento.")
    assert ". (" not in testo and ".." not in testo
