"""The Accordo di Programma in the iter: the guards accordo_completo, data_fine_accordo and
firme_obbligatorie, the automatic *dichiara vigente* and the Accordo act."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .guardie import registra
from .models import AccordoDiProgramma, Documento, Firmatario, ParteAccordo, RichiestaFirma, Stato
from .selectors_accordo import aderenti, mancanze, parti_dell_accordo, ripartizione
from .services_accordo import accordo_di
from .services_documenti import registra_contenuto
from .services_firme import al_completamento

logger = logging.getLogger(__name__)


@registra("accordo_completo")
def accordo_completo(piano) -> list[str]:
    """*apri sottoscrizione*: the Accordo of the current revision is complete."""
    return mancanze(accordo_di(piano))


@registra("data_fine_accordo")
def data_fine_accordo(piano):
    """The end date of the Accordo in force (None when there is none, or it has no date)."""
    if piano.revisione_vigente is None:
        return None
    return (AccordoDiProgramma.objects.filter(piano=piano, revisione=piano.revisione_vigente)
            .values_list("data_fine", flat=True).first())


@registra("firme_obbligatorie")
def firme_obbligatorie(piano) -> list[str]:
    """*dichiara vigente*: the act of the current Accordo went to signature and every party
    whose signature is mandatory signed it (each signature verified when it was accepted)."""
    accordo = accordo_di(piano, crea=False)
    if accordo is None or accordo.documento_id is None:
        return [_("Il testo dell'Accordo da firmare non è ancora stato generato.")]
    richiesta = RichiestaFirma.objects.filter(documento_id=accordo.documento_id).first()
    if richiesta is None:
        return [_("La firma dell'Accordo non è ancora stata richiesta.")]
    firmatari = list(Firmatario.objects.filter(richiesta=richiesta).select_related("utente"))
    firmato = {f.ente_id for f in firmatari if f.stato == Firmatario.Stato.FIRMATO}
    richiesti = {f.ente_id for f in firmatari}
    obbligatorie = [p for p in parti_dell_accordo(accordo) if p.firma_obbligatoria]
    non_richieste = [p.ente.denominazione for p in obbligatorie if p.ente_id not in richiesti]
    mancanti = [p.ente.denominazione for p in obbligatorie if p.ente_id in richiesti and p.ente_id not in firmato]
    elenco = []
    if non_richieste:
        elenco.append(ngettext(
            "La firma di questa parte non è stata chiesta: %(p)s.",
            "La firma di queste parti non è stata chiesta: %(p)s.", len(non_richieste)) % {
            "p": ", ".join(non_richieste)})
    if mancanti:
        elenco.append(ngettext("Deve ancora firmare: %(p)s.", "Devono ancora firmare: %(p)s.", len(mancanti))
                      % {"p": ", ".join(mancanti)})
    return elenco


@al_completamento
def dichiara_vigente_alla_firma(richiesta: RichiestaFirma) -> None:
    """The last mandatory signature of the Accordo is verified: the plan enters into force."""
    from .exceptions import IterError
    from .services import esegui_transizione

    documento = richiesta.documento
    if documento.tipo != Documento.Tipo.ACCORDO or documento.piano_id is None:
        return
    piano = documento.piano
    if piano.stato != Stato.SOTTOSCRIZIONE:
        return
    try:
        esegui_transizione(piano=piano, nome="dichiara_vigente", utente=None, stato_atteso=Stato.SOTTOSCRIZIONE)
    except IterError as exc:
        logger.warning("Plan %s not declared in force after the signatures of document %s: %s",
                       piano.pk, documento.pk, exc)


# --- the act ----------------------------------------------------------------------------------

_FIRMATARIO_PER_RUOLO = {
    ParteAccordo.Ruolo.COMUNE: "Il Sindaco o suo delegato",
    ParteAccordo.Ruolo.ASL: "Il Direttore Generale o suo delegato",
    ParteAccordo.Ruolo.PROVINCIA: "Il Presidente della Provincia o suo delegato",
    ParteAccordo.Ruolo.ALTRO_PUBBLICO: "Il legale rappresentante o suo delegato",
}


@registra_contenuto(Documento.Tipo.ACCORDO, "atti/accordo.html")
def contenuto_accordo(documento: Documento) -> dict:
    """The Accordo as it stands when the act is rendered: parties and their impegni, the ente
    capofila and the deliberation designating it, dates, the cost sharing (annex A) and the
    adherents. An act asked outside the signatures (a draft printed from the plan page) shows
    the Accordo of the plan's current revision, created if needed."""
    from .atti import _territorio

    piano = documento.piano
    accordo = (AccordoDiProgramma.objects.select_related("piano", "piano__ciclo").filter(documento=documento).first()
               or accordo_di(piano))
    accordo = (AccordoDiProgramma.objects.select_related(
        "piano", "piano__ciclo", "ente_capofila", "deliberazione_capofila", "deliberazione_capofila__assemblea",
        "deliberazione_capofila__assemblea__ambito").get(pk=accordo.pk))
    parti = [
        {
            "parte": p, "ente": p.ente, "denominazione": p.ente.denominazione, "comune": p.ente.comune,
            "ruolo": p.get_ruolo_display(), "persona": p.firmatario,
            "firmatario": _FIRMATARIO_PER_RUOLO.get(p.ruolo, ""), "impegni": p.impegni,
        }
        for p in parti_dell_accordo(accordo)
    ]
    return {
        "piano": piano,
        "accordo": accordo,
        "parti": parti,
        "ripartizione": ripartizione(accordo),
        "aderenti": aderenti(accordo),
        "transizioni": list(piano.transizioni.select_related("utente").order_by("quando", "pk")),
        **_territorio(piano),
    }
