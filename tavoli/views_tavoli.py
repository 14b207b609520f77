"""Pages of the tavoli tematici: the plan's tavoli, a tavolo with its members, focus-groups,
sessions and log, a session with its attendance and contributions, and the minutes editor.

Thin: object permission (``services_tavoli``), form, service, message. A refused permission
is a 403; any other refusal is an Italian message and the page is shown again with what the
user typed, so nothing is lost."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ambiti.exceptions import IterError, PermessoNegato, StatoCambiato
from ambiti.models import Ente
from ambiti.ruoli import Permessi

from . import selectors_tavoli as sel
from . import services_contributi as sc
from . import services_membri_tavolo as sm
from . import services_sedute_tavolo as sst
from . import services_tavoli as st
from . import services_verbali as sv
from .forms_tavoli import (
    AdesioneForm,
    ApprovazioneForm,
    BisognoForm,
    FocusGroupForm,
    FocusGroupMembriForm,
    InvitoForm,
    OffertaForm,
    OspitiFormSet,
    OsservazioneForm,
    PresenzeForm,
    PropostaForm,
    SedutaTavoloForm,
    TavoloForm,
    TavoloModificaForm,
    VerbaleForm,
)
from .models import Bisogno, FocusGroup, MembroTavolo, Proposta, SedutaTavolo, Tavolo, UnitaOfferta, VerbaleTavolo
from .views import _esegui

M = MembroTavolo.Stato
S = SedutaTavolo.Stato
V = VerbaleTavolo.Stato


# --- loading with object permission ----------------------------------------------------------

def _piano_o_404(pk):
    piano = sel.piano_dettaglio(pk)
    if piano is None:
        raise Http404(_("Piano non trovato."))
    return piano


def _tavolo_o_404(pk) -> Tavolo:
    tavolo = sel.tavolo_dettaglio(pk)
    if tavolo is None:
        raise Http404(_("Tavolo non trovato."))
    return tavolo


def _tavolo_leggibile(request, pk) -> Tavolo:
    tavolo = _tavolo_o_404(pk)
    if not st.puo_leggere(request.user, tavolo):
        raise PermissionDenied
    return tavolo


def _tavolo_coordinabile(request, pk) -> Tavolo:
    tavolo = _tavolo_o_404(pk)
    if not st.puo_coordinare(request.user, tavolo):
        raise PermissionDenied
    return tavolo


def _seduta_leggibile(request, pk) -> SedutaTavolo:
    seduta = sel.seduta_dettaglio(pk)
    if seduta is None:
        raise Http404(_("Seduta non trovata."))
    if not st.puo_leggere(request.user, seduta.tavolo):
        raise PermissionDenied
    return seduta


def _indietro(request, predefinito: str) -> str:
    """The page the user came from (a ``next`` field of the form), if it is ours."""
    prossimo = request.POST.get("next", "")
    if prossimo and url_has_allowed_host_and_scheme(prossimo, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return prossimo
    return predefinito


def _url(nome: str, pk: int, ancora: str = "") -> str:
    return reverse(f"tavoli:{nome}", args=[pk]) + (f"#{ancora}" if ancora else "")


def _nome(utente) -> str:
    return utente.get_full_name() or utente.get_username()


# --- the plan's tavoli -----------------------------------------------------------------------

CHIEDIBILE = (None, M.RIFIUTATO, M.DECLINATO, M.USCITO)


@login_required
def tavoli_piano(request, piano_pk):
    piano = _piano_o_404(piano_pk)
    if not sel.legge_piano(request.user, piano):
        raise PermissionDenied
    partecipa = Permessi(request.user).ha_su_alcuno("partecipa_tavoli", piano.ambiti.all())
    stati = sel.stati_utente_nei_tavoli(request.user, piano)
    tavoli = list(sel.tavoli_del_piano(piano))
    for t in tavoli:
        t.mio_stato = stati.get(t.pk)
        t.mio_stato_display = M(t.mio_stato).label if t.mio_stato else ""
        t.puo_chiedere = (partecipa and t.attivo and t.coordinatore_id != request.user.pk
                          and t.mio_stato in CHIEDIBILE)
    return render(request, "tavoli/tavoli/tavoli_piano.html", {
        "piano": piano, "tavoli": tavoli,
        "gestisce": st.puo_gestire(request.user, piano),
        "nuovi_tavoli": piano.stato in sel.STATI_PIANO_CON_NUOVI_TAVOLI,
    })


@login_required
def tavolo_nuovo(request, piano_pk):
    piano = _piano_o_404(piano_pk)
    if not st.puo_gestire(request.user, piano):
        raise PermissionDenied
    aree = sel.aree_queryset(st.aree_della_regione(piano.ciclo.regione)).exclude(tavoli__piano=piano)
    form = TavoloForm(request.POST or None, aree=aree, utenti=sel.utenti_del_piano(piano),
                      enti=sel.enti_del_piano(piano))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        tavolo = _esegui(request, st.tavolo_crea, _("Tavolo costituito: ora invita i componenti."),
                         piano=piano, area=d["area"], coordinatore=d["coordinatore"], utente=request.user,
                         nome=d["nome"], mandato=d["mandato"], ente_coordinatore=d["ente_coordinatore"])
        if tavolo:
            return redirect("tavoli:tavolo", pk=tavolo.pk)
    return render(request, "tavoli/tavoli/tavolo_form.html", {"piano": piano, "form": form, "nuovo": True})


@login_required
def tavolo_modifica(request, pk):
    tavolo = _tavolo_coordinabile(request, pk)
    gestisce = st.puo_gestire(request.user, tavolo.piano)
    riga_coordinatore = MembroTavolo.objects.filter(tavolo=tavolo, utente_id=tavolo.coordinatore_id).first()
    iniziale = {"nome": tavolo.nome, "mandato": tavolo.mandato, "coordinatore": tavolo.coordinatore_id,
                "ente_coordinatore": riga_coordinatore.ente_id if riga_coordinatore else None,
                "chiuso": not tavolo.attivo}
    form = TavoloModificaForm(request.POST or None, initial=iniziale,
                              utenti=sel.utenti_del_piano(tavolo.piano) if gestisce else None,
                              enti=sel.enti_del_piano(tavolo.piano) if gestisce else None)
    if request.method == "POST" and form.is_valid():
        campi = {k: v for k, v in form.cleaned_data.items() if k in form.fields}
        if _esegui(request, st.tavolo_modifica, _("Tavolo aggiornato."), tavolo=tavolo, utente=request.user, **campi):
            return redirect("tavoli:tavolo", pk=tavolo.pk)
    return render(request, "tavoli/tavoli/tavolo_form.html", {"piano": tavolo.piano, "tavolo": tavolo, "form": form})


# --- a tavolo ----------------------------------------------------------------------------------

def _contesto_tavolo(request, tavolo: Tavolo, **moduli) -> dict:
    """What the tavolo page shows to this user. Readers see everything; an invited person or
    one who may ask to join sees the mandate and the forms that concern them."""
    utente = request.user
    legge = st.puo_leggere(utente, tavolo)
    mio = sel.membro_di(utente, tavolo)
    chiede = st.puo_chiedere_adesione(utente, tavolo)
    if not (legge or chiede or (mio is not None and mio.stato in (M.INVITATO, M.RICHIESTA))):
        raise PermissionDenied
    coordina = legge and st.puo_coordinare(utente, tavolo)
    ctx = {"tavolo": tavolo, "piano": tavolo.piano, "legge": legge, "coordina": coordina, "mio": mio,
           "puo_chiedere": chiede, "gestisce": coordina and st.puo_gestire(utente, tavolo.piano)}
    if legge:
        membri = sel.membri(tavolo)
        ctx.update({
            "membri": membri,
            "attivi": [m for m in membri if m.stato == M.ATTIVO],
            "in_attesa": [m for m in membri if m.stato in (M.RICHIESTA, M.INVITATO)],
            "passati": [m for m in membri if m.stato in (M.RIFIUTATO, M.DECLINATO, M.USCITO)],
            "membro_coordinatore": next((m for m in membri if m.utente_id == tavolo.coordinatore_id), None),
            "focus_group": sel.focus_group_del_tavolo(tavolo),
            "sedute": list(sel.sedute_del_tavolo(tavolo)),
            "eventi": sel.eventi_del_tavolo(tavolo),
        })
    if coordina and tavolo.attivo:
        ctx["form_invito"] = moduli.get("form_invito") or InvitoForm(
            utenti=sel.utenti_invitabili(tavolo), enti=sel.enti_del_piano(tavolo.piano))
    if chiede:
        ctx["form_adesione"] = moduli.get("form_adesione") or AdesioneForm(enti=sel.enti_dell_utente(utente))
    return ctx


@login_required
def tavolo(request, pk):
    tavolo = _tavolo_o_404(pk)
    return render(request, "tavoli/tavoli/tavolo.html", _contesto_tavolo(request, tavolo))


@login_required
@require_POST
def membro_invita(request, pk):
    tavolo = _tavolo_coordinabile(request, pk)
    form = InvitoForm(request.POST, utenti=sel.utenti_invitabili(tavolo), enti=sel.enti_del_piano(tavolo.piano))
    if form.is_valid():
        d = form.cleaned_data
        membro = _esegui(request, sm.membro_invita, None, tavolo=tavolo, invitato=d["invitato"], ente=d["ente"],
                         utente=request.user)
        if membro:
            messages.success(request, _("Invito inviato a %(p)s: risponderà dalla sua scrivania.")
                             % {"p": _nome(d["invitato"])})
            return redirect(_url("tavolo", tavolo.pk, "componenti"))
    return render(request, "tavoli/tavoli/tavolo.html", _contesto_tavolo(request, tavolo, form_invito=form))


@login_required
@require_POST
def adesione_chiedi(request, pk):
    tavolo = _tavolo_o_404(pk)
    if not (st.puo_chiedere_adesione(request.user, tavolo) or st.puo_leggere(request.user, tavolo)):
        raise PermissionDenied
    form = AdesioneForm(request.POST, enti=sel.enti_dell_utente(request.user))
    if form.is_valid():
        d = form.cleaned_data
        if _esegui(request, sm.adesione_chiedi, _("Richiesta inviata: il coordinatore del tavolo la valuterà."),
                   tavolo=tavolo, utente=request.user, ente=d["ente"], messaggio=d["messaggio"]):
            return redirect("tavoli:tavolo", pk=tavolo.pk)
    return render(request, "tavoli/tavoli/tavolo.html", _contesto_tavolo(request, tavolo, form_adesione=form))


AZIONI_INVITATO = {
    "accetta-invito": (True, _lazy("Invito accettato: ora sei componente del tavolo.")),
    "declina-invito": (False, _lazy("Invito declinato.")),
}
AZIONI_COORDINATORE = {
    "ammetti": _lazy("%(p)s è ora componente del tavolo."),
    "rifiuta": _lazy("La richiesta di %(p)s non è stata accolta."),
    "rimuovi": _lazy("%(p)s non è più componente del tavolo."),
}


@login_required
@require_POST
def membro_azione(request, pk, azione):
    membro = get_object_or_404(MembroTavolo.objects.select_related("utente", "ente"), pk=pk)
    tavolo = _tavolo_o_404(membro.tavolo_id)
    pagina = _url("tavolo", tavolo.pk, "componenti")
    if azione in AZIONI_INVITATO:
        if membro.utente_id != request.user.pk:
            raise PermissionDenied
        accetta, successo = AZIONI_INVITATO[azione]
        if _esegui(request, sm.invito_rispondi, str(successo), membro=membro, utente=request.user, accetta=accetta):
            return redirect(_indietro(request, pagina if accetta else reverse("accordi:home")))
        return redirect(_indietro(request, pagina))
    if azione not in AZIONI_COORDINATORE:
        raise Http404
    if not st.puo_coordinare(request.user, tavolo):
        raise PermissionDenied
    motivo = request.POST.get("motivo", "").strip()
    successo = str(AZIONI_COORDINATORE[azione]) % {"p": _nome(membro.utente)}
    if azione == "rimuovi":
        _esegui(request, sm.membro_rimuovi, successo, membro=membro, utente=request.user, motivo=motivo)
    else:
        _esegui(request, sm.adesione_decidi, successo, membro=membro, utente=request.user,
                accetta=azione == "ammetti", motivo=motivo)
    return redirect(_indietro(request, pagina))


# --- focus-groups ----------------------------------------------------------------------------

@login_required
def focus_group_nuovo(request, pk):
    tavolo = _tavolo_coordinabile(request, pk)
    form = FocusGroupForm(request.POST or None, membri=sel.membri_attivi(tavolo))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fg = _esegui(request, st.focus_group_crea, _("Focus-group costituito."), tavolo=tavolo, nome=d["nome"],
                     tema=d["tema"], referente=d["referente"], membri=list(d["membri"]), utente=request.user)
        if fg:
            return redirect("tavoli:focus_group", pk=fg.pk)
    return render(request, "tavoli/tavoli/focus_group_form.html", {"tavolo": tavolo, "piano": tavolo.piano,
                                                                    "form": form})


@login_required
def focus_group(request, pk):
    fg = sel.focus_group_dettaglio(pk)
    if fg is None:
        raise Http404(_("Focus-group non trovato."))
    tavolo = fg.tavolo
    if not st.puo_leggere(request.user, tavolo):
        raise PermissionDenied
    coordina = st.puo_coordinare(request.user, tavolo)
    form = None
    if coordina:
        iniziale = {"membri": [m.pk for m in fg.membri.all()]}
        form = FocusGroupMembriForm(request.POST or None, initial=iniziale, membri=sel.membri_attivi(tavolo))
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        if _esegui(request, st.focus_group_membri, _("Componenti del focus-group aggiornati."), focus_group=fg,
                   membri=list(form.cleaned_data["membri"]), utente=request.user):
            return redirect("tavoli:focus_group", pk=fg.pk)
    return render(request, "tavoli/tavoli/focus_group.html", {
        "fg": fg, "tavolo": tavolo, "piano": tavolo.piano, "coordina": coordina, "form": form,
        "sedute": list(sel.sedute_del_tavolo(tavolo, focus_group=fg)),
    })


# --- sessions ------------------------------------------------------------------------------

@login_required
def seduta_tavolo_nuova(request, pk):
    tavolo = _tavolo_coordinabile(request, pk)
    gruppi = FocusGroup.objects.filter(tavolo=tavolo).order_by("nome")
    iniziale = {}
    if request.GET.get("focus_group", "").isdigit():
        iniziale["focus_group"] = int(request.GET["focus_group"])
    form = SedutaTavoloForm(request.POST or None, initial=iniziale, focus_group=gruppi)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        seduta = _esegui(request, sst.seduta_crea, _("Seduta preparata: controlla i dati e convocala."),
                         tavolo=tavolo, utente=request.user, data=d["data"], ordine_del_giorno=d["ordine_del_giorno"],
                         luogo=d["luogo"], collegamento=d["collegamento"], durata_minuti=d["durata_minuti"],
                         focus_group=d.get("focus_group"))
        if seduta:
            return redirect("tavoli:seduta_tavolo", pk=seduta.pk)
    return render(request, "tavoli/tavoli/seduta_form.html", {"tavolo": tavolo, "piano": tavolo.piano, "form": form})


def _moduli_contributo(seduta: SedutaTavolo, utente, coordina: bool, mio: MembroTavolo | None) -> dict:
    """The three 'Aggiungi' forms with their choices; the need's area defaults to the tavolo's
    and its body to the member's. A member records in the name of their own body; the
    coordinator and the Ufficio di Piano may name any body of the plan."""
    piano = seduta.tavolo.piano
    regione = piano.ciclo.regione
    comuni = sel.comuni_del_piano(piano)
    enti = sel.enti_del_piano(piano)
    if not coordina:
        enti = Ente.objects.filter(pk=mio.ente_id if mio else None)
    return {
        "bisogno": lambda dati=None, **kw: BisognoForm(
            dati, aree=sel.aree_queryset(st.aree_della_regione(regione)), comuni=comuni, enti=enti, **kw),
        "offerta": lambda dati=None, **kw: OffertaForm(dati, tipi=sel.tipi_offerta(regione), comuni=comuni,
                                                       enti=enti, **kw),
        "proposta": lambda dati=None, **kw: PropostaForm(dati, bisogni=sel.bisogni_della_seduta(seduta), **kw),
    }


def _contesto_seduta(request, seduta: SedutaTavolo, **moduli) -> dict:
    utente = request.user
    tavolo = seduta.tavolo
    coordina = st.puo_coordinare(utente, tavolo)
    contribuisce = st.puo_contribuire(utente, seduta)
    verbale = sel.verbale_di(seduta)
    approvato = verbale is not None and verbale.stato == V.APPROVATO
    contributi = sel.contributi(seduta)
    for lista in contributi.values():
        for c in lista:
            c.modificabile = not approvato and (coordina or c.registrato_da_id == utente.pk)
    iniziata = seduta.data <= timezone.now()
    ctx = {
        "seduta": seduta, "tavolo": tavolo, "piano": tavolo.piano, "verbale": verbale, "approvato": approvato,
        "coordina": coordina, "contribuisce": contribuisce and not approvato, "iniziata": iniziata,
        "presenze": sel.presenze(seduta), **contributi,
        "puo_convocare": coordina and seduta.stato == S.BOZZA,
        "puo_annullare": coordina and seduta.stato in (S.BOZZA, S.CONVOCATA),
        "registro": None,
    }
    if coordina and iniziata and seduta.stato != S.ANNULLATA and not approvato:
        convocabili = sel.convocabili(seduta)
        form_presenze = moduli.get("form_presenze")
        if form_presenze is not None:
            scelti = {str(v) for v in request.POST.getlist("membri")}
            ospiti = moduli["formset_ospiti"]
        else:
            scelti = {str(p.membro_id) for p in ctx["presenze"] if p.membro_id}
            ospiti = OspitiFormSet(prefix="ospiti", initial=[
                {"nominativo": p.nominativo, "ente_nome": p.per_ente} for p in ctx["presenze"] if not p.membro_id])
        ctx["registro"] = [{"membro": m, "presente": str(m.pk) in scelti} for m in convocabili]
        ctx["formset_ospiti"] = ospiti
        ctx["errori_presenze"] = form_presenze.errors if form_presenze is not None else None
    if ctx["contribuisce"]:
        mio = st.membro_attivo(utente, tavolo)
        costruttori = _moduli_contributo(seduta, utente, coordina, mio)
        ctx["form_bisogno"] = moduli.get("form_bisogno") or costruttori["bisogno"](
            initial={"area": tavolo.area_id, "ente": mio.ente_id if mio else None})
        ctx["form_offerta"] = moduli.get("form_offerta") or costruttori["offerta"]()
        ctx["form_proposta"] = moduli.get("form_proposta") or costruttori["proposta"]()
    return ctx


@login_required
def seduta_tavolo(request, pk):
    seduta = _seduta_leggibile(request, pk)
    return render(request, "tavoli/tavoli/seduta.html", _contesto_seduta(request, seduta))


AZIONI_SEDUTA = {
    "convoca": (sst.seduta_convoca, _lazy("Seduta convocata: i componenti ricevono la convocazione con l'invito "
                                          "per il calendario.")),
    "annulla": (sst.seduta_annulla, _lazy("Seduta annullata: i componenti ricevono l'avviso.")),
}


@login_required
@require_POST
def seduta_tavolo_azione(request, pk, azione):
    seduta = _seduta_leggibile(request, pk)
    if azione not in AZIONI_SEDUTA:
        raise Http404
    if not st.puo_coordinare(request.user, seduta.tavolo):
        raise PermissionDenied
    funzione, successo = AZIONI_SEDUTA[azione]
    kwargs = {"seduta": seduta, "utente": request.user, "stato_atteso": request.POST.get("stato_atteso") or None}
    if azione == "annulla":
        kwargs["motivo"] = request.POST.get("motivo", "").strip()
    _esegui(request, funzione, str(successo), **kwargs)
    return redirect("tavoli:seduta_tavolo", pk=seduta.pk)


@login_required
@require_POST
def presenze_tavolo(request, pk):
    seduta = _seduta_leggibile(request, pk)
    if not st.puo_coordinare(request.user, seduta.tavolo):
        raise PermissionDenied
    convocabili = sel.convocabili(seduta)
    form = PresenzeForm(request.POST, membri=MembroTavolo.objects.filter(pk__in=[m.pk for m in convocabili]))
    ospiti = OspitiFormSet(request.POST, prefix="ospiti")
    if form.is_valid() and ospiti.is_valid():
        righe = [{"nominativo": f.cleaned_data["nominativo"].strip(), "ente_nome": f.cleaned_data["ente_nome"].strip()}
                 for f in ospiti if f.cleaned_data.get("nominativo", "").strip()]
        if _esegui(request, sst.presenze_registra, _("Registro delle presenze salvato."), seduta=seduta,
                   utente=request.user, membri=list(form.cleaned_data["membri"]), ospiti=righe):
            return redirect(_url("seduta_tavolo", seduta.pk, "presenze"))
    elif not form.is_valid():
        messages.error(request, _("Il registro indica una persona che non è componente: ricarica la pagina."))
    return render(request, "tavoli/tavoli/seduta.html",
                  _contesto_seduta(request, seduta, form_presenze=form, formset_ospiti=ospiti))


# --- contributions -------------------------------------------------------------------------

CONTRIBUTI = {
    "bisogno": (Bisogno, sc.bisogno_registra, _lazy("Bisogno registrato."), "bisogni"),
    "offerta": (UnitaOfferta, sc.offerta_registra, _lazy("Unità di offerta registrata."), "offerta"),
    "proposta": (Proposta, sc.proposta_registra, _lazy("Proposta registrata."), "proposte"),
}


def _campi_servizio(form) -> dict:
    """The form's data as the services take it (many-to-many choices as lists)."""
    return {k: (list(v) if isinstance(v, QuerySet) else v) for k, v in form.cleaned_data.items()}


