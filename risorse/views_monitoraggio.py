"""Pages of the monitoring of a plan: the overview of objectives, actions and indicators with
their progress, an indicator's measurements, the year's implementation grid and the yearly
report. Every reader of the plan reads them; only the Ufficio di Piano writes (403 for anyone
else who posts). Thin: rules in ``services_monitoraggio``, reads in
``selectors_monitoraggio``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accordi import selectors
from accordi.models import PianoDiZona
from ambiti.viste import esegui
from ambiti.viste import esegui_nel_modulo as _salva

from . import selectors_monitoraggio as sm
from . import services_monitoraggio as servizi
from .forms_monitoraggio import AttuazioneForm, GeneraForm, MisurazioneForm, SintesiForm


def _piano_o_404(request, piano_pk) -> PianoDiZona:
    piano = selectors.piano_per_utente(request.user, piano_pk)
    if piano is None:
        raise Http404(_("Piano non trovato."))
    return piano


def _contesto(request, piano: PianoDiZona, relazione: bool = False) -> dict:
    """Who writes and, when nothing can be written now, why (one sentence for the page)."""
    scrive = servizi.puo_gestire(request.user, piano)
    blocco = servizi.motivo_sola_lettura(piano, relazione)
    if blocco is None and not scrive:
        blocco = _("Il monitoraggio è aggiornato dall'Ufficio di Piano: puoi consultarlo.")
    return {"piano": piano, "scrive": scrive, "modificabile": scrive and servizi.motivo_sola_lettura(
        piano, relazione) is None, "blocco": blocco}


def _solo_chi_scrive(request, ctx: dict) -> None:
    if request.method == "POST" and not ctx["scrive"]:
        raise PermissionDenied



def _anno_o_404(piano: PianoDiZona, anno: int) -> int:
    if anno not in sm.anni_del_ciclo(piano):
        raise Http404(_("L'anno non è del ciclo del piano."))
    return anno


@login_required
def monitoraggio(request, piano_pk):
    piano = _piano_o_404(request, piano_pk)
    ctx = _contesto(request, piano)
    obiettivi, riepilogo = sm.monitoraggio_del_piano(piano)
    anni = sm.anni_del_ciclo(piano)
    for obiettivo in obiettivi:
        for azione in obiettivo.azioni.all():
            azione.stati_anni = [azione.attuazioni_per_anno.get(a) for a in anni]
    ctx.update({
        "obiettivi": obiettivi, "riepilogo": riepilogo, "anni": anni,
        "anni_monitorabili": sm.anni_monitorabili(piano), "relazioni": sm.versioni_relazione(piano),
    })
    return render(request, "risorse/monitoraggio/panoramica.html", ctx)


@login_required
def misurazioni(request, pk):
    indicatore = sm.indicatore_con_piano(pk)
    if indicatore is None:
        raise Http404(_("Indicatore non trovato."))
    piano = _piano_o_404(request, indicatore.azione.obiettivo.piano_id)
    ctx = _contesto(request, piano)
    _solo_chi_scrive(request, ctx)
    form = None
    if ctx["modificabile"] or request.method == "POST":
        form = MisurazioneForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and _salva(
                form, servizi.misurazione_aggiungi, indicatore=indicatore, utente=request.user, **form.cleaned_data):
            messages.success(request, _("Misurazione registrata."))
            return redirect("risorse:misurazioni", pk=indicatore.pk)
    elenco = sm.misurazioni_dell_indicatore(indicatore)
    ctx.update({"indicatore": indicatore, "azione": indicatore.azione, "misurazioni": elenco, "form": form,
                "progresso": sm.progresso(indicatore, elenco[-1] if elenco else None, piano)})
    return render(request, "risorse/monitoraggio/misurazioni.html", ctx)


@login_required
def misurazione(request, pk):
    """One measurement: its form for the Ufficio di Piano (save, or delete with «elimina»)."""
    misura = sm.misurazione_con_piano(pk)
    if misura is None:
        raise Http404(_("Misurazione non trovata."))
    piano = _piano_o_404(request, misura.indicatore.azione.obiettivo.piano_id)
    ctx = _contesto(request, piano)
    _solo_chi_scrive(request, ctx)
    indicatore = misura.indicatore
    if request.method == "POST" and "elimina" in request.POST:
        if esegui(request, servizi.misurazione_elimina, _("Misurazione eliminata."), misurazione=misura,
                  utente=request.user):
            return redirect("risorse:misurazioni", pk=indicatore.pk)
        return redirect("risorse:misurazione", pk=misura.pk)
    form = None
    if ctx["modificabile"] or request.method == "POST":
        iniziale = {"data_rilevazione": misura.data_rilevazione, "valore": sm.numero_testo(misura.valore),
                    "nota": misura.nota}
        form = MisurazioneForm(request.POST or None, initial=iniziale)
        if request.method == "POST" and form.is_valid() and _salva(
                form, servizi.misurazione_modifica, misurazione=misura, utente=request.user, **form.cleaned_data):
            messages.success(request, _("Misurazione aggiornata."))
            return redirect("risorse:misurazioni", pk=indicatore.pk)
    ctx.update({"misura": misura, "indicatore": indicatore, "azione": indicatore.azione, "form": form})
    return render(request, "risorse/monitoraggio/misurazione.html", ctx)


@login_required
def attuazione(request, piano_pk, anno):
    piano = _piano_o_404(request, piano_pk)
    anno = _anno_o_404(piano, anno)
    ctx = _contesto(request, piano)
    _solo_chi_scrive(request, ctx)
    azioni = sm.azioni_del_piano(piano, anno)
    form = None
    if (ctx["modificabile"] and anno in sm.anni_monitorabili(piano)) or request.method == "POST":
        form = AttuazioneForm(request.POST or None, azioni=azioni)
        if request.method == "POST" and form.is_valid() and _salva(
                form, servizi.attuazione_salva, piano=piano, utente=request.user, anno=anno, valori=form.valori()):
            messages.success(request, _("Stato di attuazione delle azioni del %(anno)s salvato.") % {"anno": anno})
            return redirect("risorse:attuazione", piano_pk=piano.pk, anno=anno)
    ctx.update({"anno": anno, "anni": sm.anni_monitorabili(piano), "azioni": azioni, "form": form})
    return render(request, "risorse/monitoraggio/attuazione.html", ctx)


@login_required
def relazione(request, piano_pk, anno):
    piano = _piano_o_404(request, piano_pk)
    anno = _anno_o_404(piano, anno)
    ctx = _contesto(request, piano, relazione=True)
    _solo_chi_scrive(request, ctx)
    esistente = sm.relazione(piano, anno)
    versioni = sm.versioni_relazione(piano, anno)
    modificabile = ctx["modificabile"] and anno in sm.anni_monitorabili(piano)
    form = genera = None
    if modificabile or request.method == "POST":
        dati_sintesi = request.POST if request.POST.get("azione") == "sintesi" else None
        form = SintesiForm(dati_sintesi, initial={"sintesi": esistente.sintesi if esistente else ""})
        genera = GeneraForm(initial={"numero": len(versioni) + 1})
        if dati_sintesi is not None and form.is_valid() and _salva(
                form, servizi.relazione_sintesi, piano=piano, utente=request.user, anno=anno,
                sintesi=form.cleaned_data["sintesi"]):
            messages.success(request, _("Sintesi salvata: entra nella prossima versione generata."))
            return redirect("risorse:relazione", piano_pk=piano.pk, anno=anno)
    _obiettivi, riepilogo = sm.monitoraggio_del_piano(piano, anno)
    ctx.update({"anno": anno, "anni": sm.anni_monitorabili(piano), "relazione": esistente, "versioni": versioni,
                "form": form, "genera": genera, "riepilogo": riepilogo})
    return render(request, "risorse/monitoraggio/relazione.html", ctx)


@login_required
@require_POST
def relazione_genera(request, piano_pk, anno):
    piano = _piano_o_404(request, piano_pk)
    anno = _anno_o_404(piano, anno)
    if not servizi.puo_gestire(request.user, piano):
        raise PermissionDenied
    form = GeneraForm(request.POST)
    numero = form.cleaned_data["numero"] if form.is_valid() else None
    documento = esegui(request, servizi.relazione_genera, piano=piano, utente=request.user, anno=anno, numero=numero)
    if documento is None:
        return redirect("risorse:relazione", piano_pk=piano.pk, anno=anno)
    messages.success(request, _("La relazione %(anno)s è in preparazione: versione %(n)s.") % {
        "anno": anno, "n": documento.versione})
    return redirect("accordi:documento", pk=documento.pk)
