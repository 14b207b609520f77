"""Pages of the adesioni: the body's area (its requests, the Accordi open to adesione, the
request's form, attachments and log) and the Ufficio di Piano's review.

Who sees what (accordi/services_adesioni.py decides who may act):
- the body's side: whoever represents the body (``selectors_portale.rappresenta``); anyone else
  gets 404, so that nobody learns which bodies asked;
- the review side: the Ufficio di Piano of the plan's ambiti acts; readers of the plan (mayors,
  ASL, regional officers) read, and get 403 if they try to act; anyone else gets 404."""

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ambiti.selectors import ambiti_con_permesso
from ambiti.viste import esegui
from tavoli.models import AreaIntervento, Tavolo

from . import selectors_adesioni, selectors_portale
from . import services_adesioni as sa
from .forms_adesioni import (
    AllegatoForm,
    AzioneForm,
    RichiestaForm,
    RisorseFormSet,
    RitiroForm,
    max_allegato,
    risorse_iniziali,
)
from .models import (
    AccordoDiProgramma,
    AllegatoAdesione,
    EventoAdesione,
    Firmatario,
    RichiestaAdesione,
    RisorsaAdesione,
    Stato,
    StatoAdesione,
)
from .selectors_contenuto import euro
from .views_consultazione import Ruoli, _piano

S = StatoAdesione

# What the body reads next to the state: what happens now and who acts.
PROSSIMO_PASSO = {
    S.BOZZA: gettext_lazy("La richiesta è una bozza: completala, allega lo statuto e inviala all'Ufficio di Piano."),
    S.INVIATA: gettext_lazy("La richiesta è stata inviata: l'Ufficio di Piano la prenderà in carico e ti avviserà "
                            "per e-mail."),
    S.IN_ISTRUTTORIA: gettext_lazy("L'Ufficio di Piano sta esaminando la richiesta: potrà accoglierla, respingerla "
                                   "motivando o chiedere integrazioni."),
    S.INTEGRAZIONE_RICHIESTA: gettext_lazy("L'Ufficio di Piano ha chiesto integrazioni: leggi la nota, completa la "
                                           "richiesta e invia le integrazioni."),
    S.ACCOLTA: gettext_lazy("La richiesta è stata accolta: l'adesione diventa effettiva quando il legale "
                            "rappresentante dell'ente firma l'atto di adesione."),
    S.RESPINTA: gettext_lazy("La richiesta è stata respinta: le motivazioni sono indicate qui sotto. L'ente può "
                             "presentare una nuova richiesta."),
    S.SOTTOSCRITTA: gettext_lazy("L'atto di adesione è firmato: l'ente aderisce all'Accordo e compare tra gli "
                                 "aderenti con le risorse che mette a disposizione."),
    S.RITIRATA: gettext_lazy("La richiesta è stata ritirata. L'ente può presentare una nuova richiesta."),
}

# What the reviewer may do in each state.
AZIONI = {
    "prendi-in-carico": {
        "funzione": "prendi_in_carico", "da": S.INVIATA, "nota": None,
        "etichetta": gettext_lazy("Prendi in carico"),
        "spiegazione": gettext_lazy("Avvia l'istruttoria: l'ente riceve un avviso."),
        "successo": gettext_lazy("Richiesta presa in carico: l'ente ne riceve avviso."),
    },
    "chiedi-integrazioni": {
        "funzione": "richiedi_integrazione", "da": S.IN_ISTRUTTORIA, "nota": "obbligatoria",
        "etichetta": gettext_lazy("Chiedi integrazioni"),
        "etichetta_nota": gettext_lazy("Che cosa deve integrare l'ente (obbligatorio)"),
        "spiegazione": gettext_lazy("La richiesta torna modificabile per l'ente, che riceve la nota per e-mail."),
        "successo": gettext_lazy("Integrazioni richieste: l'ente riceve la nota per e-mail."),
    },
    "accogli": {
        "funzione": "accogli", "da": S.IN_ISTRUTTORIA, "nota": "facoltativa",
        "etichetta": gettext_lazy("Accogli"),
        "etichetta_nota": gettext_lazy("Nota per l'ente (facoltativa)"),
        "spiegazione": gettext_lazy("Genera l'atto di adesione, che il legale rappresentante dell'ente firma."),
        "successo": gettext_lazy("Richiesta accolta: l'atto di adesione è in preparazione e va firmato dal legale "
                                 "rappresentante dell'ente."),
    },
    "respingi": {
        "funzione": "respingi", "da": S.IN_ISTRUTTORIA, "nota": "obbligatoria", "pericolosa": True,
        "etichetta": gettext_lazy("Respingi"),
        "etichetta_nota": gettext_lazy("Motivazioni (obbligatorie)"),
        "spiegazione": gettext_lazy("L'ente riceve le motivazioni per e-mail e può presentare una nuova richiesta."),
        "successo": gettext_lazy("Richiesta respinta: l'ente riceve le motivazioni per e-mail."),
    },
}

