"""The yearly monitoring report as a PDF act: plan, year, the Ufficio di Piano's summary, and
for each objective and action the year's implementation state and assessment and each
indicator's baseline, target, last measurement of the year, progress and the year's
measurements; with the year's totals of the quadro delle risorse."""

from __future__ import annotations

from accordi.models import Documento
from accordi.selectors_contenuto import euro
from accordi.services_documenti import registra_contenuto

from . import selectors_monitoraggio as sm


@registra_contenuto(Documento.Tipo.RELAZIONE_MONITORAGGIO, "atti/relazione_monitoraggio.html")
def contenuto_relazione(documento: Documento) -> dict:
    """The report as the figures stand when the act is rendered (the year comes from the act's
    key, ``relazione_monitoraggio:piano<pk>:<anno>:v<n>``)."""
    piano = documento.piano
    # an act asked outside these pages (no year in its key) reports on the year it was issued
    anno = sm.anno_della_chiave(documento.chiave) or documento.anno
    obiettivi, riepilogo = sm.monitoraggio_del_piano(piano, anno)
    relazione = sm.relazione(piano, anno)
    risorse = sm.risorse_dell_anno(piano, anno)
    return {
        "piano": piano,
        "anno": anno,
        "ambiti": list(piano.ambiti.all()),
        "sintesi": relazione.sintesi if relazione else "",
        "obiettivi": obiettivi,
        "riepilogo": riepilogo,
        "risorse": {
            "previsto": euro(risorse["previsto"]) if risorse["previsto"] is not None else None,
            "consuntivo": euro(risorse["consuntivo"]) if risorse["consuntivo"] is not None else None,
        },
    }
