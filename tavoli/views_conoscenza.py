"""Pages of a plan's knowledge base (needs, offer, proposals, with CSV export), of the
ambito's calendar and the personal iCal feed, and of the region's areas of intervention and
catalogue of services. Thin: object-level permission, selector or service, template."""

from __future__ import annotations

import csv
import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ambiti.models import Ambito, Regione
from ambiti.viste import esegui as _esegui

from . import calendario as cal
from . import selectors_conoscenza as sel
from . import services_aree, services_tavoli
from .forms_conoscenza import AreaForm, AreaModificaForm, FiltriConoscenzaForm, TipoOffertaForm
from .models import AreaIntervento, Tavolo, TipoUnitaOfferta

PER_PAGINA = 50

# The plan is accordi's model, reached through our own string reference.
PianoDiZona = Tavolo._meta.get_field("piano").related_model


# --- knowledge base ----------------------------------------------------------------------------


def _piano_leggibile(request, piano_pk):
    piano = get_object_or_404(PianoDiZona.objects.select_related("ciclo"), pk=piano_pk)
    ambiti = list(piano.ambiti.select_related("asl").order_by("nome"))
    if not sel.puo_leggere_conoscenza(request.user, piano, ambiti):
        raise PermissionDenied
    return piano, ambiti


def _filtri(request, piano, ambiti) -> FiltriConoscenzaForm:
    return FiltriConoscenzaForm(
        request.GET, aree=sel.aree_del_piano(piano), tipi=sel.tipi_offerta(piano.ciclo.regione_id),
        comuni=sel.comuni_del_piano(ambiti), tavoli=sel.tavoli_del_piano(piano))


@login_required
def conoscenza(request, piano_pk):
    piano, ambiti = _piano_leggibile(request, piano_pk)
    elenco = request.GET.get("elenco") if request.GET.get("elenco") in sel.ELENCHI else "bisogni"
    form = _filtri(request, piano, ambiti)
    base = sel.conoscenza_del_piano(piano)
    filtrata = sel.filtra(base, form.filtri())
    pagina = Paginator(filtrata.elenco(elenco), PER_PAGINA).get_page(request.GET.get("pagina"))
    etichette = {"bisogni": _("Bisogni"), "offerta": _("Offerta"), "proposte": _("Proposte")}
    return render(request, "tavoli/conoscenza/conoscenza.html", {
        "piano": piano, "ambiti": ambiti, "form": form, "filtri_attivi": form.attivi(), "elenco": elenco,
        "pagina": pagina, "titolo_elenco": etichette[elenco],
        "schede": [(nome, etichette[nome], pagina.paginator.count if nome == elenco else filtrata.elenco(nome).count())
                   for nome in sel.ELENCHI],
        "conteggi": sel.conteggi_bisogni(filtrata.bisogni) if elenco == "bisogni" else None,
        "totali": sel.totali_offerta(filtrata.offerta) if elenco == "offerta" else None,
    })


def _cella(valore) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    testo = "" if valore is None else str(valore)
    return "'" + testo if testo[:1] in ("=", "+", "-", "@", "\t", "\r") else testo


def _data(momento: datetime.datetime) -> str:
    return timezone.localtime(momento).strftime("%d/%m/%Y")


def _origine(v) -> list:
    s = v.seduta
    return [s.tavolo.nome, s.focus_group.nome if s.focus_group_id else "", s.numero, _data(s.data),
            str(v.ente) if v.ente_id else "", v.proposto_da]


