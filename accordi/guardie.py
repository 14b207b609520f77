"""The guards of ITER.md, declared in one place.

Each guard takes the plan and returns the list of what is still missing, in Italian (empty
when it holds). Guards that need objects another capability builds (deliberations, tavoli,
versions, pareri, signatures) are declared here with ``richiede_capacita``: until that
capability is installed they *fail closed*, naming what is missing and which capability
provides it. A capability completes a guard by registering its check with ``registra``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Guardia = Callable[["PianoDiZona"], list[str]]  # noqa: F821

# name of the guard -> check, filled by the capabilities as they are installed
_REGISTRO: dict[str, Guardia] = {}

CAPACITA = {
    "governance": gettext_lazy("Assemblea dei Sindaci e Ufficio di Piano (sedute, voti, deliberazioni)"),
    "tavoli": gettext_lazy("Tavoli tematici (sedute e verbali)"),
    "contenuto": gettext_lazy("Contenuto del piano (versioni, pareri sindacali, intesa ASL)"),
    "accordo": gettext_lazy("Accordo di Programma (parti, impegni, ripartizione degli oneri)"),
    "firme": gettext_lazy("Documenti e firme digitali"),
}

# What a user reads while a capability is missing: a plain sentence, no internal wording.
NON_DISPONIBILE = {
    "governance": gettext_lazy("Questo passaggio richiede l'Assemblea dei Sindaci e l'Ufficio di Piano, non "
                               "ancora disponibili in questa installazione."),
    "tavoli": gettext_lazy("Questo passaggio richiede i tavoli tematici, non ancora disponibili in questa "
                           "installazione."),
    "contenuto": gettext_lazy("Questo passaggio richiede la gestione dei contenuti del piano (versioni, pareri "
                              "sindacali, intesa ASL), non ancora disponibile in questa installazione."),
    "accordo": gettext_lazy("Questo passaggio richiede la gestione dell'Accordo di Programma, non ancora "
                            "disponibile in questa installazione."),
    "firme": gettext_lazy("Questo passaggio richiede i documenti e le firme digitali, non ancora disponibili in "
                          "questa installazione."),
}


def registra(nome: str) -> Callable[[Guardia], Guardia]:
    """Decorator with which a capability completes the guard called ``nome``."""

    def decorator(funzione: Guardia) -> Guardia:
        _REGISTRO[nome] = funzione
        return funzione

    return decorator


def richiede_capacita(nome: str, requisito: str, capacita: str) -> Guardia:
    """A guard completed by another capability; it blocks while that capability is absent."""

    def guardia(piano) -> list[str]:
        controllo = _REGISTRO.get(nome)
        if controllo is None:
            return [_("%(requisito)s. %(non_disponibile)s")
                    % {"requisito": requisito, "non_disponibile": NON_DISPONIBILE[capacita]}]
        return controllo(piano)

    guardia.nome = nome  # type: ignore[attr-defined]
    return guardia


# --- guards this capability checks itself ------------------------------------------------

def fine_validita_superata(piano) -> list[str]:
    """*concludi*: the Accordo's end date has passed. Until the Accordo records its own dates,
    the cycle's validity end is the Accordo's end (as in the seed: 1/4/2012 – 31/12/2014)."""
    fine = data_fine_validita(piano)
    if timezone.localdate() <= fine:
        return [_("L'Accordo è valido fino al %(data)s: non può ancora concludersi.")
                % {"data": fine.strftime("%d/%m/%Y")}]
    return []


def entro_validita(piano) -> list[str]:
    """*aggiorna*: an update is possible only while the Accordo is still in force."""
    fine = data_fine_validita(piano)
    if timezone.localdate() > fine:
        return [_("L'Accordo è scaduto il %(data)s: non si può più aggiornare.")
                % {"data": fine.strftime("%d/%m/%Y")}]
    return []


def data_fine_validita(piano):
    controllo = _REGISTRO.get("data_fine_accordo")
    fine = controllo(piano) if controllo else None
    return fine or piano.ciclo.validita_fine


# --- guards completed by the other capabilities ------------------------------------------

ATTO_DI_INDIRIZZO = richiede_capacita(
    "atto_di_indirizzo",
    gettext_lazy("L'Assemblea dei Sindaci deve approvare, con il quorum, una deliberazione di tipo «atto di "
      "indirizzo» per questo piano"),
    "governance",
)
UFFICIO_DI_PIANO_COSTITUITO = richiede_capacita(
    "ufficio_di_piano_costituito",
    gettext_lazy("L'Ufficio di Piano deve essere costituito (responsabile e componenti)"),
    "governance",
)
ALMENO_UN_TAVOLO = richiede_capacita(
    "almeno_un_tavolo",
    gettext_lazy("Deve essere istituito almeno un tavolo tematico"),
    "tavoli",
)
VERBALI_APPROVATI = richiede_capacita(
    "verbali_approvati",
    gettext_lazy("Ogni tavolo del piano deve aver tenuto almeno una seduta con verbale approvato"),
    "tavoli",
)
BOZZA_CONGELATA = richiede_capacita(
    "bozza_congelata",
    gettext_lazy("Deve esistere una versione congelata della bozza"),
    "contenuto",
)
SINDACATI_INDICATI = richiede_capacita(
    "sindacati_indicati",
    gettext_lazy("Devono essere indicate le organizzazioni sindacali (provinciali e dei pensionati) da "
      "consultare"),
    "contenuto",
)
PARERI_O_SCADENZA = richiede_capacita(
    "pareri_o_scadenza",
    gettext_lazy("Ogni sindacato consultato deve aver espresso il parere, oppure deve essere scaduto il "
      "termine"),
    "contenuto",
)
LICENZIAMENTO = richiede_capacita(
    "licenziamento",
    gettext_lazy("L'Assemblea deve approvare il testo definitivo con deliberazione e i sindaci devono "
      "sottoscriverlo"),
    "governance",
)
INTESA_POSITIVA = richiede_capacita(
    "intesa_positiva",
    gettext_lazy("L'ASL deve esprimere l'intesa positiva sul testo approvato"),
    "contenuto",
)
CAPOFILA_DESIGNATO = richiede_capacita(
    "capofila_designato",
    gettext_lazy("L'Assemblea dei Sindaci deve designare l'ente capofila dell'Accordo"),
    "governance",
)
ACCORDO_COMPLETO = richiede_capacita(
    "accordo_completo",
    gettext_lazy("L'Accordo deve essere completo: ente capofila designato, parti, impegni, ripartizione "
      "degli oneri che torna al totale, date entro il ciclo"),
    "accordo",
)
FIRME_OBBLIGATORIE = richiede_capacita(
    "firme_obbligatorie",
    gettext_lazy("Tutti i firmatari obbligatori (sindaci, ASL, Provincia se parte) devono aver firmato con "
      "firma valida"),
    "firme",
)