@login_required
@require_POST
def contributo_nuovo(request, pk, tipo):
    if tipo not in CONTRIBUTI:
        raise Http404
    seduta = _seduta_leggibile(request, pk)
    if not st.puo_contribuire(request.user, seduta):
        raise PermissionDenied
    _modello, funzione, successo, ancora = CONTRIBUTI[tipo]
    coordina = st.puo_coordinare(request.user, seduta.tavolo)
    mio = st.membro_attivo(request.user, seduta.tavolo)
    form = _moduli_contributo(seduta, request.user, coordina, mio)[tipo](request.POST)
    if form.is_valid():
        if _esegui(request, funzione, str(successo), seduta=seduta, utente=request.user, **_campi_servizio(form)):
            return redirect(_url("seduta_tavolo", seduta.pk, ancora))
    return render(request, "tavoli/tavoli/seduta.html",
                  _contesto_seduta(request, seduta, **{f"form_{tipo}": form}))


def _valori_attuali(contributo, form) -> dict:
    valori = {}
    for nome in form.fields:
        valore = getattr(contributo, nome)
        if hasattr(valore, "all"):
            valore = [o.pk for o in valore.all()]
        elif hasattr(valore, "pk"):
            valore = valore.pk
        valori[nome] = valore
    return valori


@login_required
def contributo_modifica(request, tipo, pk):
    if tipo not in CONTRIBUTI:
        raise Http404
    modello, _funzione, _successo, ancora = CONTRIBUTI[tipo]
    contributo = get_object_or_404(modello, pk=pk)
    seduta = _seduta_leggibile(request, contributo.seduta_id)
    verbale = sel.verbale_di(seduta)
    coordina = st.puo_coordinare(request.user, seduta.tavolo)
    if not (contributo.registrato_da_id == request.user.pk or coordina):
        raise PermissionDenied
    if verbale is not None and verbale.stato == V.APPROVATO:
        messages.error(request, _("Il verbale della seduta è approvato: i contributi non si modificano più."))
        return redirect(_url("seduta_tavolo", seduta.pk, ancora))
    mio = st.membro_attivo(request.user, seduta.tavolo)
    costruttore = _moduli_contributo(seduta, request.user, coordina, mio)[tipo]
    form = costruttore(request.POST if request.method == "POST" else None, prefix=f"{tipo}-{contributo.pk}")
    if request.method != "POST":
        form = costruttore(initial=_valori_attuali(contributo, form), prefix=f"{tipo}-{contributo.pk}")
    elif form.is_valid():
        if _esegui(request, sc.contributo_modifica, _("Contributo aggiornato."), contributo=contributo,
                   utente=request.user, **_campi_servizio(form)):
            return redirect(_url("seduta_tavolo", seduta.pk, ancora))
    return render(request, "tavoli/tavoli/contributo_form.html", {
        "seduta": seduta, "tavolo": seduta.tavolo, "piano": seduta.tavolo.piano, "form": form,
        "contributo": contributo, "tipo": tipo, "ancora": ancora,
    })


