"""Pages of the plan's quadro unitario delle risorse: the same page for everyone who reads the
plan, with the grids and the import for the Ufficio di Piano; the file export and template.
Thin: permission and rules in ``services_quadro``, reading in ``selectors_quadro``, files in
``importa_quadro``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accordi import selectors
from accordi.forms_accordo import intero_testo
from accordi.selectors_contenuto import euro
from ambiti.exceptions import IterError, PermessoNegato

from . import importa_quadro, selectors_quadro, services_quadro
from .forms_quadro import COLONNE_GRIGLIA, CellaForm, ConfermaForm, GrigliaAnnoForm, ImportaForm
from .tabelle import conserva_file, dimentica_file, file_conservato


def _piano_o_404(request, piano_pk):
    piano = selectors.piano_per_utente(request.user, piano_pk)
    if piano is None:
        raise Http404(_("Piano non trovato."))
    return piano


def _contesto(request, piano) -> dict:
    scrive = services_quadro.puo_scrivere(request.user, piano)
    modificabile = scrive and services_quadro.modificabile(piano)
    blocco = None
    if not services_quadro.modificabile(piano):
        blocco = _("Il piano è %(stato)s: il quadro delle risorse resta consultabile e non si modifica.") % {
            "stato": piano.get_stato_display().lower()}
    elif not scrive:
        blocco = _("Il quadro delle risorse è compilato dall'Ufficio di Piano: puoi consultarlo.")
    return {"piano": piano, "scrive": scrive, "modificabile": modificabile, "blocco": blocco}


def _e(centesimi) -> str:
    return f"{euro(centesimi)}\u00a0€" if centesimi is not None else "—"


def _tabella_fonti(t) -> dict:
    riga = lambda r: {"etichetta": r.etichetta, "celle": [_e(r.sociale), _e(r.sociosanitario), _e(r.totale)],  # noqa: E731
                      "pro_capite": _e(r.pro_capite)}
    return {"righe": [riga(r) for r in t.righe], "totale": riga(t.totale), "vuota": not t.righe}


def _presenta(q) -> dict:
    """The quadro in euro strings, as the template shows it."""
    anni = []
    for a in q.anni:
        gruppi = [{"fonte": g.fonte,
                   "righe": [{"area": r.area, "celle": [_e(c) for c in r.importi.colonne()]} for r in g.righe],
                   "totale": [_e(c) for c in g.totale.colonne()], "piu_righe": len(g.righe) > 1}
                  for g in a.gruppi]
        anni.append({"anno": a.anno, "gruppi": gruppi, "totale": [_e(c) for c in a.totale.colonne()],
                     "previsto_pro_capite": _e(a.previsto_pro_capite),
                     "consuntivo_pro_capite": _e(a.consuntivo_pro_capite),
                     "fonti_previsto": _tabella_fonti(a.fonti_previsto),
                     "fonti_consuntivo": _tabella_fonti(a.fonti_consuntivo)})
    return {
        "anni": anni,
        "per_fonte": [(f, [_e(c) for c in i.colonne()]) for f, i in q.per_fonte],
        "per_categoria": [(etichetta, [_e(c) for c in i.colonne()]) for _c, etichetta, i in q.per_categoria],
        "totale": [_e(c) for c in q.totale.colonne()],
        "fonti_previsto": _tabella_fonti(q.fonti_previsto),
        "fonti_consuntivo": _tabella_fonti(q.fonti_consuntivo),
        "vuoto": q.vuoto,
    }


def _esistenti(anno_quadro) -> dict[tuple, int]:
    """The year's cells as the grid keys them, from the quadro already read (no query)."""
    celle = {}
    for g in anno_quadro.gruppi:
        for r in g.righe:
            for s, t in COLONNE_GRIGLIA:
                valore = getattr(r.importi, f"{t}_{s}")
                if valore:
                    celle[(g.fonte.pk, r.area.pk if r.area else None, s, t)] = valore
    return celle