# What the reviewer reads when the request waits for someone else.
ATTESA_UDP = {
    S.INTEGRAZIONE_RICHIESTA: gettext_lazy("In attesa delle integrazioni dell'ente: riceverai un'e-mail quando le "
                                           "invia."),
    S.ACCOLTA: gettext_lazy("Richiesta accolta: si attende la firma dell'atto di adesione da parte del legale "
                            "rappresentante dell'ente."),
    S.RESPINTA: gettext_lazy("La richiesta è stata respinta: l'esame è concluso."),
    S.SOTTOSCRITTA: gettext_lazy("L'atto di adesione è firmato: l'ente aderisce all'Accordo."),
    S.RITIRATA: gettext_lazy("L'ente ha ritirato la richiesta: l'esame è concluso."),
}

# Log entries whose note is the Ufficio di Piano's word to the body.
AZIONI_CON_NOTA_UDP = ("richiedi_integrazione", "accogli", "respingi")


# --- shared ----------------------------------------------------------------------------------------

def _richiesta(request, pk) -> tuple[RichiestaAdesione, str]:
    richiesta, ruolo = selectors_adesioni.richiesta_per_utente(request.user, pk)
    if richiesta is None or ruolo is None:
        raise Http404(_("Richiesta di adesione non trovata."))
    return richiesta, ruolo


def _del_ente(request, pk) -> RichiestaAdesione:
    """The request, for an action of the body's side: 404 if hidden, 403 for reviewers."""
    richiesta, ruolo = _richiesta(request, pk)
    if ruolo != "ente":
        raise PermissionDenied
    return richiesta


def _stato_atteso(request) -> str | None:
    """The state the page showed (the service refuses the step if the request moved since)."""
    stato = request.POST.get("stato_atteso", "")
    return stato if stato in S.values else None


def _completa(richiesta: RichiestaAdesione) -> RichiestaAdesione:
    """Everything a request's page shows, in a fixed number of queries."""
    return (
        RichiestaAdesione.objects.select_related(
            "accordo__piano__ciclo", "ente__registrazione__referente", "documento")
        .prefetch_related(
            Prefetch("risorse", queryset=RisorsaAdesione.objects.order_by("pk")),
            Prefetch("allegati", queryset=AllegatoAdesione.objects.order_by("pk")),
            Prefetch("aree", queryset=AreaIntervento.objects.order_by("ordine", "nome")),
            Prefetch("tavoli", queryset=Tavolo.objects.order_by("area__ordine", "nome")),
            Prefetch("eventi", queryset=EventoAdesione.objects.select_related("utente").order_by("quando", "pk")),
        )
        .get(pk=richiesta.pk)
    )


def _riepilogo_risorse(risorse) -> dict:
    """Resources with their value in euro, subtotals per kind and the total."""
    per_tipo: dict[str, int] = defaultdict(int)
    for r in risorse:
        r.valore_euro = euro(r.valore_centesimi)
        unita = selectors_adesioni.UNITA.get(r.tipo, "")
        r.quantita_testo = " ".join(x for x in (selectors_adesioni.quantita_leggibile(r.quantita), str(unita)) if x)
        per_tipo[r.tipo] += r.valore_centesimi
    etichette = dict(RisorsaAdesione.Tipo.choices)
    return {
        "righe": risorse,
        # subtotals only where they add something: a kind with more than one row
        "per_tipo": ([(etichette[t], euro(per_tipo[t])) for t in RisorsaAdesione.Tipo.values if t in per_tipo]
                     if 1 < len(per_tipo) < len(risorse) else []),
        "totale": euro(sum(per_tipo.values())),
        "denaro": euro(per_tipo.get(RisorsaAdesione.Tipo.DENARO, 0)),
    }


def _eventi(richiesta) -> list[EventoAdesione]:
    eventi = list(richiesta.eventi.all())
    for e in eventi:
        e.etichetta = selectors_adesioni.etichetta_azione(e.azione)
    return eventi