def _righe_csv(elenco: str, qs):
    origine = [_("Tavolo"), _("Focus-group"), _("Seduta n."), _("Data della seduta"), _("Ente"), _("Proposto da")]
    if elenco == "bisogni":
        yield [_("ID"), _("Area di intervento"), _("Priorità"), _("Destinatari"), _("Descrizione"),
               _("Evidenza o fonte"), _("Comuni interessati"), *origine]
        for b in qs:
            yield [b.pk, b.area.nome, b.get_priorita_display(), b.destinatari, b.descrizione, b.evidenza,
                   ", ".join(c.denominazione for c in b.comuni.all()), *_origine(b)]
    elif elenco == "offerta":
        yield [_("ID"), _("Tipo"), _("Sigla"), _("Denominazione"), _("Ente gestore"), _("Comune"), _("Indirizzo"),
               _("Capacità"), _("Capacità espressa in"), _("Area di intervento"), _("Note"), *origine]
        for o in qs:
            yield [o.pk, o.tipo.nome, o.tipo.sigla, o.denominazione, o.gestito_da, o.comune.denominazione,
                   o.indirizzo, "" if o.capacita is None else o.capacita, o.tipo.unita_capacita, o.area.nome,
                   o.note, *_origine(o)]
    else:
        yield [_("ID"), _("Titolo"), _("Descrizione"), _("Area di intervento"), _("Bisogni a cui risponde (ID)"),
               *origine]
        for p in qs:
            yield [p.pk, p.titolo, p.descrizione, p.area.nome, ", ".join(str(b.pk) for b in p.bisogni.all()),
                   *_origine(p)]


@login_required
def conoscenza_csv(request, piano_pk, elenco):
    if elenco not in sel.ELENCHI:
        raise Http404
    piano, ambiti = _piano_leggibile(request, piano_pk)
    filtrata = sel.filtra(sel.conoscenza_del_piano(piano), _filtri(request, piano, ambiti).filtri())
    risposta = HttpResponse(content_type="text/csv; charset=utf-8")
    risposta["Content-Disposition"] = f'attachment; filename="{elenco}-piano-{piano.pk}.csv"'
    risposta.write("\ufeff")  # the BOM tells Excel the file is UTF-8
    scrittore = csv.writer(risposta, delimiter=";", lineterminator="\r\n")
    for riga in _righe_csv(elenco, filtrata.elenco(elenco)):
        scrittore.writerow([_cella(v) for v in riga])
    return risposta


# --- calendars ---------------------------------------------------------------------------------


@login_required
def calendario(request, ambito_pk):
    ambito = get_object_or_404(Ambito.objects.select_related("asl"), pk=ambito_pk)
    if not cal.legge_calendario_ambito(request.user, ambito):
        raise PermissionDenied
    storico = request.GET.get("storico") == "tutto"
    assemblea, tavoli = cal.sedute_dell_ambito(request.user, ambito)
    if not storico:
        dal = timezone.now() - datetime.timedelta(days=365)
        assemblea, tavoli = assemblea.filter(data__gte=dal), tavoli.filter(data__gte=dal)
    adesso = timezone.now()
    voci = cal.voci(assemblea, tavoli)
    return render(request, "tavoli/calendario/ambito.html", {
        "ambito": ambito, "storico": storico,
        "prossime": cal.per_mese([v for v in voci if v.fine >= adesso]),
        "passate": cal.per_mese([v for v in reversed(voci) if v.fine < adesso]),
    })


@login_required
def calendario_personale(request):
    if request.method == "POST":
        cal.feed_rigenera(request.user)
        messages.success(request, _("Nuovo indirizzo creato: il precedente non funziona più. Aggiorna "
                                    "l'iscrizione nel tuo programma di calendario."))
        return redirect("tavoli:calendario_personale")
    feed = cal.feed_garantisci(request.user)
    indirizzo = settings.PIANOZONA_SITE_URL.rstrip("/") + reverse("tavoli:feed_ics", args=[feed.token])
    assemblea, tavoli = cal.sedute_visibili(request.user)
    adesso = timezone.now()
    prossime = cal.voci(assemblea.filter(data__gte=adesso - datetime.timedelta(hours=12)).order_by("data")[:30],
                        tavoli.filter(data__gte=adesso - datetime.timedelta(hours=12)).order_by("data")[:30])
    return render(request, "tavoli/calendario/personale.html", {
        "indirizzo": indirizzo, "webcal": "webcal://" + indirizzo.split("://", 1)[-1], "feed": feed,
        "prossime": cal.per_mese([v for v in prossime if v.fine >= adesso][:30]),
        "ambiti": cal.ambiti_del_calendario(request.user),
        "giorni_passati": cal.GIORNI_PASSATI_NEL_FEED,
    })


@never_cache
def feed_ics(request, token):
    """No sign-in: calendar apps cannot; the secret address is the key."""
    feed = cal.feed_per_token(token)
    if feed is None:
        raise Http404
    risposta = HttpResponse(cal.feed_ics(feed.utente), content_type="text/calendar; charset=utf-8")
    risposta["Content-Disposition"] = 'inline; filename="pianozona.ics"'
    risposta["X-Robots-Tag"] = "noindex"
    return risposta


