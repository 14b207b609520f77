"""Pages of the Assemblea dei Sindaci and of the Ufficio di Piano. Thin: permission, form,
service, message. Every page checks the user's permission on the ambito it belongs to."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ambiti.models import Ambito, Comune, Ente, Incarico, Utente
from ambiti.ruoli import Permessi
from ambiti.viste import esegui as _esegui

from . import selectors, services, services_assemblea
from .forms import (
    ComponentiFormSet,
    DelegaForm,
    PresenzaForm,
    PuntoForm,
    RegolaForm,
    SedutaForm,
    UfficioForm,
    VotoForm,
)
from .models import (
    Deliberazione,
    PuntoOrdineDelGiorno,
    RegolaVoto,
    Seduta,
    UfficioDiPiano,
    Votazione,
)


def _ambito_o_404(request, pk) -> Ambito:
    ambito = get_object_or_404(Ambito.objects.select_related("asl"), pk=pk)
    if not selectors.assemblea_per_utente(request.user, ambito):
        raise Http404(_("Ambito non trovato."))
    return ambito


def _seduta_o_404(request, pk) -> Seduta:
    seduta = selectors.seduta_dettaglio(pk)
    if seduta is None or not selectors.assemblea_per_utente(request.user, seduta.assemblea.ambito):
        raise Http404(_("Seduta non trovata."))
    return seduta


@login_required
def assemblea(request, ambito_pk):
    ambito = _ambito_o_404(request, ambito_pk)
    assemblea = services_assemblea.assemblea_garantisci(ambito)
    permessi = Permessi(request.user)
    sindaci = selectors.sindaci_per_comune(ambito)
    comuni = list(ambito.comuni.order_by("denominazione"))
    totale = sum(c.popolazione or 0 for c in comuni)
    seggi = [{"comune": c, "sindaci": sindaci.get(c.pk, []),
              "quota": (c.popolazione or 0) * 100 / totale if totale else None} for c in comuni]
    ufficio = (UfficioDiPiano.objects.select_related("responsabile", "sede", "deliberazione")
               .prefetch_related("componenti", "componenti__ente").filter(ambito=ambito).first())
    presidenti = [i.utente for i in selectors.incarichi_in_corso(
        ambito=ambito, ruolo=Incarico.Ruolo.PRESIDENTE_ASSEMBLEA).select_related("utente")]
    return render(request, "tavoli/assemblea.html", {
        "ambito": ambito, "assemblea": assemblea, "regola": assemblea.regola, "seggi": seggi,
        "popolazione_totale": totale, "presidenti": presidenti,
        "sedute": assemblea.sedute.order_by("-data")[:50],
        "deliberazioni": assemblea.deliberazioni.select_related("atto", "piano").order_by("-anno", "-numero")[:100],
        "deleghe": assemblea.deleghe.select_related("comune", "delegato", "seduta").order_by("-registrata_il")[:50],
        "ufficio": ufficio,
        "gestisce": permessi.ha("gestisci_piano", ambito),
        "presiede": permessi.ha("presiedi_assemblea", ambito),
        "regole_precedenti": assemblea.regole.exclude(pk=assemblea.regola_id)[:10],
    })


@login_required
def regola_modifica(request, ambito_pk):
    ambito = _ambito_o_404(request, ambito_pk)
    assemblea = services_assemblea.assemblea_garantisci(ambito)
    if not services_assemblea.puo_gestire(request.user, ambito):
        raise PermissionDenied
    iniziale = {campo: getattr(assemblea.regola, campo) for campo in services_assemblea.CAMPI_REGOLA}
    form = RegolaForm(request.POST or None, initial=iniziale, instance=RegolaVoto(assemblea=assemblea))
    if request.method == "POST" and form.is_valid():
        campi = {c: form.cleaned_data[c] for c in services_assemblea.CAMPI_REGOLA}
        if _esegui(request, services_assemblea.regola_modifica, _("Nuova regola di voto registrata: vale per le "
                                                                   "votazioni aperte da ora."),
                   assemblea=assemblea, utente=request.user, **campi):
            return redirect("tavoli:assemblea", ambito_pk=ambito.pk)
    return render(request, "tavoli/regola_form.html", {"ambito": ambito, "form": form, "regola": assemblea.regola})


@login_required
def seduta_nuova(request, ambito_pk):
    ambito = _ambito_o_404(request, ambito_pk)
    assemblea = services_assemblea.assemblea_garantisci(ambito)
    if not (services_assemblea.puo_gestire(request.user, ambito)
            or services_assemblea.puo_presiedere(request.user, ambito)):
        raise PermissionDenied
    form = SedutaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        seduta = _esegui(request, services.seduta_crea, _("Seduta creata: ora componi l'ordine del giorno."),
                         assemblea=assemblea, utente=request.user, **form.cleaned_data)
        if seduta:
            return redirect("tavoli:seduta", pk=seduta.pk)
    return render(request, "tavoli/seduta_form.html", {"ambito": ambito, "form": form})


def _contesto_seduta(request, seduta: Seduta) -> dict:
    ambito = seduta.assemblea.ambito
    permessi = Permessi(request.user)
    gestisce = permessi.ha("gestisci_piano", ambito)
    presiede = permessi.ha("presiedi_assemblea", ambito)
    rappresentati = selectors.comuni_rappresentati(request.user, seduta)
    seggi = list(seduta.seggi.all())
    punti = list(seduta.punti.all())
    votazioni = [p.votazione for p in punti if hasattr(p, "votazione")]
    voti = selectors.voti_per_votazione(votazioni)
    aperta = next((v for v in votazioni if v.stato == Votazione.Stato.APERTA), None)
    for p in punti:
        p.v = getattr(p, "votazione", None)
        p.voti = voti.get(p.v.pk, {}) if p.v else {}
        p.seggi_da_votare = [s for s in seggi
                             if p.v and s.comune_id in rappresentati and s.comune_id not in p.voti]
        p.righe = [{"seggio": s, "voto": p.voti.get(s.comune_id)} for s in seggi]
        p.ponderata = bool(p.v) and selectors.voto_ponderato(p.v)
    if gestisce or presiede:
        delegati = selectors.delegati_per_comune(seduta)
        for s in seggi:
            s.delegati = delegati.get(s.comune_id, [])
    propri = [s for s in seggi if s.comune_id in rappresentati]
    quorum = selectors.quorum(seduta) if seggi else None
    contesto = {
        "seduta": seduta, "ambito": ambito, "assemblea": seduta.assemblea, "seggi": seggi, "punti": punti,
        "quorum": quorum, "quorum_raggiunto": bool(getattr(quorum, "raggiunto", False)),
        "gestisce": gestisce, "presiede": presiede, "segreteria": gestisce or presiede,
        "rappresentati": rappresentati,
        # the button disappears once every seat the user holds is marked present
        "presenza_segnalata": bool(propri) and all(s.presente for s in propri),
        "aperta": aperta, "voti_aperta": len(voti.get(aperta.pk, {})) if aperta else 0,
        "eventi": list(selectors.eventi(seduta))[-30:],
        "presenze": PresenzaForm.base_fields["presenza"].choices,
        "in_diretta": seduta.stato in (Seduta.Stato.CONVOCATA, Seduta.Stato.APERTA),
    }
    contesto["versione_live"] = _versione_live(contesto)
    return contesto


def _versione_live(c: dict) -> str:
    """A fingerprint of what the live panel shows: the page sends it back when it polls, and
    gets no update (so screen readers announce nothing) while nothing changed."""
    stato = (c["seduta"].stato, c["quorum_raggiunto"], c["aperta"].pk if c["aperta"] else None, c["voti_aperta"],
             [(s.comune_id, s.presenza, s.rappresentante_id) for s in c["seggi"]])
    return hashlib.sha256(repr(stato).encode()).hexdigest()[:16]


@login_required
def seduta(request, pk):
    seduta = _seduta_o_404(request, pk)
    return render(request, "tavoli/seduta.html", _contesto_seduta(request, seduta))


@login_required
def seduta_live(request, pk):
    """Polled by htmx: attendance, quorum and the open vote, live. Nothing to swap (204) while
    nothing changed; 286 tells htmx to stop polling once the session is no longer live."""
    seduta = _seduta_o_404(request, pk)
    contesto = _contesto_seduta(request, seduta)
    if request.GET.get("versione") == contesto["versione_live"] and contesto["in_diretta"]:
        return HttpResponse(status=204)
    risposta = render(request, "tavoli/_seduta_live.html", contesto)
    if not contesto["in_diretta"]:
        risposta.status_code = 286
    return risposta


@login_required
def punto_nuovo(request, pk):
    seduta = _seduta_o_404(request, pk)
    ambito = seduta.assemblea.ambito
    if not (services_assemblea.puo_gestire(request.user, ambito)
            or services_assemblea.puo_presiedere(request.user, ambito)):
        raise PermissionDenied
    # The plan and its texts are accordi's models, reached through our own string references.
    PianoDiZona = PuntoOrdineDelGiorno._meta.get_field("piano").related_model
    Documento = PuntoOrdineDelGiorno._meta.get_field("documento_piano").related_model
    piani = PianoDiZona.objects.filter(ambiti=ambito).order_by("-ciclo__anno_inizio")
    documenti = Documento.objects.filter(piano__ambiti=ambito, tipo="piano_definitivo").order_by("-creato_il")
    enti = (Ente.objects.filter(Q(comune__ambiti=ambito) | Q(asl=ambito.asl) | Q(ambiti=ambito))
            .distinct().order_by("denominazione"))
    form = PuntoForm(request.POST or None, piani=piani, documenti=documenti, enti=enti,
                     initial={"piano": piani.first()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        punto = _esegui(request, services.punto_aggiungi, _("Punto aggiunto all'ordine del giorno."),
                        seduta=seduta, utente=request.user, oggetto=d["oggetto"], proposta=d["proposta"],
                        tipo=d["tipo"], piano=d["piano"] if d["tipo"] else None,
                        documento_piano=d["documento_piano"], ente_capofila=d["ente_capofila"],
                        priorita=form.priorita_elenco())
        if punto:
            return redirect("tavoli:seduta", pk=seduta.pk)
    return render(request, "tavoli/punto_form.html", {"seduta": seduta, "ambito": ambito, "form": form})


@login_required
@require_POST
def punto_rimuovi(request, pk):
    punto = get_object_or_404(PuntoOrdineDelGiorno.objects.select_related("seduta"), pk=pk)
    seduta = _seduta_o_404(request, punto.seduta_id)
    _esegui(request, services.punto_rimuovi, _("Punto rimosso."), punto=punto, utente=request.user)
    return redirect("tavoli:seduta", pk=seduta.pk)


AZIONI_SEDUTA = {
    "convoca": (services.seduta_convoca,
                _lazy("Seduta convocata: la convocazione con l'invito per il calendario è in invio.")),
    "apri": (services.seduta_apri, _lazy("Seduta aperta: il quorum costitutivo è raggiunto.")),
    "chiudi": (services.seduta_chiudi, _lazy("Seduta chiusa.")),
    "annulla": (services.seduta_annulla, _lazy("Seduta annullata: i componenti ricevono l'avviso.")),
    "presente": (services.presenza_dichiara, _lazy("La tua presenza è registrata.")),
    "verbale": (services.verbale_genera, _lazy("Verbale in preparazione: il PDF sarà pronto fra poco.")),
}


@login_required
@require_POST
def seduta_azione(request, pk, azione):
    seduta = _seduta_o_404(request, pk)
    if azione not in AZIONI_SEDUTA:
        raise Http404
    funzione, successo = AZIONI_SEDUTA[azione]
    kwargs = {"seduta": seduta, "utente": request.user}
    if azione in ("convoca", "apri") and request.POST.get("stato_atteso"):
        kwargs["stato_atteso"] = request.POST["stato_atteso"]
    if azione == "annulla":
        kwargs["motivo"] = request.POST.get("motivo", "")
    risultato = _esegui(request, funzione, successo, **kwargs)
    if azione == "verbale" and risultato and hasattr(risultato, "pk"):
        return redirect("accordi:documento", pk=risultato.pk)
    return redirect("tavoli:seduta", pk=seduta.pk)


@login_required
@require_POST
def presenza(request, pk):
    seduta = _seduta_o_404(request, pk)
    form = PresenzaForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Richiesta incompleta: scegli il Comune e la presenza."))
    else:
        d = form.cleaned_data
        _esegui(request, services.presenza_registra, _("Presenza aggiornata."), seduta=seduta,
                comune_id=d["comune"], utente=request.user, presenza=d["presenza"], rappresentante=d["rappresentante"])
    return redirect(f"{request.build_absolute_uri(seduta_url(seduta))}#presenze")


def seduta_url(seduta) -> str:
    from django.urls import reverse

    return reverse("tavoli:seduta", args=[seduta.pk])


@login_required
@require_POST
def votazione_apri(request, pk):
    punto = get_object_or_404(PuntoOrdineDelGiorno.objects.select_related("seduta"), pk=pk)
    seduta = _seduta_o_404(request, punto.seduta_id)
    _esegui(request, services.votazione_apri, _("Votazione aperta: i Comuni presenti possono votare."),
            punto=punto, utente=request.user)
    return redirect(f"{seduta_url(seduta)}#punto-{punto.pk}")


def _votazione_o_404(request, pk) -> Votazione:
    votazione = get_object_or_404(Votazione.objects.select_related("punto", "punto__seduta"), pk=pk)
    _seduta_o_404(request, votazione.punto.seduta_id)
    return votazione


@login_required
@require_POST
def vota(request, pk):
    votazione = _votazione_o_404(request, pk)
    form = VotoForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Scegli favorevole, contrario, astenuto o non votante."))
    else:
        voto = _esegui(request, services.voto_esprimi, None, votazione=votazione, utente=request.user,
                       espressione=form.cleaned_data["espressione"], comune_id=form.cleaned_data["comune"])
        if voto:
            messages.success(request, _("Voto registrato per %(c)s: %(v)s.") % {
                "c": voto.comune, "v": voto.get_espressione_display()})
    return redirect(f"{seduta_url(votazione.punto.seduta)}#punto-{votazione.punto_id}")


@login_required
@require_POST
def votazione_azione(request, pk, azione):
    votazione = _votazione_o_404(request, pk)
    if azione == "chiudi":
        _esegui(request, services.votazione_chiudi, _("Votazione chiusa: controlla l'esito e proclamalo."),
                votazione=votazione, utente=request.user)
    elif azione == "proclama":
        _esegui(request, services.votazione_proclama, _("Esito proclamato."), votazione=votazione, utente=request.user)
    else:
        raise Http404
    return redirect(f"{seduta_url(votazione.punto.seduta)}#punto-{votazione.punto_id}")


@login_required
def delega_nuova(request, ambito_pk):
    ambito = _ambito_o_404(request, ambito_pk)
    assemblea = services_assemblea.assemblea_garantisci(ambito)
    sindaci = selectors.sindaci_per_comune(ambito)
    propri = [c for c, utenti in sindaci.items() if request.user in utenti]
    gestisce = services_assemblea.puo_gestire(request.user, ambito)
    if not (propri or gestisce):
        raise PermissionDenied
    comuni = ambito.comuni.order_by("denominazione") if gestisce else Comune.objects.filter(pk__in=propri)
    sedute = assemblea.sedute.filter(stato__in=[Seduta.Stato.BOZZA, Seduta.Stato.CONVOCATA, Seduta.Stato.APERTA])
    form = DelegaForm(request.POST or None, request.FILES or None, comuni=comuni,
                      utenti=Utente.objects.filter(is_active=True).order_by("last_name", "first_name"), sedute=sedute)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _esegui(request, services_assemblea.delega_registra, _("Delega registrata."), assemblea=assemblea,
                   comune=d["comune"], delegato=d["delegato"], atto=d["atto"], utente=request.user,
                   seduta=d["seduta"], dal=d["dal"], al=d["al"]):
            return redirect("tavoli:assemblea", ambito_pk=ambito.pk)
    return render(request, "tavoli/delega_form.html", {"ambito": ambito, "form": form})


@login_required
def ufficio(request, ambito_pk):
    ambito = _ambito_o_404(request, ambito_pk)
    if not (services_assemblea.puo_gestire(request.user, ambito)
            or services_assemblea.puo_presiedere(request.user, ambito)):
        raise PermissionDenied
    esistente = (UfficioDiPiano.objects.filter(ambito=ambito)
                 .prefetch_related("componenti", "componenti__utente", "componenti__ente").first())
    iniziale, componenti = {}, []
    if esistente:
        iniziale = {"responsabile": esistente.responsabile, "sede": esistente.sede,
                    "atto_costitutivo": esistente.atto_costitutivo, "costituito_il": esistente.costituito_il}
        componenti = [{"utente": c.utente, "nominativo": c.nominativo, "ente": c.ente, "funzione": c.funzione}
                      for c in esistente.componenti.all()]
    utenti = selectors.utenti_dell_ambito(ambito)
    enti = selectors.enti_dell_ambito(ambito)
    form = UfficioForm(request.POST or None, request.FILES or None, initial=iniziale, utenti=utenti, enti=enti)
    righe = ComponentiFormSet(request.POST or None, prefix="componenti", initial=componenti,
                              form_kwargs={"utenti": utenti, "enti": enti})
    valido = form.is_valid() & righe.is_valid()  # both validated, so every error shows at once
    if request.method == "POST" and valido:
        d = form.cleaned_data
        if _esegui(request, services_assemblea.ufficio_costituisci, _("Costituzione dell'Ufficio di Piano registrata."),
                   ambito=ambito, utente=request.user, responsabile=d["responsabile"],
                   atto_costitutivo=d["atto_costitutivo"], costituito_il=d["costituito_il"],
                   componenti=righe.componenti(), sede=d["sede"], allegato=d["allegato"]):
            return redirect("tavoli:assemblea", ambito_pk=ambito.pk)
    return render(request, "tavoli/ufficio_form.html", {"ambito": ambito, "form": form, "righe": righe,
                                                        "ufficio": esistente})


@login_required
def deliberazione(request, pk):
    d = get_object_or_404(Deliberazione.objects.select_related(
        "assemblea", "assemblea__ambito", "punto", "punto__seduta", "votazione", "atto", "piano",
        "ente_capofila", "documento_piano"), pk=pk)
    if not selectors.assemblea_per_utente(request.user, d.assemblea.ambito):
        raise Http404
    return render(request, "tavoli/deliberazione.html", {
        "d": d, "ambito": d.assemblea.ambito, "priorita": list(d.punto.priorita.all()),
        "risultato": d.votazione.risultato, "righe": selectors.righe_dei_voti(d.votazione),
        "ponderata": selectors.voto_ponderato(d.votazione),
    })