def _note_udp(eventi) -> list[EventoAdesione]:
    return [e for e in eventi if e.azione in AZIONI_CON_NOTA_UDP and e.nota]


def _url_accordo_pubblico(accordo_id) -> str | None:
    try:
        return reverse("accordi:accordo_pubblico", args=[accordo_id])
    except NoReverseMatch:  # the public pages are not there yet
        return None


# --- the body's side -------------------------------------------------------------------------------

@login_required
def area_ente(request):
    """The bodies the user represents, their requests and the Accordi they may adhere to."""
    enti = list(selectors_portale.enti_rappresentati(request.user))
    if not enti:
        raise Http404(_("Non rappresenti alcun ente del Terzo Settore."))
    richieste = list(selectors_adesioni.richieste_dell_utente(request.user)
                     .select_related("accordo__piano", "ente").order_by("-creata_il", "-pk"))
    for r in richieste:
        r.prossimo_passo = PROSSIMO_PASSO[r.stato]
    vive = {(r.accordo_id, r.ente_id): r for r in richieste if r.stato not in (S.RESPINTA, S.RITIRATA)}
    accordi = list(selectors_portale.accordi_aperti_adesioni())
    for accordo in accordi:
        accordo.per_ente = [(ente, vive.get((accordo.pk, ente.pk))) for ente in enti]
    return render(request, "accordi/adesioni/area_ente.html", {
        "enti": [(ente, [r for r in richieste if r.ente_id == ente.pk]) for ente in enti],
        "accordi": accordi,
    })


@login_required
@require_POST
def adesione_nuova(request, accordo_pk):
    accordo = get_object_or_404(AccordoDiProgramma, pk=accordo_pk)
    ente = next((e for e in selectors_portale.enti_rappresentati(request.user)
                 if str(e.pk) == request.POST.get("ente", "")), None)
    if ente is None:
        raise Http404(_("Ente non trovato."))
    richiesta = esegui(request, sa.richiesta_crea, accordo=accordo, ente=ente, utente=request.user,
                       successo=_("Richiesta di adesione creata come bozza: completala e inviala."))
    if not richiesta:
        return redirect("accordi:area_ente")
    return redirect("accordi:adesione", pk=richiesta.pk)


def _moduli(richiesta, dati=None, presenze=None):
    piano = richiesta.accordo.piano
    scelte = {"aree": [a.pk for a in richiesta.aree.all()], "tavoli": [t.pk for t in richiesta.tavoli.all()]}
    aree = AreaIntervento.objects.filter(
        Q(attiva=True) | Q(pk__in=scelte["aree"]), regione_id=piano.ciclo.regione_id).order_by("ordine", "nome")
    tavoli = Tavolo.objects.filter(piano=piano).select_related("area").order_by("area__ordine", "nome")
    form = RichiestaForm(dati, aree=aree, tavoli=tavoli, presenze=presenze, initial={
        "dichiarazione": richiesta.dichiarazione, "versione": richiesta.versione, **scelte})
    formset = RisorseFormSet(dati, prefix="risorse", initial=risorse_iniziali(richiesta.risorse.all()))
    return form, formset


def _pagina_ente(request, richiesta, *, form=None, formset=None, form_allegato=None, status=200):
    richiesta = _completa(richiesta)
    eventi = _eventi(richiesta)
    contesto = {
        "richiesta": richiesta, "accordo": richiesta.accordo, "piano": richiesta.accordo.piano,
        "ente": richiesta.ente, "prossimo_passo": PROSSIMO_PASSO[richiesta.stato],
        "note_udp": _note_udp(eventi), "eventi": eventi,
        "risorse": _riepilogo_risorse(list(richiesta.risorse.all())),
        "allegati": list(richiesta.allegati.all()),
        "aperta": richiesta.stato in (S.BOZZA, S.INVIATA, S.IN_ISTRUTTORIA, S.INTEGRAZIONE_RICHIESTA),
        "firma_demo": settings.PIANOZONA_FIRMA_DEMO,
    }
    if richiesta.modificabile:
        presenze = selectors_adesioni.presenze_dell_ente(richiesta)
        if form is None:
            form, formset = _moduli(richiesta, presenze=presenze)
        contesto.update({
            "form": form, "formset": formset, "form_allegato": form_allegato or AllegatoForm(),
            "mancanze": sa.mancanze_per_invio(richiesta), "max_allegato": max_allegato(),
        })
    if richiesta.documento_id and richiesta.stato in (S.ACCOLTA, S.SOTTOSCRITTA):
        documento = richiesta.documento
        contesto.update({
            "documento": documento,
            "puo_firmare": Firmatario.objects.filter(richiesta__documento=documento, utente=request.user).exists(),
        })
    if richiesta.stato == S.SOTTOSCRITTA:
        contesto["url_accordo_pubblico"] = _url_accordo_pubblico(richiesta.accordo_id)
    return render(request, "accordi/adesioni/adesione.html", contesto, status=status)


