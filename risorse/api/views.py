"""The open REST API, read-only. Public endpoints (``pubblico/``, ``ambiti/``) need no account
and show only what the public pages show; the others need a token (or the browser's session)
and answer, for an object the user may not read, 404 as the pages do."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated

from ..cache_pagine import contenuto_in_cache
from ..versioni import TUTTE
from . import selectors
from . import serializers as s

NON_TROVATO = "Non trovato."

_ERRORE = inline_serializer("Errore", {"detail": serializers.CharField(help_text="Il motivo, in italiano.")})
_ERRORI_FILTRI = OpenApiResponse(
    {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="Filtro o paginazione non validi: per ogni parametro, i messaggi in italiano.",
)
RISPOSTE_PUBBLICHE = {
    401: OpenApiResponse(_ERRORE, description="Token non valido."),
    404: OpenApiResponse(_ERRORE, description="Non trovato (o pagina inesistente)."),
    429: OpenApiResponse(_ERRORE, description="Troppe richieste: riprovare dopo il tempo indicato in Retry-After."),
}
RISPOSTE_RISERVATE = {
    **RISPOSTE_PUBBLICHE,
    401: OpenApiResponse(_ERRORE, description="Autenticazione mancante o token non valido."),
    404: OpenApiResponse(_ERRORE, description="Non esiste o l'utente non può leggerlo."),
}
ID_PIANO = OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH,
                            description="Identificativo del Piano di Zona.")


def _id_valido(valore) -> int:
    """The path's id as an int, or 404: the URL accepts any digits, the database does not."""
    try:
        numero = int(valore)
    except (TypeError, ValueError):
        raise NotFound(NON_TROVATO) from None
    if not 1 <= numero <= s.MAX_ID:
        raise NotFound(NON_TROVATO)
    return numero


def _filtri(request, serializer_class) -> dict:
    # A plain dict, not the QueryDict: DRF reads an empty value of a QueryDict as "not given",
    # and "?stato=" must be refused like any other value that is not a state.
    filtri = serializer_class(data=request.query_params.dict())
    filtri.is_valid(raise_exception=True)  # ValidationError → 400 with the Italian messages
    return filtri.validated_data


class _Pubblica:
    permission_classes = [AllowAny]


class _Riservata:
    permission_classes = [IsAuthenticated]


class _ListaInCache:
    """A list's JSON from the cache (``cache_pagine``), keyed also by the accepted media type
    (``; indent=``). The API renders JSON only (settings.REST_FRAMEWORK). ``per_utente``: the
    list depends on who asks (their permissions), not only on the data. ``famiglie``: the
    families of models (``versioni.FAMIGLIE``) the list reads, its filters and its permission
    check included; a write to another family leaves the list in the cache."""

    per_utente = True
    famiglie = TUTTE

    def list(self, request, *args, **kwargs):
        renderer = request.accepted_renderer

        def genera() -> bytes:
            risposta = super(_ListaInCache, self).list(request, *args, **kwargs)
            return renderer.render(risposta.data, request.accepted_media_type, self.get_renderer_context())

        contenuto = contenuto_in_cache(request, genera, request.accepted_media_type, per_utente=self.per_utente,
                                       famiglie=self.famiglie)
        return HttpResponse(contenuto, content_type=renderer.media_type)


class _Dettaglio:
    """Retrieve by a validated id."""

    def get_object(self):
        oggetto = self.get_queryset().filter(pk=_id_valido(self.kwargs["pk"])).first()
        if oggetto is None:
            raise NotFound(NON_TROVATO)
        return oggetto


# --- public ---------------------------------------------------------------------------------------

@extend_schema(tags=["pubblico"])
class AmbitiView(_Pubblica, _ListaInCache, generics.ListAPIView):
    """Gli ambiti territoriali: dati anagrafici pubblici."""

    per_utente = False
    famiglie = ("anagrafe",)

    serializer_class = s.AmbitoSerializer

    def get_queryset(self):
        filtri = _filtri(self.request, s.FiltriAmbitiSerializer)
        ambiti = selectors.ambiti_pubblici()
        if filtri.get("regione") is not None:
            ambiti = ambiti.filter(asl__regione_id=filtri["regione"])
        return ambiti

    @extend_schema(summary="Elenco degli ambiti territoriali", parameters=[s.FiltriAmbitiSerializer],
                   responses={200: s.AmbitoSerializer(many=True), 400: _ERRORI_FILTRI, **RISPOSTE_PUBBLICHE})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["pubblico"])
class AmbitoView(_Pubblica, _Dettaglio, generics.RetrieveAPIView):
    """Un ambito territoriale: dati anagrafici pubblici."""

    serializer_class = s.AmbitoSerializer

    def get_queryset(self):
        return selectors.ambiti_pubblici()

    @extend_schema(summary="Un ambito territoriale",
                   parameters=[OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH)],
                   responses={200: s.AmbitoSerializer, **RISPOSTE_PUBBLICHE})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["pubblico"])
class PianiPubbliciView(_Pubblica, _ListaInCache, generics.ListAPIView):
    """I piani approvati e non annullati, in ordine di ciclo (dal più recente) e di titolo."""

    per_utente = False
    famiglie = ("anagrafe", "piani")

    serializer_class = s.PianoPubblicoSerializer

    def get_queryset(self):
        return selectors.filtra_piani(selectors.piani_pubblici_api(), _filtri(self.request, s.FiltriPianiSerializer))

    @extend_schema(
        summary="Piani di Zona approvati",
        description="I piani approvati (con data di entrata in vigore) e non annullati: in vigore o conclusi.",
        parameters=[s.FiltriPianiSerializer],
        responses={200: s.PianoPubblicoSerializer(many=True), 400: _ERRORI_FILTRI, **RISPOSTE_PUBBLICHE},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["pubblico"])
