"""Pages of each Comune's social spending and the share conferred to the Ufficio di Piano: the
year's table for everyone who reads the ambito (its roles and the officers of its Regione),
with the form and the import for the Ufficio di Piano; the export in CSV or XLSX.
Thin: permission and rules in ``services_spesa`` and ``importa_spesa``, reading in
``selectors_spesa``."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accordi.selectors_contenuto import euro
from ambiti.exceptions import IterError, PermessoNegato
from ambiti.models import Ambito
from ambiti.ruoli import Permessi
from ambiti.viste import esegui_nel_modulo

from . import importa_spesa, selectors_spesa, services_spesa
from .forms_spesa import AnnoForm, ConfermaForm, ImportaSpesaForm, SpesaAnnoForm
from .tabelle import conserva_file, dimentica_file, file_conservato, scrivi_csv, scrivi_xlsx


def _ambito_o_404(request, ambito_pk) -> Ambito:
    """The ambito if the user reads it; 404 otherwise, so that others' ambiti are not revealed."""
    ambito = Ambito.objects.select_related("asl").filter(pk=ambito_pk).first()
    if ambito is None or not Permessi(request.user).legge([ambito]):
        raise Http404(_("Ambito non trovato."))
    return ambito


def _anno(request, anni: list[int]) -> int:
    """The year asked for (?anno=), else the latest with figures, else the current one."""
    form = AnnoForm(request.GET if "anno" in request.GET else None)
    if form.is_bound:
        if form.is_valid():
            return form.cleaned_data["anno"]
        raise Http404(_("Anno non valido."))
    return anni[0] if anni else datetime.date.today().year


def _pagina(request, ambito: Ambito, anno: int, anni: list[int], scrive: bool, form=None, status=200):
    tabella = selectors_spesa.tabella_spesa(ambito, anno)
    if scrive and form is None:
        form = SpesaAnnoForm(tabella=tabella)
    ctx = {
        "ambito": ambito, "anno": anno, "anni": sorted(set(anni) | {anno}, reverse=True), "tabella": tabella,
        "riepilogo": selectors_spesa.riepilogo_anni(ambito), "scrive": scrive, "form": form,
        "anno_form": AnnoForm(initial={"anno": anno}),
        "soglia_alta": selectors_spesa.SOGLIA_ALTA, "soglia_bassa": selectors_spesa.SOGLIA_BASSA,
    }
    return render(request, "risorse/spesa/spesa.html", ctx, status=status)


@login_required
def spesa(request, ambito_pk):
    ambito = _ambito_o_404(request, ambito_pk)
    scrive = services_spesa.puo_scrivere(request.user, ambito)
    anni = selectors_spesa.anni_disponibili(ambito)
    if request.method != "POST":
        return _pagina(request, ambito, _anno(request, anni), anni, scrive)
    if not scrive:
        raise PermissionDenied
    try:
        anno = services_spesa.anno_valido(request.POST.get("anno", ""))
    except IterError as exc:
        for m in exc.messaggi:
            messages.error(request, m)
        return redirect("risorse:spesa", ambito_pk=ambito.pk)
    form = SpesaAnnoForm(request.POST, tabella=selectors_spesa.tabella_spesa(ambito, anno))
    esito = form.is_valid() and esegui_nel_modulo(form, services_spesa.spesa_salva, ambito=ambito,
                                                  utente=request.user, anno=anno, righe=form.righe())
    if esito:
        scritte, tolte = esito
        messages.success(request, _("Spesa sociale del %(anno)s salvata: %(s)s, %(t)s.") % {
            "anno": anno,
            "s": ngettext("%(n)s Comune inserito o modificato", "%(n)s Comuni inseriti o modificati",
                          scritte) % {"n": scritte},
            "t": ngettext("%(n)s dato tolto", "%(n)s dati tolti", tolte) % {"n": tolte}})
        return redirect(reverse("risorse:spesa", args=[ambito.pk]) + f"?anno={anno}")
    return _pagina(request, ambito, anno, anni, scrive, form=form)


# --- files ---------------------------------------------------------------------------------