# --- minutes -------------------------------------------------------------------------------

def _punti(verbale: VerbaleTavolo, seduta: SedutaTavolo) -> list[str]:
    """The agenda items as the minutes recorded them (the agenda, if the minutes have none)."""
    voci = [v.get("punto", "") for v in (verbale.discussione or [])]
    return voci or seduta.punti


def _contesto_verbale(request, seduta: SedutaTavolo, verbale: VerbaleTavolo | None, **moduli) -> dict:
    utente = request.user
    tavolo = seduta.tavolo
    coordina = st.puo_coordinare(utente, tavolo)
    ctx = {"seduta": seduta, "tavolo": tavolo, "piano": tavolo.piano, "verbale": verbale, "coordina": coordina,
           "presenze": sel.presenze(seduta), **sel.contributi(seduta)}
    if verbale is None:
        return ctx
    mio = st.membro_attivo(utente, tavolo)
    ctx["visibile"] = coordina or verbale.stato != V.BOZZA
    ctx["modificabile"] = coordina and verbale.modificabile
    if ctx["modificabile"]:
        form = moduli.get("form") or VerbaleForm(initial=VerbaleForm.iniziale(verbale), punti=_punti(verbale, seduta))
        ctx["form"] = form
        ctx["form_approva"] = moduli.get("form_approva") or ApprovazioneForm(sedute=sel.sedute_per_approvazione(seduta))
    else:
        ctx["discussione"] = verbale.discussione or []
    if coordina:
        ctx["osservazioni"] = sel.osservazioni(verbale)
    elif mio is not None:
        ctx["osservazioni"] = sel.osservazioni(verbale, autore=utente)
    if mio is not None and not coordina and verbale.stato == V.IN_CIRCOLAZIONE:
        ctx["form_osservazione"] = moduli.get("form_osservazione") or OsservazioneForm()
    ctx["altrui"] = moduli.get("altrui")
    return ctx


