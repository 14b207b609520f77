"""The adesioni in the document and signing services: the adesione act's content, its signing
request once it is ready, and what happens when the legal representative's signature is
verified (the request becomes ``sottoscritta``). Imported by ``AccordiConfig.ready``."""

from __future__ import annotations

from django.db.models import Prefetch

from tavoli.models import AreaIntervento, Tavolo

from . import services_adesioni
from .models import Documento, RichiestaAdesione, RichiestaFirma, RisorsaAdesione
from .selectors_adesioni import UNITA, accettazione, firmatario_atteso, quantita_leggibile
from .selectors_contenuto import euro
from .services_documenti import al_documento_pronto, registra_contenuto
from .services_firme import al_completamento


@registra_contenuto(Documento.Tipo.ADESIONE, "atti/adesione.html")
def contenuto_adesione(documento: Documento) -> dict:
    richiesta = (
        RichiestaAdesione.objects.filter(documento=documento)
        .select_related("accordo__piano__ciclo", "accordo__ente_capofila", "accordo__documento", "ente",
                        "ente__registrazione")
        .prefetch_related(
            Prefetch("aree", queryset=AreaIntervento.objects.order_by("ordine", "nome")),
            Prefetch("tavoli", queryset=Tavolo.objects.select_related("area").order_by("area__ordine", "nome")),
            Prefetch("risorse", queryset=RisorsaAdesione.objects.order_by("pk")),
        )
        .get()
    )
    risorse = [
        {"risorsa": r, "quantita": quantita_leggibile(r.quantita), "unita": UNITA.get(r.tipo, ""),
         "valore": euro(r.valore_centesimi)}
        for r in richiesta.risorse.all()
    ]
    firmatario = firmatario_atteso(richiesta)
    return {
        "richiesta": richiesta,
        "ente": richiesta.ente,
        "registrazione": getattr(richiesta.ente, "registrazione", None),
        "accordo": richiesta.accordo,
        "piano": richiesta.accordo.piano,
        "aree": list(richiesta.aree.all()),
        "tavoli": list(richiesta.tavoli.all()),
        "risorse": risorse,
        "valore_totale": euro(sum(r.valore_centesimi for r in richiesta.risorse.all())),
        "legale_nome": firmatario[2] if firmatario else "",
        "legale_cf": firmatario[1] if firmatario else "",
        "accettazione": accettazione(richiesta),
    }


@al_documento_pronto
def _atto_pronto(documento: Documento) -> None:
    """The act is rendered and sealed: it goes to the legal representative's signature."""
    if documento.tipo != Documento.Tipo.ADESIONE:
        return
    richiesta = RichiestaAdesione.objects.filter(documento=documento).first()
    if richiesta is not None:
        services_adesioni.firma_prepara(richiesta=richiesta)


@al_completamento
def _atto_firmato(richiesta_firma: RichiestaFirma) -> None:
    """Every mandatory signature is verified: the body becomes an adherent."""
    documento = Documento.objects.get(pk=richiesta_firma.documento_id)
    if documento.tipo == Documento.Tipo.ADESIONE:
        services_adesioni.sottoscrizione_registra(documento=documento)
