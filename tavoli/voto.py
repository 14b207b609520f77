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

from django.utils.translation import gettext as _

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


def testo_regola(regola: Regola) -> str:
    """The rule in words, as printed beside every result."""
    modalita = {
        PER_CAPITA: _("un voto per Comune"),
        PONDERATO: _("voto ponderato sulla popolazione dei Comuni"),
        DOPPIA: _("doppia maggioranza (per Comuni e per popolazione)"),
    }[regola.modalita]
    if regola.quorum_strettamente:
        quorum = _("seduta valida con più di %(f)s dei componenti presenti") % {"f": _frazione(regola.quorum)}
    else:
        quorum = _("seduta valida con almeno %(f)s dei componenti presenti") % {"f": _frazione(regola.quorum)}
    base = _("dei votanti") if regola.base == BASE_VOTANTI else _("dei componenti")
    if regola.maggioranza == SEMPLICE:
        maggioranza = _("maggioranza semplice (più favorevoli che contrari)")
    elif regola.maggioranza == ASSOLUTA:
        maggioranza = _("maggioranza assoluta (più della metà %(base)s)") % {"base": base}
    else:
        maggioranza = _("maggioranza qualificata (almeno %(f)s %(base)s)") % {
            "f": _frazione(regola.frazione_qualificata), "base": base}
    astenuti = (_("gli astenuti contano come votanti") if regola.astenuti_contano
                else _("gli astenuti non sono computati fra i votanti"))
    return f"{modalita}; {quorum}; {maggioranza}; {astenuti}."


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


def _misura_nome(misura: str) -> str:
    return _("per Comuni") if misura == TESTE else _("per popolazione")


def _conta(regola: Regola, misura: str, pesi: dict, presenti: set, voti: dict) -> ConteggioVoto:
    def somma(espressione):
        return sum(pesi[c] for c, v in voti.items() if v == espressione and c in pesi)

    favorevoli, contrari, astenuti = somma(FAVOREVOLE), somma(CONTRARIO), somma(ASTENUTO)
    espressi = set(c for c, v in voti.items() if v in (FAVOREVOLE, CONTRARIO, ASTENUTO))
    non_votanti = sum(pesi[c] for c in pesi if c in presenti and c not in espressi)
    assenti = sum(pesi[c] for c in pesi if c not in presenti)
    nome = _misura_nome(misura)

    if regola.maggioranza == SEMPLICE:
        avversi = contrari + (astenuti if regola.astenuti_contano else 0)
        approvata = favorevoli > avversi
        base = favorevoli + avversi
        soglia = Fraction(avversi)
        spiegazione = _("%(nome)s: %(f)s favorevoli contro %(a)s %(chi)s: %(esito)s.") % {
            "nome": nome.capitalize(), "f": favorevoli, "a": avversi,
            "chi": _("contrari e astenuti") if regola.astenuti_contano else _("contrari"),
            "esito": _("maggioranza raggiunta") if approvata else _("maggioranza non raggiunta"),
        }
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
        spiegazione = _("%(nome)s: %(f)s favorevoli su una base di %(b)s; servivano %(come)s %(s)s: %(esito)s.") % {
            "nome": nome.capitalize(), "f": favorevoli, "b": base,
            "come": _("più di") if strettamente else _("almeno"), "s": _numero(soglia),
            "esito": _("maggioranza raggiunta") if approvata else _("maggioranza non raggiunta"),
        }
    return ConteggioVoto(
        misura=misura, favorevoli=favorevoli, contrari=contrari, astenuti=astenuti,
        non_votanti=non_votanti, assenti=assenti, base=base, soglia=soglia, approvata=approvata,
        spiegazione=spiegazione,
    )


def _numero(f: Fraction) -> str:
    if f.denominator == 1:
        return str(f.numerator)
    return f"{float(f):.2f}".replace(".", ",")


def calcola_esito(regola: Regola, popolazioni: dict, presenti: set, voti: dict) -> Esito:
    """``voti``: Comune → favorevole / contrario / astenuto / non_votante, for the seats that
    expressed themselves. A vote from a seat that is not present is an error of the caller."""
    estranei = [c for c in voti if c not in presenti]
    if estranei:
        raise RegolaNonApplicabile(_("Hanno votato Comuni non presenti: %(c)s.") % {"c": ", ".join(map(str, estranei))})
    conteggi = [_conta(regola, m, _pesi(regola, m, popolazioni), presenti, voti) for m in regola.misure()]
    return Esito(approvata=all(c.approvata for c in conteggi), conteggi=conteggi, regola=testo_regola(regola))
