"""Quorum and majority, computed exactly (fractions, never floats) from a voting rule.

The rule of an Assemblea says:

* how a Comune weighs: one vote each (*per capita*), its population frozen in the session
  (*ponderato*), or both at once (*doppia maggioranza*: every condition must hold counted by
  heads **and** by population);
* the *quorum costitutivo*: the share of all the seats (or of the total population) that must
  be present, "more than" or "at least" a fraction;
* the *maggioranza deliberativa*: simple (more in favour than against), absolute (more than
  half of the base) or qualified (at least a fraction of the base, e.g. 2/3);
* over which base: those voting, or all the members (seats of the Assemblea);
* whether abstentions count as votes cast (they then weigh against an absolute or qualified
  majority and, in a simple majority, must be outnumbered by the votes in favour too).

A present Comune that does not vote (*non votante*) counts for the quorum and never in the
base of those voting. A tie is never a majority. Everything here is pure: the services feed it
the frozen weights, the attendance and the votes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

FAVOREVOLE = "favorevole"
CONTRARIO = "contrario"
ASTENUTO = "astenuto"
NON_VOTANTE = "non_votante"

PER_CAPITA = "per_capita"
PONDERATO = "ponderato"
DOPPIA = "doppia"

SEMPLICE = "semplice"
ASSOLUTA = "assoluta"
QUALIFICATA = "qualificata"

BASE_VOTANTI = "votanti"
BASE_COMPONENTI = "componenti"

TESTE = "teste"
POPOLAZIONE = "popolazione"


class RegolaNonApplicabile(Exception):
    """The rule cannot be applied to these data (e.g. a weighted vote with a Comune that has no
    population figure). ``messaggio`` says why, in Italian."""

    def __init__(self, messaggio: str):
        self.messaggio = str(messaggio)
        super().__init__(self.messaggio)


@dataclass(frozen=True)
class Regola:
    modalita: str = PER_CAPITA
    quorum: Fraction = Fraction(1, 2)
    quorum_strettamente: bool = True  # True: "more than" the fraction; False: "at least"
    maggioranza: str = SEMPLICE
    frazione_qualificata: Fraction = Fraction(2, 3)
    base: str = BASE_VOTANTI
    astenuti_contano: bool = False

    def misure(self) -> tuple[str, ...]:
        return {PER_CAPITA: (TESTE,), PONDERATO: (POPOLAZIONE,), DOPPIA: (TESTE, POPOLAZIONE)}[self.modalita]


def _frazione(f: Fraction) -> str:
    return f"{f.numerator}/{f.denominator}"


# Every sentence of the rule and of the explanation is one whole translatable string per case,
# so that a translation never has to stitch fragments together (marked here, translated when used).
_MODALITA = {
    PER_CAPITA: gettext_noop("Si vota con un voto per Comune, qualunque sia la sua popolazione."),
    PONDERATO: gettext_noop("Il voto è ponderato: ogni Comune pesa quanto i suoi abitanti."),
    DOPPIA: gettext_noop("Si decide a doppia maggioranza: ogni condizione deve valere sia contando i Comuni "
                         "sia contando gli abitanti che rappresentano."),
}
_QUORUM = {
    (PER_CAPITA, True): gettext_noop("La seduta è valida se sono presenti più di %(quorum)s dei Comuni."),
    (PER_CAPITA, False): gettext_noop("La seduta è valida se sono presenti almeno %(quorum)s dei Comuni."),
    (PONDERATO, True): gettext_noop("La seduta è valida se i Comuni presenti rappresentano più di %(quorum)s "
                                    "degli abitanti."),
    (PONDERATO, False): gettext_noop("La seduta è valida se i Comuni presenti rappresentano almeno %(quorum)s "
                                     "degli abitanti."),
    (DOPPIA, True): gettext_noop("La seduta è valida se sono presenti più di %(quorum)s dei Comuni e se questi "
                                 "rappresentano più di %(quorum)s degli abitanti."),
    (DOPPIA, False): gettext_noop("La seduta è valida se sono presenti almeno %(quorum)s dei Comuni e se questi "
                                  "rappresentano almeno %(quorum)s degli abitanti."),
}
_MAGGIORANZA = {
    (SEMPLICE, False): gettext_noop("Si approva a maggioranza semplice: i favorevoli devono essere più dei "
                                    "contrari."),
    (SEMPLICE, True): gettext_noop("Si approva a maggioranza semplice: i favorevoli devono essere più dei "
                                   "contrari e degli astenuti insieme."),
    (ASSOLUTA, BASE_VOTANTI): gettext_noop("Si approva a maggioranza assoluta: i favorevoli devono essere più "
                                           "della metà dei votanti."),
    (ASSOLUTA, BASE_COMPONENTI): gettext_noop("Si approva a maggioranza assoluta: i favorevoli devono essere più "
                                              "della metà dei componenti dell'Assemblea."),
    (QUALIFICATA, BASE_VOTANTI): gettext_noop("Si approva a maggioranza qualificata: i favorevoli devono essere "
                                              "almeno %(frazione)s dei votanti."),
    (QUALIFICATA, BASE_COMPONENTI): gettext_noop("Si approva a maggioranza qualificata: i favorevoli devono essere "
                                                 "almeno %(frazione)s dei componenti dell'Assemblea."),
}
_ASTENUTI = {
    True: gettext_noop("Gli astenuti contano come votanti e pesano come voti non favorevoli."),
    False: gettext_noop("Gli astenuti non sono computati fra i votanti."),
}


def testo_regola(regola: Regola) -> str:
    """The rule in words, as printed beside every result: how Comuni weigh, when the session is
    valid, when a proposal passes, how abstentions count. One whole sentence each."""
    if regola.maggioranza == SEMPLICE:
        maggioranza = _(_MAGGIORANZA[(SEMPLICE, regola.astenuti_contano)])
    else:
        maggioranza = _(_MAGGIORANZA[(regola.maggioranza, regola.base)]) % {
            "frazione": _frazione(regola.frazione_qualificata)}
    frasi = [
        _(_MODALITA[regola.modalita]),
        _(_QUORUM[(regola.modalita, regola.quorum_strettamente)]) % {"quorum": _frazione(regola.quorum)},
        maggioranza,
        _(_ASTENUTI[regola.astenuti_contano]),
    ]
    return " ".join(frasi)


def _pesi(regola: Regola, misura: str, popolazioni: dict) -> dict:
    if misura == TESTE:
        return {c: 1 for c in popolazioni}
    mancanti = sorted(str(c) for c, p in popolazioni.items() if p is None)
    if mancanti:
        raise RegolaNonApplicabile(
            _("Il voto ponderato non si può applicare: manca la popolazione di %(comuni)s. "
              "Aggiorna l'anagrafe dei Comuni e convoca di nuovo la seduta.") % {"comuni": ", ".join(mancanti)}
        )
    if sum(popolazioni.values()) == 0:
        raise RegolaNonApplicabile(_("Il voto ponderato non si può applicare: la popolazione totale è zero."))
    return dict(popolazioni)


def verifica_pesi(regola: Regola, popolazioni: dict) -> None:
    """Raise RegolaNonApplicabile if the rule cannot be applied to these Comuni."""
    for misura in regola.misure():
        _pesi(regola, misura, popolazioni)


def _supera(valore, totale, frazione: Fraction, strettamente: bool) -> bool:
    if strettamente:
        return Fraction(valore) > frazione * totale
    return Fraction(valore) >= frazione * totale


@dataclass
class ConteggioQuorum:
    misura: str
    presenti: int
    totale: int
    soglia: Fraction
    raggiunto: bool


@dataclass
class Quorum:
    raggiunto: bool
    conteggi: list[ConteggioQuorum]
    regola: str


def calcola_quorum(regola: Regola, popolazioni: dict, presenti: set) -> Quorum:
    """``popolazioni``: every seat (Comune) of the Assemblea → its frozen population (None if
    unknown); ``presenti``: the seats present in person or by delegation."""
    conteggi = []
    for misura in regola.misure():
        pesi = _pesi(regola, misura, popolazioni)
        totale = sum(pesi.values())
        presenti_peso = sum(pesi[c] for c in presenti if c in pesi)
        conteggi.append(ConteggioQuorum(
            misura=misura, presenti=presenti_peso, totale=totale, soglia=regola.quorum * totale,
            raggiunto=totale > 0 and _supera(presenti_peso, totale, regola.quorum, regola.quorum_strettamente),
        ))
    return Quorum(raggiunto=all(c.raggiunto for c in conteggi), conteggi=conteggi, regola=testo_regola(regola))


@dataclass
class ConteggioVoto:
    misura: str
    favorevoli: int
    contrari: int
    astenuti: int
    non_votanti: int
    assenti: int
    base: int
    soglia: Fraction
    approvata: bool
    spiegazione: str


@dataclass
class Esito:
    approvata: bool
    conteggi: list[ConteggioVoto] = field(default_factory=list)
    regola: str = ""

    @property
    def spiegazione(self) -> str:
        return " ".join(c.spiegazione for c in self.conteggi)


# (measure, majority compared with contrari only / with contrari and astenuti, passed)
_SPIEGAZIONE_SEMPLICE = {
    (TESTE, False, True): gettext_noop(
        "Per Comuni – favorevoli: %(favorevoli)s, contrari: %(avversi)s. I favorevoli superano i contrari: "
        "maggioranza raggiunta."),
    (TESTE, False, False): gettext_noop(
        "Per Comuni – favorevoli: %(favorevoli)s, contrari: %(avversi)s. I favorevoli non superano i contrari: "
        "maggioranza non raggiunta."),
    (TESTE, True, True): gettext_noop(
        "Per Comuni – favorevoli: %(favorevoli)s, contrari e astenuti: %(avversi)s. I favorevoli superano "
        "contrari e astenuti insieme: maggioranza raggiunta."),
    (TESTE, True, False): gettext_noop(
        "Per Comuni – favorevoli: %(favorevoli)s, contrari e astenuti: %(avversi)s. I favorevoli non superano "
        "contrari e astenuti insieme: maggioranza non raggiunta."),
    (POPOLAZIONE, False, True): gettext_noop(
        "Per popolazione – favorevoli: %(favorevoli)s abitanti, contrari: %(avversi)s abitanti. I favorevoli "
        "superano i contrari: maggioranza raggiunta."),
    (POPOLAZIONE, False, False): gettext_noop(
        "Per popolazione – favorevoli: %(favorevoli)s abitanti, contrari: %(avversi)s abitanti. I favorevoli "
        "non superano i contrari: maggioranza non raggiunta."),
    (POPOLAZIONE, True, True): gettext_noop(
        "Per popolazione – favorevoli: %(favorevoli)s abitanti, contrari e astenuti: %(avversi)s abitanti. "
        "I favorevoli superano contrari e astenuti insieme: maggioranza raggiunta."),
    (POPOLAZIONE, True, False): gettext_noop(
        "Per popolazione – favorevoli: %(favorevoli)s abitanti, contrari e astenuti: %(avversi)s abitanti. "
        "I favorevoli non superano contrari e astenuti insieme: maggioranza non raggiunta."),
}
# (measure, "more than" the threshold rather than "at least", passed)
_SPIEGAZIONE_SOGLIA = {
    (TESTE, True, True): gettext_noop(
        "Per Comuni – favorevoli: %(favorevoli)s su una base di %(base)s; ne servivano più di %(soglia)s: "
        "maggioranza raggiunta."),
    (TESTE, True, False): gettext_noop(
        "Per Comuni – favorevoli: %(favorevoli)s su una base di %(base)s; ne servivano più di %(soglia)s: "
        "maggioranza non raggiunta."),
    (TESTE, False, True): gettext_noop(
        "Per Comuni – favorevoli: %(favorevoli)s su una base di %(base)s; ne servivano almeno %(soglia)s: "
        "maggioranza raggiunta."),
    (TESTE, False, False): gettext_noop(
        "Per Comuni – favorevoli: %(favorevoli)s su una base di %(base)s; ne servivano almeno %(soglia)s: "
        "maggioranza non raggiunta."),
    (POPOLAZIONE, True, True): gettext_noop(
        "Per popolazione – favorevoli: %(favorevoli)s abitanti su una base di %(base)s; ne servivano più di "
        "%(soglia)s: maggioranza raggiunta."),
    (POPOLAZIONE, True, False): gettext_noop(
        "Per popolazione – favorevoli: %(favorevoli)s abitanti su una base di %(base)s; ne servivano più di "
        "%(soglia)s: maggioranza non raggiunta."),
    (POPOLAZIONE, False, True): gettext_noop(
        "Per popolazione – favorevoli: %(favorevoli)s abitanti su una base di %(base)s; ne servivano almeno "
        "%(soglia)s: maggioranza raggiunta."),
    (POPOLAZIONE, False, False): gettext_noop(
        "Per popolazione – favorevoli: %(favorevoli)s abitanti su una base di %(base)s; ne servivano almeno "
        "%(soglia)s: maggioranza non raggiunta."),
}


def _conta(regola: Regola, misura: str, pesi: dict, presenti: set, voti: dict) -> ConteggioVoto:
    def somma(espressione):
        return sum(pesi[c] for c, v in voti.items() if v == espressione and c in pesi)

    favorevoli, contrari, astenuti = somma(FAVOREVOLE), somma(CONTRARIO), somma(ASTENUTO)
    espressi = set(c for c, v in voti.items() if v in (FAVOREVOLE, CONTRARIO, ASTENUTO))
    non_votanti = sum(pesi[c] for c in pesi if c in presenti and c not in espressi)
    assenti = sum(pesi[c] for c in pesi if c not in presenti)

    if regola.maggioranza == SEMPLICE:
        avversi = contrari + (astenuti if regola.astenuti_contano else 0)
        approvata = favorevoli > avversi
        base = favorevoli + avversi
        soglia = Fraction(avversi)
        spiegazione = _(_SPIEGAZIONE_SEMPLICE[(misura, regola.astenuti_contano, approvata)]) % {
            "favorevoli": numero(favorevoli), "avversi": numero(avversi)}
    else:
        if regola.base == BASE_COMPONENTI:
            base = sum(pesi.values())
        else:
            base = favorevoli + contrari + (astenuti if regola.astenuti_contano else 0)
        if regola.maggioranza == ASSOLUTA:
            frazione, strettamente = Fraction(1, 2), True
        else:
            frazione, strettamente = regola.frazione_qualificata, False
        soglia = frazione * base
        # A qualified majority is never weaker than an absolute one: with a fraction of 1/2 or
        # less (which the model refuses, but older rules may hold) a tie still fails.
        approvata = (base > 0 and _supera(favorevoli, base, frazione, strettamente)
                     and (regola.maggioranza == ASSOLUTA or 2 * favorevoli > base))
        spiegazione = _(_SPIEGAZIONE_SOGLIA[(misura, strettamente, approvata)]) % {
            "favorevoli": numero(favorevoli), "base": numero(base), "soglia": numero(soglia)}
    return ConteggioVoto(
        misura=misura, favorevoli=favorevoli, contrari=contrari, astenuti=astenuti,
        non_votanti=non_votanti, assenti=assenti, base=base, soglia=soglia, approvata=approvata,
        spiegazione=spiegazione,
    )


def numero(n) -> str:
    """A count or a threshold as the reader's language writes it: thousands grouped (78.000),
    a fraction with two decimals (1,50)."""
    n = Fraction(n)
    if n.denominator == 1:
        return number_format(n.numerator, force_grouping=True)
    return number_format(float(n), decimal_pos=2, force_grouping=True)


def calcola_esito(regola: Regola, popolazioni: dict, presenti: set, voti: dict) -> Esito:
    """``voti``: Comune → favorevole / contrario / astenuto / non_votante, for the seats that
    expressed themselves. A vote from a seat that is not present is an error of the caller."""
    estranei = [c for c in voti if c not in presenti]
    if estranei:
        raise RegolaNonApplicabile(_("Hanno votato Comuni non presenti: %(c)s.") % {"c": ", ".join(map(str, estranei))})
    conteggi = [_conta(regola, m, _pesi(regola, m, popolazioni), presenti, voti) for m in regola.misure()]
    return Esito(approvata=all(c.approvata for c in conteggi), conteggi=conteggi, regola=testo_regola(regola))
