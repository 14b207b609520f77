"""Contents of the plan's acts, built from the registry and the plan's iter. The Accordo di
Programma's act is in ``accordi.guardie_accordo``; other capabilities register their own acts."""

from __future__ import annotations

from ambiti.models import Comune

from .models import Documento
from .services_documenti import registra_contenuto


def _territorio(piano) -> dict:
    ambiti = list(piano.ambiti.select_related("asl").all())
    comuni = list(
        Comune.objects.filter(ambiti__in=ambiti).select_related("provincia").distinct().order_by("denominazione")
    )
    totale = sum(c.popolazione or 0 for c in comuni)
    for comune in comuni:
        comune.quota = (comune.popolazione or 0) * 100 / totale if totale else 0
    date = {c.popolazione_al for c in comuni if c.popolazione_al}
    return {
        "ambiti": ambiti,
        "asl": ambiti[0].asl if ambiti else None,
        "comuni": comuni,
        "popolazione_totale": totale,
        "popolazione_al": max(date) if date else None,
        "comuni_senza_popolazione": [c for c in comuni if c.popolazione is None],
    }


@registra_contenuto(Documento.Tipo.PIANO_BOZZA, "atti/piano.html")
@registra_contenuto(Documento.Tipo.PIANO_DEFINITIVO, "atti/piano.html")
def contenuto_piano(documento: Documento) -> dict:
    """The plan's act renders a frozen version: the version's own PDF or the final text made
    from it. An act requested outside the versions (a draft printed from the plan page) shows
    the working draft as it is when rendered. The final text carries, as an annex, what
    changed since the version sent to the unions."""
    from . import services_versioni as sv
    from .confronto import confronta, etichetta_differenze
    from .models import Consultazione

    piano = documento.piano
    definitivo = documento.tipo == Documento.Tipo.PIANO_DEFINITIVO
    versione = sv.versione_dell_atto(documento)
    contenuto = versione.contenuto if versione else sv.istantanea(piano)
    differenze = consultata = None
    if definitivo and versione is not None:
        consultazione = (Consultazione.objects.filter(piano=piano, versione__numero__lte=versione.numero)
                         .select_related("versione").order_by("-versione__numero", "-inviata_il").first())
        if consultazione is not None:
            consultata = consultazione.versione
            differenze = etichetta_differenze(
                confronta(consultata.contenuto, contenuto, da=consultata.numero, a=versione.numero))
    return {
        "piano": piano,
        "definitivo": definitivo,
        "versione": versione,
        "contenuto": sv.contenuto_leggibile(contenuto),
        "versione_consultata": consultata,
        "differenze": differenze,
        "transizioni": list(piano.transizioni.select_related("utente").order_by("quando", "pk")),
        **_territorio(piano),
    }
