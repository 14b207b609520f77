"""Pages of a tavolo's sessions: preparing one, convening or cancelling it, its attendance
register, and the contributions recorded there (needs, offer, proposals) with their edits.
Thin, as the other tavoli pages (see ``views_tavoli``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ambiti.models import Ente
from ambiti.viste import esegui as _esegui

from . import selectors_tavoli as sel
from . import services_contributi as sc
from . import services_sedute_tavolo as sst
from . import services_tavoli as st
from .forms_tavoli import (
    BisognoForm,
    OffertaForm,
    OspitiFormSet,
    PresenzeForm,
    PropostaForm,
    SedutaTavoloForm,
)
from .models import Bisogno, FocusGroup, MembroTavolo, Proposta, SedutaTavolo, UnitaOfferta, VerbaleTavolo
from .views_tavoli import _seduta_leggibile, _tavolo_coordinabile, _url

S = SedutaTavolo.Stato
V = VerbaleTavolo.Stato


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
