"""Participation bodies: the Assemblea dei Sindaci and the Ufficio di Piano (``assemblea``),
sessions, votes and deliberations (``sedute``)."""

from .assemblea import Assemblea, ComponenteUfficio, Delega, RegolaVoto, UfficioDiPiano  # noqa: F401
from .sedute import (  # noqa: F401
    Deliberazione,
    EventoAssemblea,
    Priorita,
    PuntoOrdineDelGiorno,
    Seduta,
    Seggio,
    TipoDeliberazione,
    Votazione,
    Voto,
)
