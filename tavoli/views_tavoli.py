"""Pages of the tavoli tematici: the plan's tavoli, a tavolo with its members, focus-groups,
sessions and log. Sessions, attendance and contributions are in ``views_sedute_tavolo``, the
minutes editor in ``views_verbali``; both load their objects through the helpers below.

Thin: object permission (``services_tavoli``), form, service, message. A refused permission
is a 403; any other refusal is an Italian message and the page is shown again with what the
user typed, so nothing is lost."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ambiti.ruoli import Permessi
from ambiti.viste import esegui as _esegui

from . import selectors_tavoli as sel
from . import services_membri_tavolo as sm
from . import services_tavoli as st
from .forms_tavoli import (
    AdesioneForm,
    FocusGroupForm,
    FocusGroupMembriForm,
    InvitoForm,
    TavoloForm,
    TavoloModificaForm,
)
from .models import MembroTavolo, SedutaTavolo, Tavolo

M = MembroTavolo.Stato


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
