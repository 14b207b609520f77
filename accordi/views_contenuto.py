"""Pages of the plan's working draft: the table of contents, the section editor, objectives
and actions (with the budget grid and the indicators), and the cycle's section template for
regional officers. Thin: permission through ``services_contenuto``, reads through
``selectors_contenuto``, writes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambiti.exceptions import IterError, PermessoNegato, StatoCambiato
from ambiti.viste import esegui as _esegui
from tavoli.models import AreaIntervento
from tavoli.selectors_conoscenza import conoscenza_del_piano
from tavoli.services_tavoli import aree_della_regione

from . import selectors_contenuto as sel
from . import services_contenuto as sc
from .forms_contenuto import (
    AzioneForm,
    GrigliaForm,
    IndicatoriFormSet,
    ModelloSezioneForm,
    ObiettivoForm,
    SezioneForm,
)
from .models import CicloProgrammazione, ModelloSezione, PianoDiZona, SezionePiano
from .selectors import piano_per_utente


def _leggibile(request, piano: PianoDiZona) -> dict:
    if not sc.puo_leggere(request.user, piano):
        raise PermissionDenied
    scrive = sc.puo_scrivere(request.user, piano)
    return {"piano": piano, "scrive": scrive, "modificabile": scrive and sc.modificabile(piano)}


def _scrivibile(request, piano: PianoDiZona) -> dict:
    ctx = _leggibile(request, piano)
    if not ctx["scrive"]:
        raise PermissionDenied
    return ctx


def _post_rifiutato(request, ctx: dict, pagina: str):
    """A POST on a page the user may only read: the Ufficio di Piano is told why the draft is
    frozen; anyone else gets a 403."""
    if not ctx["scrive"]:
        raise PermissionDenied
    try:
        sc._verifica_scrittura(request.user, ctx["piano"])
    except IterError as exc:
        for m in exc.messaggi:
            messages.error(request, m)
    return redirect(pagina)


def _aree(piano: PianoDiZona):
    ambiti = sc._ambiti(piano)
    regione = ambiti[0].asl.regione if ambiti else piano.ciclo.regione
    aree_della_regione(regione)
    return AreaIntervento.objects.filter(regione=regione, attiva=True).order_by("ordine", "nome")


# --- table of contents ---------------------------------------------------------------------


@login_required
def contenuto(request, piano_pk):
    piano = get_object_or_404(PianoDiZona.objects.select_related("ciclo"), pk=piano_pk)
    ctx = _leggibile(request, piano)
    if ctx["modificabile"] and not SezionePiano.objects.filter(piano=piano).exists():
        sc.sezioni_garantisci(piano)
    ctx.update({"sezioni": list(sel.sezioni_del_piano(piano)), "riepilogo": sel.riepilogo(piano)})
    return render(request, "accordi/contenuto/indice.html", ctx)


# --- sections ------------------------------------------------------------------------------


def _raggruppa(voci, chiave) -> list[tuple[str, list]]:
    gruppi: dict[str, list] = {}
    for v in voci:
        gruppi.setdefault(chiave(v), []).append(v)
    return list(gruppi.items())


@login_required
def sezione(request, pk):
    sezione = sel.sezione_con_citazioni(pk)
    if sezione is None:
        raise Http404
    piano = sezione.piano
    ctx = _leggibile(request, piano)
    conoscenza = conoscenza_del_piano(piano)
    ctx.update({"sezione": sezione, "citazioni": sel.sezioni_del_piano(piano).filter(pk=sezione.pk).first()})
    if not ctx["modificabile"]:
        if request.method == "POST":
            return _post_rifiutato(request, ctx, request.path)
        return render(request, "accordi/contenuto/sezione.html", ctx)
    bisogni, offerta = list(conoscenza.bisogni), list(conoscenza.offerta)
    altrui = None
    if request.method == "POST":
        form = SezioneForm(request.POST, bisogni=bisogni, offerta=offerta)
        if form.is_valid():
            d = form.cleaned_data
            try:
                sc.sezione_salva(sezione=sezione, utente=request.user, testo=d["testo"], versione=d["versione"],
                                 bisogni=d["bisogni"], offerta=d["offerta"])
            except PermessoNegato as exc:
                raise PermissionDenied(str(exc)) from exc
            except StatoCambiato as exc:
                for m in exc.messaggi:
                    messages.error(request, m)
                # Keep the user's text; show the other person's and take their version as the
                # base, so that saving again is a deliberate choice.
                altrui = SezionePiano.objects.select_related("aggiornata_da").get(pk=sezione.pk)
                dati = request.POST.copy()
                dati["versione"] = str(altrui.versione)
                form = SezioneForm(dati, bisogni=bisogni, offerta=offerta)
                form.is_valid()
            except IterError as exc:
                for m in exc.messaggi:
                    messages.error(request, m)
            else:
                messages.success(request, _("Sezione «%(t)s» salvata.") % {"t": sezione.titolo})
                return redirect("accordi:sezione", pk=sezione.pk)
    else:
        form = SezioneForm(initial={
            "testo": sezione.testo, "versione": sezione.versione,
            "bisogni": [b.pk for b in sezione.bisogni.all()], "offerta": [o.pk for o in sezione.offerta.all()]},
            bisogni=bisogni, offerta=offerta)
    scelti_b = {int(v) for v in (form["bisogni"].value() or []) if str(v).isdigit()}
    scelti_o = {int(v) for v in (form["offerta"].value() or []) if str(v).isdigit()}
    ctx.update({
        "form": form, "altrui": altrui, "scelti_bisogni": scelti_b, "scelti_offerta": scelti_o,
        "bisogni_per_area": _raggruppa(bisogni, lambda b: b.area.nome),
        "offerta_per_tipo": _raggruppa(offerta, lambda o: o.tipo.nome),
    })
    return render(request, "accordi/contenuto/sezione.html", ctx)


# --- objectives ----------------------------------------------------------------------------


def _dati_obiettivo(form) -> dict:
    d = form.cleaned_data
    return {"tipo": d["tipo"], "codice": d["codice"], "titolo": d["titolo"], "descrizione": d["descrizione"],
            "area": d["area"]}


@login_required
def obiettivo_nuovo(request, piano_pk):
    piano = get_object_or_404(PianoDiZona.objects.select_related("ciclo"), pk=piano_pk)
    ctx = _scrivibile(request, piano)
    form = ObiettivoForm(request.POST or None, aree=_aree(piano))
    if request.method == "POST" and form.is_valid():
        obiettivo = _esegui(request, sc.obiettivo_crea, piano=piano, utente=request.user, **_dati_obiettivo(form))
        if obiettivo is not None:
            messages.success(request, _("Obiettivo creato: aggiungi le sue azioni."))
            return redirect("accordi:obiettivo", pk=obiettivo.pk)
    ctx["form"] = form
    return render(request, "accordi/contenuto/obiettivo.html", ctx)


@login_required
def obiettivo(request, pk):
    obiettivo = sel.obiettivo_con_azioni(pk)
    if obiettivo is None:
        raise Http404
    piano = obiettivo.piano
    ctx = _leggibile(request, piano)
    ctx.update({"obiettivo": obiettivo, "azioni": sel.azioni_dell_obiettivo(obiettivo)})
    if ctx["modificabile"]:
        iniziale = {"tipo": obiettivo.tipo, "codice": obiettivo.codice, "titolo": obiettivo.titolo,
                    "descrizione": obiettivo.descrizione, "area": obiettivo.area_id}
        form = ObiettivoForm(request.POST or None, initial=iniziale, aree=_aree(piano))
        if request.method == "POST" and form.is_valid():
            if _esegui(request, sc.obiettivo_modifica, obiettivo=obiettivo, utente=request.user,
                       **_dati_obiettivo(form)) is not None:
                messages.success(request, _("Obiettivo salvato."))
                return redirect("accordi:obiettivo", pk=obiettivo.pk)
        ctx["form"] = form
    elif request.method == "POST":
        return _post_rifiutato(request, ctx, request.path)
    return render(request, "accordi/contenuto/obiettivo.html", ctx)


@login_required
@require_POST
def obiettivo_elimina(request, pk):
    obiettivo = sel.obiettivo_con_azioni(pk)
    if obiettivo is None:
        raise Http404
    _scrivibile(request, obiettivo.piano)
    try:
        sc.obiettivo_elimina(obiettivo=obiettivo, utente=request.user)
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except IterError as exc:
        for m in exc.messaggi:
            messages.error(request, m)
        return redirect("accordi:obiettivo", pk=obiettivo.pk)
    messages.success(request, _("Obiettivo eliminato."))
    return redirect("accordi:contenuto", piano_pk=obiettivo.piano_id)


# --- actions -------------------------------------------------------------------------------


def _moduli_azione(request, piano, azione=None):
    conoscenza = conoscenza_del_piano(piano)
    dati = request.POST if request.method == "POST" else None
    iniziale, griglia_iniziale, indicatori = None, {}, []
    if azione is not None:
        iniziale = {"codice": azione.codice, "titolo": azione.titolo, "descrizione": azione.descrizione,
                    "area": azione.area_id, "destinatari": azione.destinatari, "capofila": azione.capofila_id,
                    "partner": [e.pk for e in azione.partner.all()], "inizio": azione.inizio, "fine": azione.fine,
                    "bisogni": [b.pk for b in azione.bisogni.all()]}
        griglia = sel.griglia(azione)
        griglia_iniziale = {GrigliaForm.nome(a, fonte): sel.euro(c)
                            for fonte, _e, celle in griglia.righe for a, c, _t in celle if c}
        indicatori = [{"descrizione": i.descrizione, "unita": i.unita, "valore_base": i.valore_base,
                       "valore_obiettivo": i.valore_obiettivo} for i in azione.indicatori.all()]
    form = AzioneForm(dati, initial=iniziale, aree=_aree(piano), enti=sc.enti_del_piano(piano),
                      bisogni=conoscenza.bisogni)
    anni = list(range(piano.ciclo.anno_inizio, piano.ciclo.anno_fine + 1))
    griglia_form = GrigliaForm(dati, initial=griglia_iniziale, anni=anni)
    formset = IndicatoriFormSet(dati, initial=indicatori, prefix="indicatori")
    return form, griglia_form, formset


def _salva_azione(request, servizio, form, griglia_form, formset, **kwargs):
    if not (form.is_valid() and griglia_form.is_valid() and formset.is_valid()):
        return None
    indicatori = [f.cleaned_data for f in formset.forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    return _esegui(request, servizio, utente=request.user, dati=form.cleaned_data,
                   stanziamenti=griglia_form.stanziamenti(), indicatori=indicatori, **kwargs)


@login_required
def azione_nuova(request, pk):
    obiettivo = sel.obiettivo_con_azioni(pk)
    if obiettivo is None:
        raise Http404
    piano = obiettivo.piano
    ctx = _scrivibile(request, piano)
    form, griglia_form, formset = _moduli_azione(request, piano)
    if request.method == "POST":
        azione = _salva_azione(request, sc.azione_crea, form, griglia_form, formset, obiettivo=obiettivo)
        if azione is not None:
            messages.success(request, _("Azione creata."))
            return redirect("accordi:azione", pk=azione.pk)
    ctx.update({"obiettivo": obiettivo, "form": form, "griglia_form": griglia_form, "formset": formset})
    return render(request, "accordi/contenuto/azione.html", ctx)


@login_required
def azione(request, pk):
    azione = sel.azione_completa(pk)
    if azione is None:
        raise Http404
    piano = azione.obiettivo.piano
    ctx = _leggibile(request, piano)
    ctx.update({"obiettivo": azione.obiettivo, "azione": azione, "griglia": sel.griglia(azione)})
    if ctx["modificabile"]:
        form, griglia_form, formset = _moduli_azione(request, piano, azione)
        if request.method == "POST":
            if _salva_azione(request, sc.azione_modifica, form, griglia_form, formset, azione=azione) is not None:
                messages.success(request, _("Azione salvata."))
                return redirect("accordi:azione", pk=azione.pk)
        ctx.update({"form": form, "griglia_form": griglia_form, "formset": formset})
    elif request.method == "POST":
        return _post_rifiutato(request, ctx, request.path)
    return render(request, "accordi/contenuto/azione.html", ctx)


@login_required
@require_POST
def azione_elimina(request, pk):
    azione = sel.azione_completa(pk)
    if azione is None:
        raise Http404
    _scrivibile(request, azione.obiettivo.piano)
    try:
        sc.azione_elimina(azione=azione, utente=request.user)
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except IterError as exc:
        for m in exc.messaggi:
            messages.error(request, m)
        return redirect("accordi:azione", pk=azione.pk)
    messages.success(request, _("Azione eliminata."))
    return redirect("accordi:obiettivo", pk=azione.obiettivo_id)


# --- the cycle's template ------------------------------------------------------------------


@login_required
def modello_ciclo(request, pk):
    """Regional officers: the cycle's sections, to add, change and reorder."""
    ciclo = get_object_or_404(CicloProgrammazione.objects.select_related("regione"), pk=pk)
    if not sc.puo_modificare_modello(request.user, ciclo):
        raise PermissionDenied
    modelli = sc.modelli_garantisci(ciclo)
    form = ModelloSezioneForm()
    if request.method == "POST":
        azione = request.POST.get("azione", "")
        modello = None
        if request.POST.get("modello"):
            modello = get_object_or_404(ModelloSezione, pk=request.POST["modello"], ciclo=ciclo)
        if azione in ("su", "giu") and modello is not None:
            _esegui(request, sc.modello_sposta, modello=modello, utente=request.user, su=azione == "su")
            return redirect("accordi:modello_ciclo", pk=ciclo.pk)
        if azione == "salva":
            form = ModelloSezioneForm(request.POST, prefix=f"m{modello.pk}" if modello else None)
            if form.is_valid() and _esegui(request, sc.modello_salva, ciclo=ciclo, utente=request.user,
                                           modello=modello, **form.cleaned_data) is not None:
                messages.success(request, _("Sezione del modello salvata."))
                return redirect("accordi:modello_ciclo", pk=ciclo.pk)
            if modello is not None:
                for m in form.errors.values():
                    messages.error(request, " ".join(m))
                form = ModelloSezioneForm()
        else:
            raise Http404
    righe = [(m, ModelloSezioneForm(prefix=f"m{m.pk}", initial={"codice": m.codice, "titolo": m.titolo,
                                                                "guida": m.guida})) for m in modelli]
    return render(request, "accordi/contenuto/modello.html", {"ciclo": ciclo, "righe": righe, "form": form})


# --- the plan page's card ------------------------------------------------------------------


@login_required
def contenuto_scheda(request, piano_pk):
    """The «Contenuto del piano» card of the plan page, loaded into it by htmx: sections with
    their last update, the number of objectives and actions, and the link each reader gets."""
    # Only who may open the plan page gets its card: anyone else learns nothing, not even that
    # the plan exists.
    piano = piano_per_utente(request.user, piano_pk)
    if piano is None:
        raise Http404
    legge = sc.puo_leggere(request.user, piano)
    ctx = {"piano": piano, "legge": legge}
    if legge:
        scrive = sc.puo_scrivere(request.user, piano)
        ctx.update({"scrive": scrive, "modificabile": scrive and sc.modificabile(piano),
                    "stato": sel.stato_contenuto(piano)})
    return render(request, "accordi/contenuto/_scheda.html", ctx)
