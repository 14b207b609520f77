"""Demo figures of each Comune's social spending, for the years of the ambito's latest cycle.

Plausible and deterministic: the spending per inhabitant (60-190 €) and the share conferred to
the Ufficio di Piano come from the Comune's ISTAT code, so that a reload writes the same
figures (nothing changes) and the ambito shows Comuni in all three of seed 004's classes.
Written through the service, as the Ufficio di Piano would."""

from __future__ import annotations

import datetime
import hashlib

from accordi.selectors_contenuto import euro
from ambiti.models import Ambito

from .services_spesa import spesa_salva

# Shares in percent that every few Comuni repeat: below 16, between 16 and 50, above 50.
QUOTE = (8, 22, 35, 12, 55, 41, 64, 18, 30, 47, 72, 15)
ABITANTI_SE_MANCANO = 3_000


def _seme(codice: str, anno: int) -> int:
    return int(hashlib.sha256(f"{codice}:{anno}".encode()).hexdigest()[:8], 16)


def anni_del_ciclo(ambito: Ambito) -> list[int]:
    from accordi.models import PianoAmbito

    partecipazione = (PianoAmbito.objects.filter(ambito=ambito).select_related("ciclo")
                      .order_by("-ciclo__anno_inizio").first())
    if partecipazione is None:
        fine = datetime.date.today().year - 1
        return [fine - 2, fine - 1, fine]
    return list(range(partecipazione.ciclo.anno_inizio, partecipazione.ciclo.anno_fine + 1))


def demo_spesa(ambito: Ambito, utente) -> int:
    """Fill the spending of every Comune of ``ambito`` for the cycle's years, as ``utente`` (its
    Ufficio di Piano). Idempotent. Returns the number of rows written or changed."""
    comuni = list(ambito.comuni.order_by("codice_istat"))
    scritte = 0
    for anno in anni_del_ciclo(ambito):
        righe = {}
        for i, comune in enumerate(comuni):
            seme = _seme(comune.codice_istat, anno)
            abitanti = comune.popolazione or ABITANTI_SE_MANCANO
            # euro per inhabitant between 60 and 190, rounded to the hundred euro in total
            spesa = abitanti * (60 + seme % 131) // 100 * 100 * 100
            quota = QUOTE[(i + anno) % len(QUOTE)]
            conferita = spesa * quota // 100
            righe[comune.pk] = (euro(spesa), euro(conferita), "")
        if righe:
            scritte += spesa_salva(ambito=ambito, utente=utente, anno=anno, righe=righe)[0]
    return scritte
