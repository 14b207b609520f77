"""Demo data of ``risorse`` for ``make demo``: the quadro delle risorse of the demo plans and
the Comuni's social spending of their ambiti, written through the real services by each
ambito's Ufficio di Piano; monitoring for every demo plan in force. Idempotent. Called by the
``demo`` command through the ``PIANOZONA_DEMO_ESTENSIONI`` setting (``accordi`` does not import
``risorse``)."""

from __future__ import annotations

from accordi.models import PianoAmbito, Stato
from ambiti.models import Incarico, Utente

from .demo_monitoraggio import demo_monitoraggio
from .demo_quadro import demo_quadro
from .demo_spesa import demo_spesa

UFFICI_DI_PIANO = {"PV-PAVIA": "udp.pavia", "PV-CERTOSA": "udp.certosa"}


def carica_demo_risorse() -> list[tuple[str, str]]:
    for codice, username in UFFICI_DI_PIANO.items():
        utente = Utente.objects.filter(username=username).first()
        if utente is None:
            continue
        ambito = utente.incarichi.filter(ruolo=Incarico.Ruolo.RESPONSABILE_UDP, ambito__codice=codice).first()
        if ambito is None:
            continue
        ambito = ambito.ambito
        demo_spesa(ambito, utente)
        partecipazioni = (PianoAmbito.objects.filter(ambito=ambito).exclude(piano__stato=Stato.ANNULLATO)
                          .select_related("piano__ciclo"))
        for partecipazione in partecipazioni:
            piano = partecipazione.piano
            if piano.stato == Stato.CONCLUSO:
                continue
            demo_quadro(piano, utente)
            if piano.stato == Stato.VIGENTE:
                demo_monitoraggio(piano, utente)
    return []
