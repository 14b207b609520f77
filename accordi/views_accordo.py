"""Pages of the Accordo di Programma for the Ufficio di Piano, read-only for the other roles of
the plan's ambiti and for regional officers: the overview, its dates, parties and their
commitments, the reference population, the cost items and the cost-sharing tables (with a CSV),
and the act that goes to signature. Thin: permission, rules and arithmetic live in
``services_accordo``, ``selectors_accordo`` and ``ripartizione``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambiti.exceptions import IterError, PermessoNegato
from ambiti.models import Comune, Ente, Incarico, Utente
from ambiti.ruoli import Permessi
from ambiti.viste import esegui as _esegui
from ambiti.viste import esegui_nel_modulo as _salva

from . import selectors, selectors_accordo, services_accordo
from .forms_accordo import (
    AccordoDatiForm,
    ParteForm,
    ParteNuovaForm,
    PopolazioneForm,
    VoceForm,
    intero_testo,
)
from .models import AccordoDiProgramma, ParteAccordo, PianoDiZona, PopolazioneRiferimento, Stato, VoceOnere
from .ripartizione import percentuale_testo
from .selectors_contenuto import euro

ENTI_AGGIUNGIBILI = (Ente.Tipo.PROVINCIA, Ente.Tipo.ALTRO_PUBBLICO, Ente.Tipo.AZIENDA_CONSORTILE)
STATI_PRIMA_DELLA_BOZZA = (Stato.AVVIO, Stato.INDIRIZZO, Stato.ISTRUTTORIA)


# --- who may read and write ----------------------------------------------------------------


def _piano_o_404(request, piano_pk) -> PianoDiZona:
    piano = selectors.piano_per_utente(request.user, piano_pk)
    if piano is None:
        raise Http404(_("Piano non trovato."))
    return piano


def _accordo_del_piano(request, piano: PianoDiZona) -> AccordoDiProgramma | None:
    """The Accordo of the plan's current revision. Only the Ufficio di Piano prepares it (the
    first visit creates it), and only while it may edit it; the others read what exists."""
    prepara = (piano.stato in services_accordo.STATI_MODIFICABILI
               and Permessi(request.user).ha_su_alcuno("gestisci_piano", piano.ambiti.all()))
    return services_accordo.accordo_di(piano, crea=prepara)


def _blocco(piano: PianoDiZona, accordo: AccordoDiProgramma | None, scrive: bool) -> str | None:
    """Why the page is read-only, in one sentence (None when the user edits)."""
    if accordo is not None and accordo.revisione != piano.revisione:
        return _("Questa è la revisione %(n)s dell'Accordo, sostituita da una revisione successiva: resta "
                 "consultabile e non si modifica.") % {"n": accordo.revisione}
    if piano.stato in services_accordo.STATI_MODIFICABILI:
        if scrive:
            return None
        return _("L'Ufficio di Piano sta preparando l'Accordo: puoi leggerlo, ma lo modifica solo l'Ufficio di Piano.")
    if piano.stato in STATI_PRIMA_DELLA_BOZZA:
        return _("L'Accordo si prepara dalla stesura della bozza del piano.")
    if piano.stato == Stato.SOTTOSCRIZIONE:
        return _("L'Accordo è alla firma: il testo che le parti sottoscrivono non si modifica più.")
    if piano.stato == Stato.VIGENTE:
        return _("L'Accordo è in vigore e non si modifica: per cambiarlo, l'Ufficio di Piano avvia l'aggiornamento "
                 "del piano, che prepara una nuova revisione dell'Accordo.")
    if piano.stato == Stato.CONCLUSO:
        return _("L'Accordo è concluso: resta consultabile.")
    return _("Il piano è stato annullato: l'Accordo resta consultabile e non si modifica.")


def _contesto(request, piano: PianoDiZona, accordo: AccordoDiProgramma | None) -> dict:
    if accordo is not None and not services_accordo.puo_leggere(request.user, accordo):
        raise PermissionDenied
    scrive = accordo is not None and services_accordo.puo_gestire(request.user, accordo)
    modificabile = scrive and services_accordo.modificabile(accordo)
    return {"piano": piano, "accordo": accordo, "scrive": scrive, "modificabile": modificabile,
            "blocco": None if modificabile else _blocco(piano, accordo, scrive)}


def _pagina(request, piano_pk) -> dict:
    """A page of the current Accordo: 404 for plans the user cannot read or Accordi not yet
    prepared."""
    piano = _piano_o_404(request, piano_pk)
    accordo = _accordo_del_piano(request, piano)
    if accordo is None:
        raise Http404(_("L'Accordo di questo piano non è ancora stato preparato."))
    return _contesto(request, piano, accordo)


def _pagina_di(request, accordo_id: int) -> dict:
    """A page of one object of an Accordo (a party, a cost item), whatever its revision."""
    accordo = get_object_or_404(AccordoDiProgramma.objects.select_related("piano", "piano__ciclo"), pk=accordo_id)
    piano = _piano_o_404(request, accordo.piano_id)
    return _contesto(request, piano, accordo)


def _con_modulo(request, ctx: dict) -> bool:
    """Whether the page shows its form: to the Ufficio di Piano while it edits, and on its POST
    whatever the state (the service then says why it refuses, and the input stays on the
    page). Anyone else posting gets a 403."""
    if request.method == "POST" and not ctx["scrive"]:
        raise PermissionDenied
    return ctx["modificabile"] or (ctx["scrive"] and request.method == "POST")


def _solo_chi_modifica(request, ctx: dict):
    """Pages that only create something: 403 for readers, back to the overview (with the
    reason) for the Ufficio di Piano when the Accordo is locked."""
    if not ctx["scrive"]:
        raise PermissionDenied
    if not ctx["modificabile"] and request.method != "POST":
        messages.info(request, ctx["blocco"])
        return redirect("accordi:accordo", piano_pk=ctx["piano"].pk)
    return None



def _comuni(piano: PianoDiZona) -> list[Comune]:
    return selectors_accordo.comuni_del_piano(piano)


def _anni(piano: PianoDiZona) -> list[int]:
    return list(range(piano.ciclo.anno_inizio, piano.ciclo.anno_fine + 1))


# --- overview ------------------------------------------------------------------------------


def _riepilogo_voci(rip) -> dict:
    """The cost items with their totals per year, in euro, for the overview."""
    righe = [{"voce": r.voce, "criterio": r.criterio_testo, "errore": r.errore,
              "per_anno": [_euro(r.totali.get(a, 0)) for a in rip.anni],
              "totale": _euro(sum(r.totali.values()))} for r in rip.voci]
    per_anno = [sum(r.totali.get(a, 0) for r in rip.voci) for a in rip.anni]
    return {"anni": rip.anni, "righe": righe, "per_anno": [_euro(c) for c in per_anno],
            "totale": _euro(sum(per_anno))}


@login_required
def accordo(request, piano_pk):
    piano = _piano_o_404(request, piano_pk)
    accordo = _accordo_del_piano(request, piano)
    ctx = _contesto(request, piano, accordo)
    if accordo is not None:
        aderenti = selectors_accordo.aderenti(accordo)
        ctx.update({
            "capofila": accordo.ente_capofila,
            "deliberazione": accordo.deliberazione_capofila,
            "documento": accordo.documento,
            "parti": list(selectors_accordo.parti_dell_accordo(accordo)),
            "voci": _riepilogo_voci(selectors_accordo.ripartizione(accordo)),
            "aderenti": aderenti,
            "aderenti_righe": [{"ente": r.ente, "risorse": [(x, _euro(x.valore_centesimi)) for x in r.risorse.all()]}
                               for r in aderenti],
            "mancanze": selectors_accordo.mancanze(accordo),
            "alla_firma": piano.stato == Stato.SOTTOSCRIZIONE and accordo.revisione == piano.revisione,
        })
    return render(request, "accordi/accordo/accordo.html", ctx)


@login_required
def accordo_scheda(request, piano_pk):
    """The «Accordo di Programma» card of the plan page, loaded into it by htmx."""
    piano = _piano_o_404(request, piano_pk)
    accordo = _accordo_del_piano(request, piano)
    ctx = _contesto(request, piano, accordo)
    if accordo is not None:
        ctx["mancanze"] = selectors_accordo.mancanze(accordo)
        ctx["alla_firma"] = piano.stato == Stato.SOTTOSCRIZIONE and accordo.revisione == piano.revisione
    return render(request, "accordi/accordo/_scheda.html", ctx)


@login_required
@require_POST
def accordo_atto(request, piano_pk):
    """Generate the text of the Accordo that the parties sign, then go to its page, where the
    signatures are requested and followed."""
    ctx = _pagina(request, piano_pk)
    if not ctx["scrive"]:
        raise PermissionDenied
    documento = _esegui(request, services_accordo.accordo_genera_atto, accordo=ctx["accordo"], utente=request.user)
    if documento is None:
        return redirect("accordi:accordo", piano_pk=ctx["piano"].pk)
    return redirect("accordi:documento", pk=documento.pk)


# --- dates and how it is updated -----------------------------------------------------------


@login_required
def accordo_dati(request, piano_pk):
    ctx = _pagina(request, piano_pk)
    accordo = ctx["accordo"]
    if _con_modulo(request, ctx):
        iniziale = {"data_inizio": accordo.data_inizio, "data_fine": accordo.data_fine,
                    "modalita_aggiornamento": accordo.modalita_aggiornamento,
                    "data_popolazione": accordo.data_popolazione}
        form = AccordoDatiForm(request.POST or None, initial=iniziale, ciclo=ctx["piano"].ciclo)
        if request.method == "POST" and form.is_valid():
            if _salva(form, services_accordo.accordo_aggiorna, accordo=accordo, utente=request.user,
                      **form.cleaned_data):
                messages.success(request, _("Date e modalità di aggiornamento salvate."))
                return redirect("accordi:accordo", piano_pk=ctx["piano"].pk)
        ctx["form"] = form
    return render(request, "accordi/accordo/dati.html", ctx)


# --- parties -------------------------------------------------------------------------------


def _firmatari(parte: ParteAccordo):
    """Who may sign for the party's body: the active users with an active role for it (for a
    Comune, its mayor), plus whoever is named now, so that saving never drops them silently."""
    oggi = timezone.localdate()
    incarichi = (Incarico.objects.filter(ente=parte.ente, attivo=True, utente__is_active=True)
                 .filter(Q(al__isnull=True) | Q(al__gte=oggi)).select_related("utente")
                 .order_by("utente__last_name", "utente__first_name", "utente__username"))
    if parte.ruolo == ParteAccordo.Ruolo.COMUNE:
        incarichi = incarichi.filter(ruolo=Incarico.Ruolo.SINDACO)
    descrizioni: dict[int, str] = {}
    for inc in incarichi:
        descrizioni.setdefault(inc.utente_id, _descrivi(inc.utente, inc.get_ruolo_display()))
    if parte.firmatario_id and parte.firmatario_id not in descrizioni:
        descrizioni[parte.firmatario_id] = _descrivi(parte.firmatario, _("senza un incarico attivo per l'ente"))
    return Utente.objects.filter(pk__in=descrizioni).order_by("last_name", "first_name", "username"), descrizioni


def _descrivi(utente, ruolo: str) -> str:
    nome = utente.get_full_name() or utente.username
    if not utente.codice_fiscale:
        return _("%(nome)s – %(ruolo)s (manca il codice fiscale: non può firmare)") % {"nome": nome, "ruolo": ruolo}
    return _("%(nome)s – %(ruolo)s") % {"nome": nome, "ruolo": ruolo}


@login_required
def accordo_parte(request, pk):
    parte = get_object_or_404(ParteAccordo.objects.select_related("ente", "firmatario"), pk=pk)
    ctx = _pagina_di(request, parte.accordo_id)
    ctx["parte"] = parte
    ctx["rimovibile"] = parte.ruolo in (ParteAccordo.Ruolo.PROVINCIA, ParteAccordo.Ruolo.ALTRO_PUBBLICO)
    if _con_modulo(request, ctx):
        firmatari, descrizioni = _firmatari(parte)
        form = ParteForm(request.POST or None, initial={"impegni": parte.impegni, "firmatario": parte.firmatario_id},
                         firmatari=firmatari, descrizioni=descrizioni)
        if request.method == "POST" and form.is_valid():
            if _salva(form, services_accordo.parte_aggiorna, parte=parte, utente=request.user, **form.cleaned_data):
                messages.success(request, _("Impegni e firmatario di «%(e)s» salvati.") % {"e": parte.ente})
                return redirect("accordi:accordo", piano_pk=ctx["piano"].pk)
        ctx.update({"form": form, "nessun_firmatario": not descrizioni})
    return render(request, "accordi/accordo/parte.html", ctx)


def _enti_aggiungibili(piano: PianoDiZona, accordo: AccordoDiProgramma):
    ambiti = piano.ambiti.all()
    province = Comune.objects.filter(ambiti__in=ambiti).values("provincia")
    return (Ente.objects.filter(tipo__in=ENTI_AGGIUNGIBILI)
            .filter(Q(ambiti__in=ambiti) | Q(provincia__in=province))
            .exclude(pk__in=accordo.parti.values("ente")).distinct().order_by("denominazione"))


@login_required
def accordo_parte_nuova(request, piano_pk):
    ctx = _pagina(request, piano_pk)
    rinvio = _solo_chi_modifica(request, ctx)
    if rinvio is not None:
        return rinvio
    piano, accordo = ctx["piano"], ctx["accordo"]
    form = ParteNuovaForm(request.POST or None, enti=_enti_aggiungibili(piano, accordo))
    if request.method == "POST" and form.is_valid():
        ente = form.cleaned_data["ente"]
        provincia = ente.tipo == Ente.Tipo.PROVINCIA
        parte = _salva(form, services_accordo.parte_aggiungi, accordo=accordo, utente=request.user, ente=ente,
                       ruolo=ParteAccordo.Ruolo.PROVINCIA if provincia else ParteAccordo.Ruolo.ALTRO_PUBBLICO,
                       firma_obbligatoria=provincia or form.cleaned_data["firma_obbligatoria"])
        if parte is not None:
            messages.success(request, _("«%(e)s» è ora parte dell'Accordo: scrivi i suoi impegni e chi firma.")
                             % {"e": ente.denominazione})
            return redirect("accordi:accordo_parte", pk=parte.pk)
    ctx["form"] = form
    return render(request, "accordi/accordo/parte_nuova.html", ctx)


@login_required
@require_POST
def accordo_parte_elimina(request, pk):
    parte = get_object_or_404(ParteAccordo.objects.select_related("ente"), pk=pk)
    ctx = _pagina_di(request, parte.accordo_id)
    if not ctx["scrive"]:
        raise PermissionDenied
    if _esegui(request, services_accordo.parte_rimuovi, parte=parte, utente=request.user) is None:
        return redirect("accordi:accordo_parte", pk=parte.pk)
    messages.success(request, _("«%(e)s» non è più parte dell'Accordo.") % {"e": parte.ente})
    return redirect("accordi:accordo", piano_pk=ctx["piano"].pk)


# --- reference population ------------------------------------------------------------------


@login_required
def accordo_popolazione(request, piano_pk):
    ctx = _pagina(request, piano_pk)
    piano, accordo = ctx["piano"], ctx["accordo"]
    comuni = _comuni(piano)
    abitanti = dict(PopolazioneRiferimento.objects.filter(accordo=accordo).values_list("comune_id", "abitanti"))
    ctx["righe"] = [(c, intero_testo(abitanti.get(c.pk))) for c in comuni]
    ctx["totale_abitanti"] = intero_testo(sum(v for v in abitanti.values() if v))
    if _con_modulo(request, ctx):
        iniziale = {"data_popolazione": accordo.data_popolazione,
                    **{PopolazioneForm.nome(c): intero_testo(abitanti.get(c.pk)) for c in comuni}}
        form = PopolazioneForm(request.POST or None, initial=iniziale, comuni=comuni)
        if request.method == "POST" and form.is_valid() and _popolazione_salva(request, form, accordo):
            messages.success(request, _("Popolazione di riferimento salvata."))
            return redirect("accordi:accordo", piano_pk=piano.pk)
        ctx["form"] = form
    return render(request, "accordi/accordo/popolazione.html", ctx)


def _popolazione_salva(request, form, accordo) -> bool:
    """The date and the figures are one change: both saved, or neither."""
    try:
        with transaction.atomic():
            data = form.cleaned_data["data_popolazione"]
            if data != accordo.data_popolazione:
                services_accordo.accordo_aggiorna(
                    accordo=accordo, utente=request.user, data_inizio=accordo.data_inizio,
                    data_fine=accordo.data_fine, modalita_aggiornamento=accordo.modalita_aggiornamento,
                    data_popolazione=data)
            services_accordo.popolazioni_aggiorna(accordo=accordo, utente=request.user, abitanti=form.abitanti())
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except IterError as exc:
        for m in exc.messaggi:
            form.add_error(None, m)
        return False
    return True


# --- cost items ----------------------------------------------------------------------------


def _iniziale_voce(voce: VoceOnere) -> dict:
    iniziale = {"denominazione": voce.denominazione, "criterio": voce.criterio}
    if voce.criterio == VoceOnere.Criterio.MISTO:
        iniziale.update({n: percentuale_testo(getattr(voce, n)) for n in VoceForm.QUOTE})
    iniziale.update({VoceForm.nome_anno(i.anno): euro(i.centesimi) for i in voce.importi.all()})
    iniziale.update({f"u_{u.comune_id}": intero_testo(u.numero) for u in voce.utenti_serviti.all()})
    return iniziale


def _voce_contesto(ctx: dict, voce: VoceOnere) -> None:
    """What the read-only page of a cost item shows: its shares, totals and users served."""
    comuni = _comuni(ctx["piano"])
    utenti = {u.comune_id: u.numero for u in voce.utenti_serviti.all()}
    importi = {i.anno: i.centesimi for i in voce.importi.all()}
    ctx.update({
        "quote": [(VoceOnere._meta.get_field(n).verbose_name, percentuale_testo(getattr(voce, n)))
                  for n in VoceForm.QUOTE],
        "importi": [(a, _euro(importi.get(a, 0))) for a in _anni(ctx["piano"])],
        "totale_voce": _euro(sum(importi.values())),
        "utenti": [(c, intero_testo(utenti[c.pk]) if c.pk in utenti else "—") for c in comuni],
    })


def _voce_form(request, ctx: dict, voce: VoceOnere | None):
    piano = ctx["piano"]
    return VoceForm(request.POST or None, initial=_iniziale_voce(voce) if voce else None,
                    anni=_anni(piano), comuni=_comuni(piano))


@login_required
def accordo_voce_nuova(request, piano_pk):
    ctx = _pagina(request, piano_pk)
    rinvio = _solo_chi_modifica(request, ctx)
    if rinvio is not None:
        return rinvio
    form = _voce_form(request, ctx, None)
    if request.method == "POST" and form.is_valid():
        voce = _salva(form, services_accordo.voce_salva, accordo=ctx["accordo"], utente=request.user, voce=None,
                      **form.dati_servizio())
        if voce is not None:
            messages.success(request, _("Voce di costo «%(v)s» salvata.") % {"v": voce.denominazione})
            return redirect("accordi:accordo_ripartizione", piano_pk=ctx["piano"].pk)
    ctx["form"] = form
    return render(request, "accordi/accordo/voce.html", ctx)


@login_required
def accordo_voce(request, pk):
    voce = get_object_or_404(VoceOnere.objects.prefetch_related("importi", "utenti_serviti"), pk=pk)
    ctx = _pagina_di(request, voce.accordo_id)
    ctx["voce"] = voce
    if _con_modulo(request, ctx):
        form = _voce_form(request, ctx, voce)
        if request.method == "POST" and form.is_valid():
            salvata = _salva(form, services_accordo.voce_salva, accordo=ctx["accordo"], utente=request.user,
                             voce=voce, **form.dati_servizio())
            if salvata is not None:
                messages.success(request, _("Voce di costo «%(v)s» salvata.") % {"v": salvata.denominazione})
                return redirect("accordi:accordo_ripartizione", piano_pk=ctx["piano"].pk)
        ctx["form"] = form
    else:
        _voce_contesto(ctx, voce)
    return render(request, "accordi/accordo/voce.html", ctx)


@login_required
@require_POST
def accordo_voce_elimina(request, pk):
    voce = get_object_or_404(VoceOnere, pk=pk)
    ctx = _pagina_di(request, voce.accordo_id)
    if not ctx["scrive"]:
        raise PermissionDenied
    if _esegui(request, services_accordo.voce_elimina, voce=voce, utente=request.user) is None:
        return redirect("accordi:accordo_voce", pk=voce.pk)
    messages.success(request, _("Voce di costo «%(v)s» eliminata.") % {"v": voce.denominazione})
    return redirect("accordi:accordo_ripartizione", piano_pk=ctx["piano"].pk)


# --- cost sharing --------------------------------------------------------------------------


def _euro(centesimi: int | None) -> str:
    return f"{euro(centesimi)}\u00a0€"


def _tabelle(rip) -> dict:
    """The cost-sharing tables in euro: one per cost item (Comune × year, with totals) and the
    summary per Comune."""
    def righe(righe_comuni):
        return [{"comune": r.comune, "celle": [_euro(c) for c in r.importi], "totale": _euro(r.totale)}
                for r in righe_comuni]

    voci = [{"voce": r.voce, "criterio": r.criterio_testo, "regola": r.regola, "errore": r.errore,
             "righe": righe(r.righe), "totali": [_euro(c) for c in r.colonne_totali], "totale": _euro(r.totale)}
            for r in rip.voci]
    return {"anni": rip.anni, "voci": voci, "riepilogo": righe(rip.righe),
            "per_anno": [_euro(rip.totali_anno[a]) for a in rip.anni], "totale": _euro(rip.totale)}


@login_required
def accordo_ripartizione(request, piano_pk):
    ctx = _pagina(request, piano_pk)
    ctx["tabelle"] = _tabelle(selectors_accordo.ripartizione(ctx["accordo"]))
    return render(request, "accordi/accordo/ripartizione.html", ctx)


@login_required
def accordo_ripartizione_csv(request, piano_pk):
    ctx = _pagina(request, piano_pk)
    accordo = ctx["accordo"]
    risposta = HttpResponse(selectors_accordo.ripartizione_csv(accordo), content_type="text/csv; charset=utf-8")
    nome = f"ripartizione-oneri-piano-{ctx['piano'].pk}-rev{accordo.revisione}.csv"
    risposta["Content-Disposition"] = f'attachment; filename="{nome}"'
    return risposta
