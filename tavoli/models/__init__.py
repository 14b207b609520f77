"""Participation bodies: the Assemblea dei Sindaci and the Ufficio di Piano (``assemblea``),
sessions, votes and deliberations (``sedute``); tavoli tematici, focus-groups, their sessions
and minutes (``tematici``); areas, the offer catalogue and the contributions that make up a
plan's knowledge base (``conoscenza``)."""

from .assemblea import Assemblea, ComponenteUfficio, Delega, RegolaVoto, UfficioDiPiano  # noqa: F401
from .conoscenza import (  # noqa: F401
    AreaFNPS,
    AreaIntervento,
    AreaISTAT,
    Bisogno,
    LivelloPriorita,
    Proposta,
    TipoUnitaOfferta,
    UnitaOfferta,
)
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
from .tematici import (  # noqa: F401
    EventoTavolo,
    FeedCalendario,
    FocusGroup,
    MembroTavolo,
    OsservazioneVerbale,
    PresenzaTavolo,
    SedutaTavolo,
    Tavolo,
    VerbaleTavolo,
)