class PianoPubblicoView(_Pubblica, _Dettaglio, generics.RetrieveAPIView):
    """Un piano approvato con i passi del suo iter (senza i nomi delle persone né le note)."""

    serializer_class = s.PianoPubblicoDettaglioSerializer

    def get_queryset(self):
        return selectors.piano_pubblico_con_transizioni()

    @extend_schema(summary="Un Piano di Zona approvato, con i passi del suo iter", parameters=[ID_PIANO],
                   responses={200: s.PianoPubblicoDettaglioSerializer, **RISPOSTE_PUBBLICHE})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["pubblico"])
class AccordiPubbliciView(_Pubblica, _ListaInCache, generics.ListAPIView):
    """Gli Accordi di Programma in vigore, nella revisione in vigore del loro piano."""

    per_utente = False
    famiglie = ("anagrafe", "piani", "accordi")

    serializer_class = s.AccordoPubblicoSerializer

    def get_queryset(self):
        return selectors.accordi_pubblici()

    def paginate_queryset(self, queryset):
        return selectors.con_dettagli(super().paginate_queryset(queryset))

    @extend_schema(summary="Accordi di Programma in vigore, con le parti e gli enti aderenti",
                   responses={200: s.AccordoPubblicoSerializer(many=True), 400: _ERRORI_FILTRI,
                              **RISPOSTE_PUBBLICHE})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["pubblico"])
class AccordoPubblicoView(_Pubblica, _Dettaglio, generics.RetrieveAPIView):
    """Un Accordo in vigore con le parti, i loro impegni e gli enti aderenti."""

    serializer_class = s.AccordoPubblicoSerializer

    def get_queryset(self):
        return selectors.accordi_pubblici()

    def get_object(self):
        return selectors.con_dettagli([super().get_object()])[0]

    @extend_schema(summary="Un Accordo di Programma in vigore",
                   parameters=[OpenApiParameter("id", {"type": "integer", "minimum": 1}, OpenApiParameter.PATH,
                                                description="Identificativo dell'Accordo.")],
                   responses={200: s.AccordoPubblicoSerializer, **RISPOSTE_PUBBLICHE})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- with a token ---------------------------------------------------------------------------------

@extend_schema(tags=["riservato"])
class PianiView(_Riservata, _ListaInCache, generics.ListAPIView):
    """I piani che l'utente può leggere, in ogni stato."""

    famiglie = ("anagrafe", "piani")
    serializer_class = s.PianoSerializer

    def get_queryset(self):
        return selectors.filtra_piani(selectors.piani_dell_utente(self.request.user),
                                      _filtri(self.request, s.FiltriPianiSerializer))

    @extend_schema(
        summary="I Piani di Zona che l'utente può leggere",
        description="Quelli degli ambiti in cui l'utente ha un ruolo e, per l'operatore regionale, tutti quelli "
                    "della sua regione; in ogni stato.",
        parameters=[s.FiltriPianiSerializer],
        responses={200: s.PianoSerializer(many=True), 400: _ERRORI_FILTRI, **RISPOSTE_RISERVATE},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["riservato"])
class PianoView(_Riservata, _Dettaglio, generics.RetrieveAPIView):
    """Un piano che l'utente può leggere, con il registro completo delle transizioni."""

    serializer_class = s.PianoDettaglioSerializer

    def get_queryset(self):
        return selectors.piano_con_transizioni(self.request.user)

    @extend_schema(summary="Un Piano di Zona con il registro delle transizioni", parameters=[ID_PIANO],
                   responses={200: s.PianoDettaglioSerializer, **RISPOSTE_RISERVATE})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["riservato"])
class RisorsePianoView(_Riservata, _ListaInCache, generics.ListAPIView):
    """Il quadro delle risorse del piano, sommato (una query)."""

    famiglie = ("anagrafe", "piani", "denaro")
    serializer_class = s.RisorsaAggregataSerializer

    def get_queryset(self):
        piano = selectors.piani_visibili(self.request.user).filter(pk=_id_valido(self.kwargs["pk"])).first()
        if piano is None:
            raise NotFound(NON_TROVATO)
        return selectors.risorse_aggregate(piano)

    @extend_schema(
        summary="Il quadro delle risorse del piano, aggregato",
        description="Somme delle voci del quadro unitario delle risorse per anno × fonte di finanziamento × "
                    "ambito di spesa (sociale/sociosanitario) × tipo (previsto/consuntivo), tutte le aree insieme.",
        parameters=[ID_PIANO],
        responses={200: s.RisorsaAggregataSerializer(many=True), 400: _ERRORI_FILTRI, **RISPOSTE_RISERVATE},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["riservato"])
class AdesioniPianoView(_Riservata, _ListaInCache, generics.ListAPIView):
    """Le richieste di adesione agli Accordi del piano che l'utente può vedere."""

    famiglie = ("anagrafe", "piani", "accordi")
    serializer_class = s.AdesioneSerializer

    def get_queryset(self):
        richieste = selectors.adesioni_del_piano(self.request.user, _id_valido(self.kwargs["pk"]))
        if richieste is None:
            raise NotFound(NON_TROVATO)
        return richieste

    @extend_schema(
        summary="Le richieste di adesione agli Accordi del piano",
        description="L'Ufficio di Piano, chi consulta gli ambiti del piano e l'operatore regionale vedono le "
                    "richieste inviate; chi rappresenta un ente del Terzo Settore vede solo quelle del proprio ente.",
        parameters=[ID_PIANO],
        responses={200: s.AdesioneSerializer(many=True), 400: _ERRORI_FILTRI, **RISPOSTE_RISERVATE},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

