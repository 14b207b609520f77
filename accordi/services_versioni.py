"""Versions of the plan's content: the snapshot of the working draft, freezing it into a
numbered ``VersionePiano`` (with its PDF act), and the comparison of any two versions.

The snapshot is a plain JSON dict, stable in key order, so that its SHA-256 (``impronta``)
tells whether the draft changed since the last frozen version::

    {
      "titolo": str,                      # the plan's title
      "sezioni": [{"codice", "titolo", "testo" (sanitised HTML),
                   "bisogni": [{"id", "area", "destinatari", "descrizione", "priorita", "tavolo", "ente"}],
                   "offerta": [{"id", "tipo", "denominazione", "comune", "capacita", "gestore"}]}],
      "obiettivi": [{"id", "codice", "tipo", "titolo", "descrizione", "area",
                     "azioni": [{"id", "codice", "titolo", "descrizione", "area", "destinatari",
                                 "capofila", "partner": [str], "inizio", "fine" (ISO dates or ""),
                                 "stanziamenti": [{"anno", "fonte", "importo_centesimi"}],
                                 "indicatori": [{"descrizione", "unita", "valore_base", "valore_obiettivo"}]}]}],
    }

Ids are the database ids of the working draft's rows (they let the comparison pair an
action with itself across versions even if renamed); numbers are strings in the snapshot
(Decimals as their canonical string, amounts as integer cents).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import PianoDiZona, VersionePiano


def istantanea(piano: PianoDiZona) -> dict:
    """The working draft as a snapshot dict (format above), in a constant number of queries."""
    raise NotImplementedError


def impronta(contenuto: dict) -> str:
    """SHA-256 of the canonical JSON of a snapshot."""
    raise NotImplementedError


def versione_ultima(piano: PianoDiZona) -> VersionePiano | None:
    raise NotImplementedError


def bozza_modificata(piano: PianoDiZona) -> bool:
    """Whether the working draft differs from the last frozen version (or none exists)."""
    raise NotImplementedError


def versione_congela(*, piano: PianoDiZona, utente, motivo: str, nota: str = "") -> VersionePiano:
    """Freeze the working draft as the next numbered version (Ufficio di Piano only; the
    caller may be another service that already checked it — pass ``utente`` anyway for the
    log). If the draft did not change since the last version with the same content, return
    that version instead of a duplicate. Requests the PDF act (kind ``piano_bozza``, key
    ``versione-piano:<pk>``) through ``services_documenti.atto_richiedi``."""
    raise NotImplementedError


@dataclass
class DifferenzaTesto:
    """A text compared: ``html`` holds the merged text with <ins>/<del> marks (escaped),
    ``cambiato`` whether anything differs."""

    html: str
    cambiato: bool


@dataclass
class DifferenzaVoce:
    """A section, objective or action compared: added, removed, changed or unchanged, with
    the differences of each field."""

    chiave: str
    titolo: str
    stato: str  # "aggiunta" | "rimossa" | "modificata" | "invariata"
    campi: dict[str, DifferenzaTesto] = field(default_factory=dict)
    figli: list[DifferenzaVoce] = field(default_factory=list)


@dataclass
class Confronto:
    da: int  # version number ("0" = the working draft)
    a: int
    sezioni: list[DifferenzaVoce]
    obiettivi: list[DifferenzaVoce]

    @property
    def cambiato(self) -> bool:
        return any(v.stato != "invariata" for v in self.sezioni + self.obiettivi)


def confronta(prima: dict, dopo: dict, *, da: int = 0, a: int = 0) -> Confronto:
    """Compare two snapshots per section (text by words, cited needs and offer) and per
    objective and action (every field, budgets and indicators)."""
    raise NotImplementedError
