"""Models of the plan and its iter (``piano``), of its official acts (``documenti``) and of its
content, versions and consultations (``contenuto``), of the Accordo di Programma (``accordo``) and
of the Terzo Settore's adesioni (``adesioni``)."""

from .accordo import (  # noqa: F401
    CENTO_PER_CENTO,
    AccordoDiProgramma,
    ImportoOnere,
    ParteAccordo,
    PopolazioneRiferimento,
    UtentiServiti,
    VoceOnere,
)
from .adesioni import (  # noqa: F401
    APERTE,
    AllegatoAdesione,
    EventoAdesione,
    RegistrazioneEnte,
    RichiestaAdesione,
    RichiestaRegistrazione,
    RisorsaAdesione,
    StatoAdesione,
)
from .contenuto import (  # noqa: F401
    Azione,
    Consultazione,
    FonteFinanziamento,
    Indicatore,
    Intesa,
    ModelloSezione,
    Obiettivo,
    OsservazioneParere,
    Parere,
    SezionePiano,
    StanziamentoAzione,
    VersionePiano,
)
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