@login_required
def adesione(request, pk):
    """The body's page of its request; reviewers are sent to the review page."""
    richiesta, ruolo = _richiesta(request, pk)
    if ruolo != "ente":
        if request.method == "POST":
            raise PermissionDenied
        return redirect("accordi:adesione_esame", pk=richiesta.pk)
    if request.method != "POST":
        return _pagina_ente(request, richiesta)
    if not richiesta.modificabile:
        messages.error(request, _("La richiesta non è più modificabile: è nello stato «%(s)s».")
                       % {"s": richiesta.get_stato_display()})
        return redirect("accordi:adesione", pk=richiesta.pk)
    richiesta = _completa(richiesta)
    form, formset = _moduli(richiesta, request.POST, presenze=selectors_adesioni.presenze_dell_ente(richiesta))
    if not (form.is_valid() and formset.is_valid()):
        return _pagina_ente(request, richiesta, form=form, formset=formset, status=200)
    if form.cleaned_data["versione"] != richiesta.versione:
        # Someone else saved in between: keep this input on screen, with the current version so
        # that saving again is a deliberate choice.
        dati = request.POST.copy()
        dati["versione"] = str(richiesta.versione)
        form, formset = _moduli(richiesta, dati, presenze=selectors_adesioni.presenze_dell_ente(richiesta))
        form.is_valid()
        formset.is_valid()
        messages.warning(request, _("Nel frattempo qualcuno ha salvato un'altra versione della richiesta: i tuoi dati "
                                    "sono qui sotto ma non sono stati salvati. Controllali e salva di nuovo per "
                                    "sostituire quelli salvati."))
        return _pagina_ente(request, richiesta, form=form, formset=formset, status=409)
    fatto = esegui(request, sa.richiesta_aggiorna, richiesta=richiesta, utente=request.user,
                   dichiarazione=form.cleaned_data["dichiarazione"], aree=list(form.cleaned_data["aree"]),
                   tavoli=list(form.cleaned_data["tavoli"]), risorse=formset.risorse(),
                   versione=form.cleaned_data["versione"], successo=_("Modifiche salvate."))
    if not fatto:
        return _pagina_ente(request, richiesta, form=form, formset=formset, status=200)
    return redirect("accordi:adesione", pk=richiesta.pk)


@login_required
@require_POST
def adesione_invia(request, pk):
    richiesta = _del_ente(request, pk)
    esegui(request, sa.invia, richiesta=richiesta, utente=request.user, stato_atteso=_stato_atteso(request),
           successo=_("Richiesta inviata all'Ufficio di Piano: riceverai un'e-mail a ogni passaggio."))
    return redirect("accordi:adesione", pk=richiesta.pk)


@login_required
@require_POST
def adesione_integra(request, pk):
    richiesta = _del_ente(request, pk)
    esegui(request, sa.integra, richiesta=richiesta, utente=request.user, stato_atteso=_stato_atteso(request),
           successo=_("Integrazioni inviate: l'Ufficio di Piano riprende l'esame della richiesta."))
    return redirect("accordi:adesione", pk=richiesta.pk)


@login_required
@require_POST
def adesione_ritira(request, pk):
    richiesta = _del_ente(request, pk)
    form = RitiroForm(request.POST)
    nota = form.cleaned_data["nota"] if form.is_valid() else ""
    esegui(request, sa.ritira, richiesta=richiesta, utente=request.user, nota=nota,
           stato_atteso=_stato_atteso(request), successo=_("Richiesta ritirata."))
    return redirect("accordi:adesione", pk=richiesta.pk)


@login_required
@require_POST
def adesione_allegato(request, pk):
    richiesta = _del_ente(request, pk)
    form = AllegatoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _pagina_ente(request, richiesta, form_allegato=form)
    file = form.cleaned_data["file"]
    fatto = esegui(request, sa.allegato_aggiungi, richiesta=richiesta, utente=request.user,
                   tipo=form.cleaned_data["tipo"], nome_file=file.name, dati=file.read(),
                   successo=_("Allegato caricato."))
    return redirect(reverse("accordi:adesione", args=[richiesta.pk]) + ("#allegati" if fatto else "#carica-allegato"))