def _presenta(analisi: importa_spesa.Analisi) -> dict:
    def riga(c):
        q = selectors_spesa.quota(c.valori.conferita, c.valori.spesa)
        return {"anno": c.valori.anno, "comune": c.valori.comune,
                "prima": None if c.prima is None else {
                    "spesa": euro(c.prima.spesa_totale_centesimi),
                    "conferita": euro(c.prima.conferita_udp_centesimi), "nota": c.prima.nota},
                "spesa": euro(c.valori.spesa), "conferita": euro(c.valori.conferita),
                "nota": c.valori.nota, "quota": selectors_spesa.quota_testo(q)}

    return {"a": analisi, "nuove": [riga(c) for c in analisi.nuove], "cambiate": [riga(c) for c in analisi.cambiate],
            "errori": analisi.errori[:importa_spesa.MAX_ERRORI_MOSTRATI],
            "errori_nascosti": max(0, len(analisi.errori) - importa_spesa.MAX_ERRORI_MOSTRATI)}


def _dove(ambito) -> str:
    return f"spesa:{ambito.pk}"


@login_required
def spesa_importa(request, ambito_pk):
    """Upload → preview (nothing saved; the file waits in the cache under its SHA-256) →
    confirmation (the file is read and checked again, then written)."""
    ambito = _ambito_o_404(request, ambito_pk)
    if not services_spesa.puo_scrivere(request.user, ambito):
        raise PermissionDenied
    ctx = {"ambito": ambito, "form": ImportaSpesaForm()}
    if request.method == "POST" and "impronta" in request.POST:
        conferma = ConfermaForm(request.POST)
        salvato = (file_conservato(_dove(ambito), request.user, conferma.cleaned_data["impronta"])
                   if conferma.is_valid() else None)
        if salvato is None:
            messages.error(request, _("L'anteprima è scaduta o non è più valida: carica di nuovo il file."))
            return redirect("risorse:spesa_importa", ambito_pk=ambito.pk)
        contenuto, nome_file = salvato
        try:
            esito = importa_spesa.spesa_importa(ambito=ambito, utente=request.user, contenuto=contenuto,
                                                nome_file=nome_file)
        except PermessoNegato as exc:
            raise PermissionDenied(str(exc)) from exc
        except IterError as exc:
            # The data changed since the preview: show the new reasons, keep nothing.
            dimentica_file(_dove(ambito), request.user, conferma.cleaned_data["impronta"])
            for m in exc.messaggi:
                ctx["form"].add_error(None, m)
        else:
            dimentica_file(_dove(ambito), request.user, esito.impronta)
            messages.success(request, _("File «%(f)s» importato: %(n)s righe nuove, %(c)s modificate, %(i)s invariate.")
                             % {"f": nome_file, "n": len(esito.nuove), "c": len(esito.cambiate),
                                "i": esito.invariate})
            anni = sorted(esito.anni)
            destinazione = reverse("risorse:spesa", args=[ambito.pk])
            return redirect(destinazione + (f"?anno={anni[-1]}" if anni else ""))
    elif request.method == "POST":
        form = ImportaSpesaForm(request.POST, request.FILES)
        ctx["form"] = form
        if form.is_valid():
            caricato = form.cleaned_data["file"]
            contenuto = caricato.read()
            analisi = importa_spesa.analizza(ambito, contenuto, caricato.name)
            if not analisi.errori:
                conserva_file(_dove(ambito), request.user, contenuto, caricato.name)
                ctx["conferma"] = ConfermaForm(initial={"impronta": analisi.impronta})
            ctx["anteprima"] = _presenta(analisi)
    return render(request, "risorse/spesa/importa.html", ctx)


@login_required
def spesa_esporta(request, ambito_pk, formato):
    ambito = _ambito_o_404(request, ambito_pk)
    if formato not in ("csv", "xlsx"):
        raise Http404(_("Formato non previsto."))
    anno = None
    if request.GET.get("anno"):
        form = AnnoForm(request.GET)
        if not form.is_valid():
            raise Http404(_("Anno non valido."))
        anno = form.cleaned_data["anno"]
    righe = selectors_spesa.righe_esportazione(ambito, anno)
    if formato == "csv":
        contenuto, tipo = scrivi_csv(selectors_spesa.COLONNE, righe), "text/csv; charset=utf-8"
    else:
        contenuto = scrivi_xlsx(selectors_spesa.COLONNE, righe, titolo=selectors_spesa.titolo_esportazione(ambito))
        tipo = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    risposta = HttpResponse(contenuto, content_type=tipo)
    nome = f"spesa-sociale-comuni-ambito-{ambito.pk}{f'-{anno}' if anno else ''}.{formato}"
    risposta["Content-Disposition"] = f'attachment; filename="{nome}"'
    return risposta
