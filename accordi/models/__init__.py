"""Models of the plan and its iter (``piano``) and of its official acts (``documenti``)."""

from .documenti import (  # noqa: F401
    ContatoreAtti,
    Documento,
    EventoFirma,
    Firmatario,
    RevisioneDocumento,
    RichiestaFirma,
)
from .piano import (  # noqa: F401
    PRIMA_DI_VIGENTE,
    CicloProgrammazione,
    PianoAmbito,
    PianoDiZona,
    Stato,
    TransizionePiano,
)