def _pagina(request, piano, ctx: dict, legato: dict | None = None, status: int = 200):
    """The quadro page; ``legato`` holds the bound forms of the year just posted, to show its
    errors with the user's input."""
    q = selectors_quadro.quadro(piano)
    ctx.update({"quadro": _presenta(q), "popolazione": q.popolazione,
                "abitanti": intero_testo(q.popolazione.abitanti)})
    if ctx["modificabile"]:
        fonti = selectors_quadro.fonti_in_uso(piano)
        aree = selectors_quadro.aree_della_regione(piano)
        moduli = {}
        for a in q.anni:
            moduli[a.anno] = {
                "griglia": GrigliaAnnoForm(anno=a.anno, fonti=fonti, aree=aree, esistenti=_esistenti(a)),
                "cella": CellaForm(anno=a.anno, fonti=fonti, aree=aree),
            }
        if legato:
            moduli[legato["anno"]].update({k: v for k, v in legato.items() if k != "anno"})
        for anno_ctx in ctx["quadro"]["anni"]:
            anno_ctx["moduli"] = moduli[anno_ctx["anno"]]
    return render(request, "risorse/quadro/quadro.html", ctx, status=status)


@login_required
def quadro(request, piano_pk):
    piano = _piano_o_404(request, piano_pk)
    return _pagina(request, piano, _contesto(request, piano))


def _errori_al_modulo(form, exc: IterError) -> None:
    for m in exc.messaggi:
        form.add_error(None, m)


@login_required
@require_POST
def quadro_anno(request, piano_pk, anno):
    """POST of a year's grid (``azione=griglia``) or of one cell (``azione=cella``)."""
    piano = _piano_o_404(request, piano_pk)
    ctx = _contesto(request, piano)
    if not ctx["scrive"]:
        raise PermissionDenied
    if anno not in selectors_quadro.anni_del_piano(piano):
        raise Http404(_("Anno fuori dal ciclo del piano."))
    ctx["modificabile"] = True  # the service says why it refuses, the input stays on the page
    fonti = selectors_quadro.fonti_in_uso(piano)
    aree = selectors_quadro.aree_della_regione(piano)
    ritorno = reverse("risorse:quadro", args=[piano.pk]) + f"#anno-{anno}"
    try:
        if request.POST.get("azione") == "cella":
            form = CellaForm(request.POST, anno=anno, fonti=fonti, aree=aree)
            legato = {"anno": anno, "cella": form}
            if form.is_valid():
                d = form.cleaned_data
                services_quadro.imposta_cella(piano=piano, utente=request.user, anno=anno, fonte=d["fonte"],
                                              area=d["area"], ambito_spesa=d["ambito_spesa"], tipo=d["tipo"],
                                              importo=d["importo"])
                messages.success(request, _("Cella del %(anno)s salvata.") % {"anno": anno})
                return redirect(ritorno)
        else:
            esistenti = services_quadro.celle_esistenti(piano, anno)
            form = GrigliaAnnoForm(request.POST, anno=anno, fonti=fonti, aree=aree, esistenti=esistenti)
            legato = {"anno": anno, "griglia": form}
            if form.is_valid():
                conti = services_quadro.imposta_anno(piano=piano, utente=request.user, anno=anno,
                                                     celle=form.celle())
                messages.success(request, _("Quadro del %(anno)s salvato: %(n)s celle nuove, %(c)s modificate, "
                                            "%(t)s tolte.") % {"anno": anno, "n": conti["nuove"],
                                                               "c": conti["cambiate"], "t": conti["tolte"]})
                return redirect(ritorno)
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except IterError as exc:
        _errori_al_modulo(form, exc)
    ctx["anno_con_errori"] = anno
    return _pagina(request, piano, ctx, legato=legato)


# --- files ---------------------------------------------------------------------------------


def _dove(piano) -> str:
    return f"quadro:{piano.pk}"