def _salva_e(azione: str, *, verbale, utente, form, form_approva, stato_atteso: str | None):
    """Save the editor's text and, in the same transaction, make the transition the user asked
    for: if the transition is refused, the text is not half-saved either."""
    with transaction.atomic():
        d = form.cleaned_data
        verbale = sv.verbale_salva(verbale=verbale, utente=utente, versione=d["versione"],
                                   discussione=form.discussione(), decisioni=d["decisioni"],
                                   prossimi_passi=d["prossimi_passi"])
        if azione == "invia":
            verbale = sv.verbale_invia(verbale=verbale, utente=utente, stato_atteso=stato_atteso)
        elif azione == "riapri":
            verbale = sv.verbale_riapri(verbale=verbale, utente=utente, stato_atteso=stato_atteso)
        elif azione == "approva":
            a = form_approva.cleaned_data
            verbale = sv.verbale_approva(
                verbale=verbale, utente=utente, modalita=a["modalita"], stato_atteso=stato_atteso,
                seduta_approvazione=a["seduta_approvazione"] if a["modalita"] == VerbaleTavolo.Approvazione.SEDUTA
                else None)
    return verbale


ESITI_VERBALE = {
    "salva": _lazy("Verbale salvato."),
    "invia": _lazy("Verbale salvato e inviato ai componenti per le osservazioni."),
    "riapri": _lazy("Verbale salvato e riaperto: puoi modificarlo e inviarlo di nuovo."),
    "approva": _lazy("Verbale approvato: l'atto in PDF è in preparazione."),
}