@login_required
@require_POST
def adesione_allegato_elimina(request, pk):
    allegato = get_object_or_404(AllegatoAdesione.objects.only("pk", "richiesta_id"), pk=pk)
    richiesta = _del_ente(request, allegato.richiesta_id)
    allegato.richiesta = richiesta
    esegui(request, sa.allegato_rimuovi, allegato=allegato, utente=request.user, successo=_("Allegato eliminato."))
    return redirect(reverse("accordi:adesione", args=[richiesta.pk]) + "#allegati")


@login_required
def adesione_allegato_scarica(request, pk):
    """The body and the plan's reviewers and readers download an attachment; nobody else learns
    it exists."""
    allegato = get_object_or_404(AllegatoAdesione, pk=pk)
    _richiesta(request, allegato.richiesta_id)
    risposta = FileResponse(allegato.file.open("rb"), as_attachment=True, filename=allegato.nome_originale,
                            content_type="application/pdf")
    risposta["X-Content-Type-Options"] = "nosniff"
    return risposta


# --- the review -------------------------------------------------------------------------------------

def _accordo_scelto(piano, scelta: str | None):
    """The plan's Accordo whose requests are shown: the one asked for, else the one open to
    adesioni, else the latest revision."""
    accordi = list(AccordoDiProgramma.objects.filter(piano=piano).order_by("-revisione"))
    if not accordi:
        return None, []
    scelto = next((a for a in accordi if str(a.pk) == (scelta or "")), None)
    if scelto is None:
        aperti = set(selectors_portale.accordi_aperti_adesioni().filter(piano=piano).values_list("pk", flat=True))
        scelto = next((a for a in accordi if a.pk in aperti), accordi[0])
    return scelto, accordi


@login_required
def adesioni_accordo(request, piano_pk):
    """The requests to the plan's Accordo, by state, for the Ufficio di Piano and the readers."""
    piano = _piano(piano_pk)
    ruoli = Ruoli(request.user, piano)
    if not ruoli.lettore:
        raise Http404(_("Piano non trovato."))
    accordo, accordi = _accordo_scelto(piano, request.GET.get("accordo"))
    contesto = {"piano": piano, "accordo": accordo, "accordi": accordi, "udp": ruoli.udp, "richieste": [],
                "conteggi": [], "totale": 0, "stato": ""}
    if accordo is not None:
        richieste, conteggi = selectors_adesioni.richieste_da_esaminare(accordo)
        stato = request.GET.get("stato", "")
        if stato in S.values and stato != S.BOZZA:
            richieste = richieste.filter(stato=stato)
            contesto["stato"] = stato
        gruppi = defaultdict(list)
        for r in richieste:
            r.valore_euro = euro(r.valore_totale)
            gruppi[r.stato].append(r)
        contesto.update({
            "gruppi": [(valore, etichetta, gruppi[valore]) for valore, etichetta in S.choices if gruppi.get(valore)],
            "conteggi": [(valore, etichetta, conteggi.get(valore, 0)) for valore, etichetta in S.choices
                         if valore != S.BOZZA],
            "totale": sum(n for s, n in conteggi.items() if s != S.BOZZA),
        })
    return render(request, "accordi/adesioni/adesioni_accordo.html", contesto)


def _presenze_dichiarate(presenze: dict) -> tuple[list[dict], list[dict]]:
    """The declared tavoli with what the attendance records say, and the tavoli the body
    attended without declaring them."""
    return ([p for p in presenze.values() if p["dichiarato"]],
            [p for p in presenze.values() if not p["dichiarato"] and p["confermato"]])


