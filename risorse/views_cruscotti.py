"""The dashboards: the regional officer's view across the ambiti of a region (read-only) and
the same figures for one ambito, for its Ufficio di Piano and the other readers of the ambito.
Every chart comes with its data table and every table with a CSV. Thin: the figures come from
``selectors_cruscotti``, the pictures from ``grafici``; here they are only formatted."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accordi.models import CicloProgrammazione, RisorsaAdesione
from ambiti.models import Ambito, Regione
from ambiti.ruoli import Permessi

from . import grafici
from .cache_pagine import dell_utente, pagina_in_cache
from .forms_cruscotti import FiltriCruscottoForm
from .models import SpesaSocialeComune, TipoImporto
from .selectors_cruscotti import (
    BORDI_QUOTA,
    Cruscotto,
    Filtri,
    ciclo_predefinito,
    cruscotto_in_cache,
    ordina,
    quote_per_anno,
)
from .selectors_spesa import ETICHETTE_CLASSE, SOGLIA_ALTA, SOGLIA_BASSA, quota_testo
from .tabelle import scrivi_csv

PER_PAGINA = 50
SEGNAPOSTO = 987654321  # an ambito id no URL prefix contains, replaced by each row's
TABELLE = ("iter", "risorse", "risorse_ambiti", "quota_udp", "terzo_settore")
PAGINA_REGIONALE = "risorse/cruscotti/regionale.html"
PAGINA_AMBITO = "risorse/cruscotti/ambito.html"


# --- formatting -------------------------------------------------------------------------------


def euro(centesimi: int | None) -> str:
    """The same text as ``accordi.selectors_contenuto.euro`` ("1.234,56"), written out in
    Python: the regional page formats some five hundred amounts, and switching the language
    for each one was a tenth of its time. ``test_cruscotti_viste`` checks they agree."""
    centesimi = int(centesimi or 0)
    segno = "-" if centesimi < 0 else ""
    interi, cent = divmod(abs(centesimi), 100)
    return f"{segno}{interi:,}".replace(",", ".") + f",{cent:02d}"


def _euro(centesimi) -> str:
    return f"{euro(centesimi)} €"


def _decimale(valore: Decimal | None, cifre: int = 2) -> str:
    return "" if valore is None else number_format(valore, cifre, force_grouping=True)


def _cent(centesimi: int | None) -> str:
    """Cents (per inhabitant) as euro, empty when undefined."""
    return "" if centesimi is None else euro(centesimi)


def _percento(valore: Decimal | None) -> str:
    return "" if valore is None else f"{quota_testo(valore)}%"


def _data(d) -> str:
    return date_format(d, "d/m/Y") if d else ""


def _scadenza_testo(riga) -> str:
    if riga.vigente_dal:
        return _("in vigore dal %(data)s") % {"data": _data(riga.vigente_dal)}
    if riga.giorni is None:
        return ""
    if riga.giorni < 0:
        return ngettext("scaduto da %(n)s giorno", "scaduto da %(n)s giorni", -riga.giorni) % {"n": -riga.giorni}
    if riga.giorni == 0:
        return _("scade oggi")
    return ngettext("%(n)s giorno alla scadenza", "%(n)s giorni alla scadenza", riga.giorni) % {"n": riga.giorni}


# --- who reads what -----------------------------------------------------------------------------


def _regioni_consultate(utente) -> list[Regione]:
    from guardian.shortcuts import get_objects_for_user

    return list(get_objects_for_user(utente, "ambiti.consulta_regione", klass=Regione,
                                     accept_global_perms=False).order_by("nome"))


def _regione_scelta(request) -> tuple[Regione, list[Regione]]:
    regioni = dell_utente(request, ("regioni consultate",), lambda: _regioni_consultate(request.user))
    if not regioni:
        raise PermissionDenied
    scelta = request.GET.get("regione")
    if not scelta:
        return regioni[0], regioni
    regione = next((r for r in regioni if str(r.pk) == scelta), None)
    if regione is None:
        raise Http404(_("Regione non trovata."))
    return regione, regioni


def _ambito_letto(request, ambito_pk) -> Ambito:
    ambito = get_object_or_404(Ambito.objects.select_related("asl__regione"), pk=ambito_pk)
    if not Permessi(request.user).legge([ambito]):
        raise Http404(_("Ambito non trovato."))
    return ambito


def _regione_dell_ambito_leggibile(request, ambito_pk) -> int | None:
    """The region of the ambito if it exists and the user may read it, else None (from the
    cache, as ``dell_utente``)."""
    def calcola() -> int | bool:
        ambito = Ambito.objects.select_related("asl__regione").filter(pk=ambito_pk).first()
        # False, not None, is kept: None is what the cache answers for "not there"
        return ambito.asl.regione_id if ambito is not None and Permessi(request.user).legge([ambito]) else False

    return dell_utente(request, ("legge ambito", int(ambito_pk)), calcola) or None


def _filtri(request, regione: Regione, ambito: Ambito | None = None) -> tuple[Filtri, FiltriCruscottoForm]:
    oggi = timezone.localdate()
    spese = SpesaSocialeComune.objects.filter(ambito__asl__regione=regione)
    if ambito is not None:
        spese = spese.filter(ambito=ambito)
    anni = list(spese.values_list("anno", flat=True).distinct().order_by("-anno"))
    form = FiltriCruscottoForm(request.GET or None, regione_id=regione.pk, anni=anni, regionale=ambito is None)
    valori = form.valori() if form.is_bound else {}
    ciclo = valori.get("ciclo")
    if ciclo is None:
        ciclo = ciclo_predefinito(list(CicloProgrammazione.objects.filter(regione=regione)), oggi)
    filtri = Filtri(
        regione_id=regione.pk, ciclo=ciclo, ambito_id=ambito.pk if ambito else None,
        asl_id=valori["asl"].pk if valori.get("asl") else None,
        provincia_id=valori["provincia"].pk if valori.get("provincia") else None,
        tipo=valori.get("tipo") or TipoImporto.PREVISTO, anno=valori.get("anno"),
    )
    return filtri, form


# --- charts and their tables ------------------------------------------------------------------


def _grafici(c: Cruscotto, regionale: bool) -> dict:
    tipo = TipoImporto(c.filtri.tipo).label.lower()
    stati = c.conteggi_stato()
    risultato = {
        "iter": grafici.barre_semplici(
            ident="grafico-iter", titolo=_("Ambiti per stato dell'iter"),
            descrizione=_("Numero di ambiti in ciascuno stato dell'iter del piano nel ciclo scelto."),
            voci=[(etichetta, n) for _codice, etichetta, n in stati], formato=lambda v: str(int(v)),
            vuoto=_("Nessun ambito")),
        "fonti": grafici.barre_impilate(
            ident="grafico-fonti", titolo=_("Le fonti delle risorse (%(tipo)s)") % {"tipo": tipo},
            descrizione=_("Per ciascuna categoria di fonte, le risorse dei piani in euro, divise tra ambito "
                          "sociale e ambito sociosanitario."),
            categorie=[cat.etichetta for cat in c.categorie.righe],
            serie=[(_("Sociale"), [cat.sociale / 100 for cat in c.categorie.righe]),
                   (_("Sociosanitario"), [cat.sociosanitario / 100 for cat in c.categorie.righe])],
            formato=lambda v: _euro(round(v * 100)), vuoto=_("Nessuna risorsa nel quadro dei piani")),
        "terzo_settore": grafici.barre_semplici(
            ident="grafico-terzo-settore", titolo=_("Valore delle risorse messe a disposizione dal Terzo Settore"),
            descrizione=_("Valore in euro delle risorse degli enti aderenti, per tipo di risorsa."),
            voci=[(r["etichetta"], r["valore"] / 100) for r in c.risorse_terzo_settore],
            formato=lambda v: _euro(round(v * 100)), vuoto=_("Nessuna risorsa dagli enti aderenti")),
    }
    if regionale:
        risultato["quota"] = grafici.istogramma(
            ident="grafico-quota", titolo=_("Quota della spesa sociale dei Comuni conferita all'Ufficio di Piano"),
            descrizione=_("Numero di ambiti per quota conferita, a classi di 10 punti, con le soglie del 16% e "
                          "del 50%."),
            bordi=BORDI_QUOTA, conteggi=c.distribuzione_quote(),
            soglie=[(SOGLIA_BASSA, f"{SOGLIA_BASSA}%"), (SOGLIA_ALTA, f"{SOGLIA_ALTA}%")],
            asse_y=_("Altezza delle colonne: numero di ambiti; linee tratteggiate: le soglie"),
            vuoto=_("Nessuna spesa dei Comuni registrata"))
        con_popolazione = [r for r in c.righe if r.pro_capite is not None]
        ordinati = sorted(con_popolazione, key=lambda r: r.pro_capite, reverse=True)
        scelti = ordinati if len(ordinati) <= 20 else ordinati[:10] + ordinati[-10:]
        risultato["pro_capite"] = grafici.barre_semplici(
            ident="grafico-pro-capite", titolo=_("Risorse per abitante per ambito"),
            descrizione=_("Euro per abitante del piano di ciascun ambito; oltre 20 ambiti, i 10 con più risorse "
                          "e i 10 con meno."),
            voci=[(r.nome, r.pro_capite / 100) for r in scelti], formato=lambda v: _euro(round(v * 100)),
            vuoto=_("Nessuna risorsa nel quadro dei piani"))
        risultato["pro_capite_righe"] = [(r.nome, _euro(r.pro_capite)) for r in scelti]
    return risultato


def tabella(c: Cruscotto, nome: str) -> tuple[list[str], list[list[str]]]:
    """A table as header and rows of text: what the page shows under a chart and the CSV holds."""
    ciclo = c.filtri.ciclo
    if nome == "iter":
        return ([_("Ambito"), _("Codice"), _("ASL"), _("Piano"), _("Stato"), _("Scadenza"), _("Situazione")],
                [[r.nome, r.codice, r.asl, r.piano_titolo, r.etichetta_stato,
                  _data(ciclo.scadenza_approvazione) if ciclo else "", _scadenza_testo(r)]
                 for r in ordina(c.righe, "nome")])
    if nome == "risorse":
        righe = [[f["etichetta_categoria"], f["nome"], euro(f["sociale"]), euro(f["sociosanitario"]),
                  euro(f["totale"]), _cent(f["pro_capite"])] for f in c.fonti]
        t = c.totali_risorse
        righe.append([_("Totale"), "", euro(t["sociale"]), euro(t["sociosanitario"]), euro(t["totale"]),
                      _cent(c.pro_capite)])
        return ([_("Categoria"), _("Fonte"), _("Ambito sociale (euro)"), _("Ambito sociosanitario (euro)"),
                 _("Totale (euro)"), _("Totale per abitante (euro)")], righe)
    if nome == "risorse_ambiti":
        return ([_("Ambito"), _("Codice"), _("Piano"), _("Piano di più ambiti"), _("Risorse del piano (euro)"),
                 _("Abitanti del piano"), _("Per abitante (euro)")],
                [[r.nome, r.codice, r.piano_titolo, _("sì") if r.piano_condiviso else _("no"),
                  euro(r.risorse) if r.piano_id else "", str(r.popolazione_piano or r.popolazione),
                  _cent(r.pro_capite)] for r in ordina(c.righe, "nome")])
    if nome == "quota_udp":
        return ([_("Ambito"), _("Codice"), _("Anno"), _("Spesa sociale dei Comuni (euro)"),
                 _("Conferita all'Ufficio di Piano (euro)"), _("Quota (%)"), _("Classe")],
                [[r.nome, r.codice, str(c.anno_spesa or ""),
                  euro(r.spesa_totale) if r.spesa_totale is not None else "",
                  euro(r.conferita) if r.conferita is not None else "", quota_testo(r.quota),
                  str(ETICHETTE_CLASSE[r.classe]) if r.classe else _("senza dati")]
                 for r in ordina(c.righe, "nome")])
    if nome == "terzo_settore":
        tipi = list(RisorsaAdesione.Tipo)
        return ([_("Ambito"), _("Codice"), _("Enti aderenti"), _("Richieste in attesa"),
                 _("Valore delle risorse (euro)")] + [f"{t.label} – {_('valore (euro)')}" for t in tipi],
                [[r.nome, r.codice, str(r.aderenti), str(r.in_attesa), euro(r.valore_terzo_settore)]
                 + [euro(r.valore_per_tipo.get(t.value, 0)) for t in tipi] for r in ordina(c.righe, "nome")])
    raise Http404


def _risposta_csv(c: Cruscotto, nome: str, prefisso: str) -> HttpResponse:
    intestazione, righe = tabella(c, nome)
    risposta = HttpResponse(scrivi_csv(intestazione, righe), content_type="text/csv; charset=utf-8")
    ciclo = c.filtri.ciclo
    periodo = f"-{ciclo.anno_inizio}-{ciclo.anno_fine}" if ciclo else ""
    risposta["Content-Disposition"] = f'attachment; filename="{prefisso}-{nome.replace("_", "-")}{periodo}.csv"'
    return risposta


def _contesto(request, c: Cruscotto, form, regionale: bool, indirizzo_csv) -> dict:
    parametri = request.GET.copy()
    for nome in ("pagina", "ordine"):
        parametri.pop(nome, None)
    query = f"?{parametri.urlencode()}" if parametri else ""
    return {
        "c": c, "form": form, "regionale": regionale, "grafici": _grafici(c, regionale),
        "csv": {nome: indirizzo_csv(nome) + query for nome in TABELLE},
        "tipo_importi": TipoImporto(c.filtri.tipo).label.lower(),
        "fonti": [dict(f, sociale_t=euro(f["sociale"]), sociosanitario_t=euro(f["sociosanitario"]),
                       totale_t=euro(f["totale"]), pro_capite_t=_cent(f["pro_capite"])) for f in c.fonti],
        "categorie": [{"etichetta": cat.etichetta, "sociale": euro(cat.sociale),
                       "sociosanitario": euro(cat.sociosanitario), "totale": euro(cat.totale),
                       "pro_capite": _cent(cat.pro_capite)} for cat in c.categorie.righe],
        "totali": {k: euro(v) for k, v in c.totali_risorse.items()},
        "pro_capite": _cent(c.pro_capite),
        "popolazione": number_format(c.popolazione, 0, force_grouping=True),
        "stati": c.conteggi_stato(),
        "quote": [(f"{BORDI_QUOTA[i]}–{BORDI_QUOTA[i + 1]}%", n) for i, n in enumerate(c.distribuzione_quote())],
        "classi": c.classi_quote(),
        "risorse_ts": [dict(r, quantita_t=_decimale(r["quantita"], 0 if r["quantita"] == int(r["quantita"]) else 2),
                            valore_t=euro(r["valore"])) for r in c.risorse_terzo_settore],
        "valore_ts": euro(sum(r["valore"] for r in c.risorse_terzo_settore)),
        "scadenza": _data(c.filtri.ciclo.scadenza_approvazione) if c.filtri.ciclo else "",
        # The figures may come from the cache (a minute at most, and renewed at each change).
        "aggiornati_il": date_format(timezone.localtime(c.calcolato_il), "d/m/Y H:i:s") if c.calcolato_il else "",
    }


# --- pages ------------------------------------------------------------------------------------


def _righe_pagina(request, c: Cruscotto):
    ordine = request.GET.get("ordine") or "nome"
    pagina = Paginator(ordina(c.righe, ordine), PER_PAGINA).get_page(request.GET.get("pagina"))
    # One reverse() for the page, not one {% url %} per row: the ids are put in its place.
    modello = reverse("risorse:cruscotto_ambito", args=[SEGNAPOSTO])
    ciclo = c.filtri.ciclo
    query = f"?ciclo={ciclo.pk}&tipo={c.filtri.tipo}" if ciclo else ""
    for r in pagina.object_list:
        r.indirizzo = modello.replace(str(SEGNAPOSTO), str(r.pk)) + query
        r.scadenza_t = _scadenza_testo(r)
        r.risorse_t = euro(r.risorse) if r.piano_id else ""
        r.pro_capite_t = _cent(r.pro_capite)
        r.quota_t = _percento(r.quota)
        r.valore_ts_t = euro(r.valore_terzo_settore)
    return pagina


@login_required
def cruscotto_regionale(request):
    # The region follows from the user's regions and the address: both are in the page's key.
    regione, regioni = _regione_scelta(request)

    def contesto():
        filtri, form = _filtri(request, regione)
        c = cruscotto_in_cache(filtri, request)
        valori = _contesto(request, c, form, regionale=True,
                           indirizzo_csv=lambda t: reverse("risorse:cruscotto_regionale_csv", args=[t]))
        valori.update(regione=regione, regioni=regioni, pagina=_righe_pagina(request, c))
        return valori

    # The whole page from the cache, once the user's right to read the region is checked.
    return pagina_in_cache(request, PAGINA_REGIONALE, contesto, regione=regione.pk)


@login_required
def cruscotto_regionale_csv(request, tabella):
    if tabella not in TABELLE:
        raise Http404
    regione, _regioni = _regione_scelta(request)
    filtri, _form = _filtri(request, regione)
    return _risposta_csv(cruscotto_in_cache(filtri, request), tabella,
                         f"cruscotto-{regione.nome.lower().replace(' ', '-')}")


@login_required
def cruscotto_ambito(request, ambito_pk):
    regione_id = _regione_dell_ambito_leggibile(request, ambito_pk)
    if regione_id is None:
        raise Http404(_("Ambito non trovato."))

    def contesto():
        ambito = get_object_or_404(Ambito.objects.select_related("asl__regione"), pk=ambito_pk)
        filtri, form = _filtri(request, ambito.asl.regione, ambito)
        c = cruscotto_in_cache(filtri, request)
        valori = _contesto(request, c, form, regionale=False,
                           indirizzo_csv=lambda t: reverse("risorse:cruscotto_ambito_csv", args=[ambito.pk, t]))
        storia = quote_per_anno(filtri)
        for r in storia:
            r.update(quota_t=_percento(r["quota"]), conferita_t=euro(r["conferita"]), totale_t=euro(r["totale"]))
        valori.update(
            ambito=ambito, riga=c.righe[0] if c.righe else None, storia_quote=storia,
            grafico_storia=grafici.barre_semplici(
                ident="grafico-quota-anni",
                titolo=_("Quota della spesa sociale dei Comuni conferita all'Ufficio di Piano"),
                descrizione=_("Per ogni anno, la parte della spesa sociale dei Comuni dell'ambito conferita "
                              "all'Ufficio di Piano o gestita in forma associata, in percentuale."),
                voci=[(str(r["anno"]), float(r["quota"])) for r in storia if r["quota"] is not None],
                formato=lambda v: f"{_decimale(Decimal(str(v)), 1)}%", vuoto=_("Nessuna spesa dei Comuni registrata"),
                scala=100),
            regionale_legge=Permessi(request.user).consulta_regione(ambito.asl.regione_id),
        )
        if valori["riga"] is not None:
            valori["riga"].scadenza_t = _scadenza_testo(valori["riga"])
        return valori

    # The whole page from the cache, once the user's right to read the ambito is checked.
    return pagina_in_cache(request, PAGINA_AMBITO, contesto, regione=regione_id)


@login_required
def cruscotto_ambito_csv(request, ambito_pk, tabella):
    if tabella not in TABELLE:
        raise Http404
    ambito = _ambito_letto(request, ambito_pk)
    filtri, _form = _filtri(request, ambito.asl.regione, ambito)
    if tabella == "quota_udp":
        # The ambito's page shows the share year by year: so does its CSV.
        righe = [[str(r["anno"]), str(r["comuni"]), euro(r["totale"]), euro(r["conferita"]), quota_testo(r["quota"]),
                  r["etichetta_classe"] or _("senza dati")] for r in quote_per_anno(filtri)]
        risposta = HttpResponse(scrivi_csv([_("Anno"), _("Comuni"), _("Spesa sociale dei Comuni (euro)"),
                                            _("Conferita all'Ufficio di Piano (euro)"), _("Quota (%)"),
                                            _("Classe")], righe), content_type="text/csv; charset=utf-8")
        risposta["Content-Disposition"] = f'attachment; filename="cruscotto-{ambito.codice.lower()}-quota-udp.csv"'
        return risposta
    return _risposta_csv(cruscotto_in_cache(filtri, request), tabella, f"cruscotto-{ambito.codice.lower()}")
