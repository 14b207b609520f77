"""What the iter needs from the Assemblea dei Sindaci and the Ufficio di Piano (``tavoli``):
the guards they complete and the contents of the Assemblea's acts (deliberations, minutes).
``accordi`` reads ``tavoli``; never the other way round."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ambiti.models import Comune
from tavoli import selectors as sel_tavoli
from tavoli.models import Deliberazione, Seduta, TipoDeliberazione, Voto
from tavoli.services_assemblea import ufficio_mancanze

from .guardie import registra
from .models import Documento, Firmatario
from .services_documenti import registra_contenuto


@registra("atto_di_indirizzo")
def atto_di_indirizzo(piano) -> list[str]:
    """`indirizzo`: the Assemblea passed (in a session opened with the quorum) a deliberation of
    kind atto di indirizzo for this plan."""
    if sel_tavoli.deliberazione_passata(piano, TipoDeliberazione.ATTO_INDIRIZZO):
        return []
    return [_("L'Assemblea dei Sindaci non ha ancora approvato l'atto di indirizzo per questo piano: "
              "mettilo all'ordine del giorno di una seduta.")]


@registra("ufficio_di_piano_costituito")
def ufficio_di_piano_costituito(piano) -> list[str]:
    mancanze = []
    for ambito in piano.ambiti.all():
        mancanze.extend(ufficio_mancanze(ambito))
    return mancanze


@registra("capofila_designato")
def capofila_designato(piano) -> list[str]:
    if sel_tavoli.deliberazione_passata(piano, TipoDeliberazione.DESIGNAZIONE_CAPOFILA):
        return []
    return [_("L'Assemblea dei Sindaci non ha ancora designato l'ente capofila dell'Accordo.")]


def testo_definitivo(piano) -> Documento | None:
    return Documento.objects.filter(piano=piano, tipo=Documento.Tipo.PIANO_DEFINITIVO).order_by("-versione").first()


@registra("licenziamento")
def licenziamento(piano) -> list[str]:
    """*licenzia il piano*: the Assemblea approved the exact current final text, and the mayor of
    every Comune of the plan signed that text."""
    testo = testo_definitivo(piano)
    if testo is None:
        return [_("Manca il testo definitivo del piano: generalo dalla pagina del piano e sottoponilo all'Assemblea.")]
    approvazioni = Deliberazione.objects.filter(piano=piano, tipo=TipoDeliberazione.APPROVAZIONE_PIANO)
    if not approvazioni.filter(documento_piano=testo).exists():
        precedente = approvazioni.select_related("documento_piano").order_by("-anno", "-numero").first()
        if precedente is not None:
            return [_("L'Assemblea ha approvato la versione %(v)s del testo definitivo, ma quella attuale è la "
                      "versione %(a)s: serve una nuova deliberazione di approvazione.")
                    % {"v": precedente.documento_piano.versione, "a": testo.versione}]
        return [_("L'Assemblea dei Sindaci deve approvare con deliberazione il testo definitivo (versione %(v)s).")
                % {"v": testo.versione}]
    comuni = Comune.objects.filter(ambiti__in=piano.ambiti.all()).distinct()
    firmati = set(Firmatario.objects.filter(
        richiesta__documento=testo, stato=Firmatario.Stato.FIRMATO, ente__comune__isnull=False,
    ).values_list("ente__comune_id", flat=True))
    mancanti = [c.denominazione for c in comuni.order_by("denominazione") if c.pk not in firmati]
    if mancanti:
        return [_("I sindaci devono firmare il testo approvato; mancano: %(c)s.") % {"c": ", ".join(mancanti)}]
    return []


# --- the Assemblea's acts ------------------------------------------------------------------------

def _seggi_e_voti(votazione):
    seduta = votazione.punto.seduta
    voti = {v.comune_id: v for v in Voto.objects.filter(votazione=votazione).select_related("espresso_da")}
    righe = []
    for seggio in seduta.seggi.select_related("comune", "rappresentante").order_by("comune__denominazione"):
        righe.append({"seggio": seggio, "voto": voti.get(seggio.comune_id)})
    return righe


@registra_contenuto(Documento.Tipo.DELIBERAZIONE, "atti/deliberazione.html")
@registra_contenuto(Documento.Tipo.ATTO_INDIRIZZO, "atti/deliberazione.html")
def contenuto_deliberazione(documento: Documento) -> dict:
    deliberazione = (Deliberazione.objects.select_related(
        "assemblea", "assemblea__ambito", "punto", "punto__seduta", "votazione", "piano", "ente_capofila",
        "documento_piano").get(atto=documento))
    return {
        "deliberazione": deliberazione,
        "seduta": deliberazione.punto.seduta,
        "priorita": list(deliberazione.punto.priorita.all()),
        "votazione": deliberazione.votazione,
        "risultato": deliberazione.votazione.risultato,
        "righe": _seggi_e_voti(deliberazione.votazione),
    }


@registra_contenuto(Documento.Tipo.VERBALE_ASSEMBLEA, "atti/verbale_assemblea.html")
def contenuto_verbale(documento: Documento) -> dict:
    seduta = Seduta.objects.select_related("assemblea", "assemblea__ambito").get(verbale=documento)
    punti = []
    for punto in seduta.punti.select_related("votazione", "deliberazione").prefetch_related("priorita"):
        votazione = getattr(punto, "votazione", None)
        punti.append({
            "punto": punto, "votazione": votazione,
            "righe": _seggi_e_voti(votazione) if votazione else [],
            "deliberazione": getattr(punto, "deliberazione", None),
        })
    return {
        "seduta": seduta,
        "seggi": list(seduta.seggi.select_related("comune", "rappresentante").order_by("comune__denominazione")),
        "punti": punti,
        "eventi": list(sel_tavoli.eventi(seduta)),
        "quorum": sel_tavoli.quorum(seduta),
    }