@login_required
def adesione_esame(request, pk):
    """The whole request for the Ufficio di Piano (with its actions) and the plan's readers."""
    richiesta, ruolo = _richiesta(request, pk)
    if ruolo == "ente":
        return redirect("accordi:adesione", pk=richiesta.pk)
    richiesta = _completa(richiesta)
    piano = richiesta.accordo.piano
    ente = richiesta.ente
    registrazione = getattr(ente, "registrazione", None)
    eventi = _eventi(richiesta)
    dichiarati, non_dichiarati = _presenze_dichiarate(selectors_adesioni.presenze_dell_ente(richiesta))
    azioni = []
    if ruolo == "udp":
        azioni = [{"nome": nome, **azione} for nome, azione in AZIONI.items() if azione["da"] == richiesta.stato]
    return render(request, "accordi/adesioni/esame.html", {
        "richiesta": richiesta, "accordo": richiesta.accordo, "piano": piano, "ente": ente,
        "registrazione": registrazione, "udp": ruolo == "udp", "azioni": azioni,
        "firmatario": selectors_adesioni.firmatario_atteso(richiesta),
        "prossimo_passo_udp": ATTESA_UDP.get(richiesta.stato, ""),
        "eventi": eventi, "note_udp": _note_udp(eventi),
        "risorse": _riepilogo_risorse(list(richiesta.risorse.all())), "allegati": list(richiesta.allegati.all()),
        "tavoli_dichiarati": dichiarati, "tavoli_non_dichiarati": non_dichiarati,
    })


@login_required
@require_POST
def adesione_azione(request, pk, nome):
    azione = AZIONI.get(nome)
    if azione is None:
        raise Http404
    richiesta, ruolo = _richiesta(request, pk)
    if ruolo != "udp":
        raise PermissionDenied
    form = AzioneForm(request.POST)
    url = reverse("accordi:adesione_esame", args=[richiesta.pk])
    if not form.is_valid():
        messages.error(request, _("Richiesta incompleta: ricarica la pagina e riprova."))
        return redirect(url)
    argomenti = {"nota": form.cleaned_data["nota"]} if azione["nota"] else {}
    fatto = esegui(request, getattr(sa, azione["funzione"]), richiesta=richiesta, utente=request.user,
                   stato_atteso=form.cleaned_data["stato_atteso"], successo=str(azione["successo"]), **argomenti)
    return redirect(url if fatto else url + f"#azione-{nome}")


# --- the desk and the plan page -----------------------------------------------------------------------

def scrivania(utente) -> dict:
    """The desk's blocks: the bodies the user represents with their requests; for the Ufficio
    di Piano, the requests waiting for it, per plan."""
    blocchi = {"enti": [], "da_esaminare": []}
    enti = list(selectors_portale.enti_rappresentati(utente))
    if enti:
        richieste = list(selectors_adesioni.richieste_dell_utente(utente)
                         .select_related("accordo__piano").order_by("-creata_il", "-pk"))
        blocchi["enti"] = [(ente, [r for r in richieste if r.ente_id == ente.pk]) for ente in enti]
    ambiti = ambiti_con_permesso(utente, "gestisci_piano")
    attesa = (RichiestaAdesione.objects
              .filter(accordo__piano__ambiti__in=ambiti, stato__in=[S.INVIATA, S.IN_ISTRUTTORIA])
              .values("accordo__piano_id", "accordo__piano__titolo")
              .annotate(inviate=Count("pk", filter=Q(stato=S.INVIATA), distinct=True),
                        in_istruttoria=Count("pk", filter=Q(stato=S.IN_ISTRUTTORIA), distinct=True))
              .order_by("accordo__piano__titolo"))
    blocchi["da_esaminare"] = [
        {"piano_id": r["accordo__piano_id"], "titolo": r["accordo__piano__titolo"], "inviate": r["inviate"],
         "in_istruttoria": r["in_istruttoria"]} for r in attesa]
    return blocchi


def riepilogo_del_piano(piano, permessi) -> dict | None:
    """For the plan page: how many requests its Accordi received, by state (one query); None
    for who may not read them, or before the Accordo opens for signature."""
    if piano.stato not in (Stato.SOTTOSCRIZIONE, Stato.VIGENTE, Stato.CONCLUSO) and not piano.vigente_dal:
        return None
    ambiti = list(piano.ambiti.all())
    if not (permessi.ha_su_alcuno("gestisci_piano", ambiti) or permessi.ha_su_alcuno("consulta_ambito", ambiti)
            or permessi.consulta_regione(piano.ciclo.regione_id)):
        return None
    conteggi = dict(RichiestaAdesione.objects.filter(accordo__piano=piano).exclude(stato=S.BOZZA)
                    .values_list("stato").annotate(n=Count("pk")).order_by())
    return {"da_esaminare": conteggi.get(S.INVIATA, 0) + conteggi.get(S.IN_ISTRUTTORIA, 0),
            "totale": sum(conteggi.values()), "aderenti": conteggi.get(S.SOTTOSCRITTA, 0)}