# --- regional areas and catalogue --------------------------------------------------------------


def _regione_gestita(request, regione_pk) -> Regione:
    regione = get_object_or_404(Regione, pk=regione_pk)
    if not services_aree.puo_gestire_aree(request.user, regione):
        raise PermissionDenied
    return regione


def _area_gestita(request, pk) -> AreaIntervento:
    area = get_object_or_404(AreaIntervento.objects.select_related("regione"), pk=pk)
    _regione_gestita(request, area.regione_id)
    return area


@login_required
def aree(request, regione_pk):
    regione = _regione_gestita(request, regione_pk)
    services_tavoli.aree_della_regione(regione)  # the default list, the first time
    elenco = (AreaIntervento.objects.filter(regione=regione)
              .annotate(n_tavoli=Count("tavoli")).order_by("-attiva", "ordine", "nome"))
    tipi = (TipoUnitaOfferta.objects.filter(Q(regione__isnull=True) | Q(regione=regione))
            .order_by("regione_id", "nome"))
    return render(request, "tavoli/conoscenza/aree.html", {"regione": regione, "aree": elenco, "tipi": tipi})


@login_required
def area_nuova(request, regione_pk):
    regione = _regione_gestita(request, regione_pk)
    form = AreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        area = _esegui(request, services_aree.area_crea, _("Area di intervento aggiunta."),
                       regione=regione, utente=request.user, **form.cleaned_data)
        if area:
            return redirect(reverse("tavoli:aree", args=[regione.pk]) + f"#area-{area.pk}")
    return render(request, "tavoli/conoscenza/modulo.html", {
        "regione": regione, "form": form, "titolo": _("Nuova area di intervento"), "invio": _("Aggiungi l'area")})


@login_required
def area_modifica(request, pk):
    area = _area_gestita(request, pk)
    iniziale = {c: getattr(area, c) for c in services_aree.CAMPI_AREA}
    form = AreaModificaForm(request.POST or None, initial=iniziale)
    if request.method == "POST" and form.is_valid():
        if _esegui(request, services_aree.area_modifica, _("Area di intervento aggiornata."),
                   area=area, utente=request.user, **form.cleaned_data):
            return redirect(reverse("tavoli:aree", args=[area.regione_id]) + f"#area-{area.pk}")
    return render(request, "tavoli/conoscenza/modulo.html", {
        "regione": area.regione, "form": form, "invio": _("Salva"),
        "titolo": _("Modifica l'area «%(nome)s»") % {"nome": area.nome}})


@login_required
@require_POST
def area_stato(request, pk):
    area = _area_gestita(request, pk)
    attiva = request.POST.get("attiva") == "1"
    _esegui(request, services_aree.area_modifica,
            _("Area «%(nome)s» di nuovo in uso.") % {"nome": area.nome} if attiva
            else _("Area «%(nome)s» messa fuori uso: resta sui tavoli che la usano.") % {"nome": area.nome},
            area=area, utente=request.user, attiva=attiva)
    return redirect(reverse("tavoli:aree", args=[area.regione_id]) + f"#area-{area.pk}")


@login_required
@require_POST
def area_elimina(request, pk):
    area = _area_gestita(request, pk)
    _esegui(request, services_aree.area_elimina, _("Area «%(nome)s» eliminata.") % {"nome": area.nome},
            area=area, utente=request.user)
    return redirect("tavoli:aree", regione_pk=area.regione_id)


@login_required
def tipo_offerta_nuovo(request, regione_pk):
    regione = _regione_gestita(request, regione_pk)
    form = TipoOffertaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tipo = _esegui(request, services_aree.tipo_offerta_crea,
                       _("Tipo di unità di offerta aggiunto al catalogo della Regione."),
                       regione=regione, utente=request.user, **form.cleaned_data)
        if tipo:
            return redirect(reverse("tavoli:aree", args=[regione.pk]) + f"#tipo-{tipo.pk}")
    return render(request, "tavoli/conoscenza/modulo.html", {
        "regione": regione, "form": form, "titolo": _("Nuovo tipo di unità di offerta"),
        "invio": _("Aggiungi al catalogo")})