@login_required
def verbale_tavolo(request, pk):
    seduta = _seduta_leggibile(request, pk)
    utente = request.user
    coordina = st.puo_coordinare(utente, seduta.tavolo)
    verbale = sel.verbale_di(seduta)
    if verbale is None and coordina and seduta.stato == S.SVOLTA:
        verbale = _esegui(request, sv.verbale_garantisci, None, seduta=seduta, utente=utente) or None
    if request.method != "POST":
        return render(request, "tavoli/tavoli/verbale.html", _contesto_verbale(request, seduta, verbale))
    if verbale is None:
        raise PermissionDenied
    azione = request.POST.get("azione", "")
    pagina = reverse("tavoli:verbale_tavolo", args=[seduta.pk])

    if azione == "osserva":
        if st.membro_attivo(utente, seduta.tavolo) is None:
            raise PermissionDenied
        form_oss = OsservazioneForm(request.POST)
        if form_oss.is_valid() and _esegui(request, sv.osservazione_aggiungi,
                                           _("Osservazione inviata a chi redige il verbale."),
                                           verbale=verbale, utente=utente, testo=form_oss.cleaned_data["testo"]):
            return redirect(pagina)
        return render(request, "tavoli/tavoli/verbale.html",
                      _contesto_verbale(request, seduta, verbale, form_osservazione=form_oss))

    if not coordina:
        raise PermissionDenied
    if azione not in ESITI_VERBALE:
        raise Http404
    form = VerbaleForm(request.POST, punti=_punti(verbale, seduta))
    form_approva = ApprovazioneForm(request.POST if azione == "approva" else None,
                                    sedute=sel.sedute_per_approvazione(seduta))
    altrui = None
    if form.is_valid() and (azione != "approva" or form_approva.is_valid()):
        try:
            _salva_e(azione, verbale=verbale, utente=utente, form=form, form_approva=form_approva,
                     stato_atteso=request.POST.get("stato_atteso") or None)
        except PermessoNegato as exc:
            raise PermissionDenied(str(exc)) from exc
        except StatoCambiato as exc:
            for m in exc.messaggi:
                messages.error(request, m)
            # Keep the user's text; show what the other person saved and take their version as
            # the base, so that saving again is a deliberate choice.
            altrui = VerbaleTavolo.objects.select_related("redatto_da").get(pk=verbale.pk)
            dati = request.POST.copy()
            dati["versione"] = str(altrui.versione)
            form = VerbaleForm(dati, punti=_punti(verbale, seduta))
            form.is_valid()
            verbale = altrui
        except IterError as exc:
            for m in exc.messaggi:
                messages.error(request, m)
        else:
            messages.success(request, str(ESITI_VERBALE[azione]))
            return redirect(pagina)
    return render(request, "tavoli/tavoli/verbale.html", _contesto_verbale(
        request, seduta, verbale, form=form, form_approva=form_approva, altrui=altrui))