@login_required
def quadro_importa(request, piano_pk):
    """Upload → preview (nothing saved; the file waits in the cache under its SHA-256) →
    confirmation (the file is read and checked again, then written)."""
    piano = _piano_o_404(request, piano_pk)
    ctx = _contesto(request, piano)
    if not ctx["scrive"]:
        raise PermissionDenied
    form = ImportaForm()
    if request.method == "POST" and "token" in request.POST:
        conferma = ConfermaForm(request.POST)
        salvato = file_conservato(_dove(piano), request.user, conferma.data.get("token", "")) \
            if conferma.is_valid() else None
        if salvato is None:
            messages.error(request, _("L'anteprima è scaduta o non è più valida: carica di nuovo il file."))
            return redirect("risorse:quadro_importa", piano_pk=piano.pk)
        contenuto, nome_file = salvato
        try:
            esito = services_quadro.importa_quadro(piano=piano, utente=request.user, contenuto=contenuto,
                                                   nome_file=nome_file, conferma=True)
        except PermessoNegato as exc:
            raise PermissionDenied(str(exc)) from exc
        except IterError as exc:
            _errori_al_modulo(form, exc)
        else:
            dimentica_file(_dove(piano), request.user, esito.impronta)
            messages.success(request, _("File «%(f)s» importato: %(n)s celle nuove, %(c)s modificate, %(t)s tolte.")
                             % {"f": nome_file, "n": len(esito.nuove), "c": len(esito.cambiate),
                                "t": len(esito.tolte)})
            return redirect("risorse:quadro", piano_pk=piano.pk)
    elif request.method == "POST":
        form = ImportaForm(request.POST, request.FILES)
        if form.is_valid():
            caricato = form.cleaned_data["file"]
            contenuto = caricato.read()
            try:
                anteprima = services_quadro.importa_quadro(piano=piano, utente=request.user, contenuto=contenuto,
                                                           nome_file=caricato.name, conferma=False)
            except PermessoNegato as exc:
                raise PermissionDenied(str(exc)) from exc
            except IterError as exc:
                _errori_al_modulo(form, exc)
            else:
                if anteprima.valida:
                    conserva_file(_dove(piano), request.user, contenuto, caricato.name)
                ctx.update({"anteprima": _anteprima_presentata(anteprima),
                            "conferma": ConfermaForm(initial={"token": anteprima.impronta})})
    ctx["form"] = form
    return render(request, "risorse/quadro/importa.html", ctx)


def _anteprima_presentata(a) -> dict:
    ambiti, tipi = dict(selectors_quadro.AmbitoSpesa.choices), dict(selectors_quadro.TipoImporto.choices)

    def righe(cambi):
        return [{"anno": c.chiave[0], "fonte": c.fonte, "area": c.area, "ambito": ambiti[c.chiave[3]],
                 "tipo": tipi[c.chiave[4]], "prima": _e(c.prima), "dopo": _e(c.dopo)} for c in cambi]

    return {"a": a, "nuove": righe(a.nuove), "cambiate": righe(a.cambiate), "tolte": righe(a.tolte)}


@login_required
def quadro_esporta(request, piano_pk, formato):
    piano = _piano_o_404(request, piano_pk)
    if formato not in ("csv", "xlsx"):
        raise Http404(_("Formato non previsto."))
    tipo = ("text/csv; charset=utf-8" if formato == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    risposta = HttpResponse(importa_quadro.esporta(piano, formato), content_type=tipo)
    risposta["Content-Disposition"] = f'attachment; filename="quadro-risorse-piano-{piano.pk}.{formato}"'
    return risposta


@login_required
def quadro_modello(request, piano_pk):
    piano = _piano_o_404(request, piano_pk)
    risposta = HttpResponse(importa_quadro.modello(piano), content_type="text/csv; charset=utf-8")
    risposta["Content-Disposition"] = 'attachment; filename="modello-quadro-risorse.csv"'
    return risposta
