"""Pages of the plan's versions: the list, one frozen version, two versions side by side.

Who reads them: the Ufficio di Piano (also the working draft, as version 0), whoever reads
the ambito's plan and the regional officers; a union's referent only the versions sent to
their union for its parere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import confronto as confronti
from . import selectors, services_versioni
from .exceptions import IterError, PermessoNegato
from .models import PianoDiZona, Stato, VersionePiano


def _accesso(request, piano_pk: int) -> services_versioni.Accesso:
    piano = get_object_or_404(PianoDiZona.objects.select_related("ciclo"), pk=piano_pk)
    accesso = services_versioni.accesso_versioni(request.user, piano)
    if accesso is None:
        raise PermissionDenied
    return accesso


def _versioni(accesso: services_versioni.Accesso):
    return services_versioni.versioni_leggibili(accesso)


@login_required
def versioni(request, piano_pk):
    if request.GET.get("scheda"):
        return _scheda(request, piano_pk)
    accesso = _accesso(request, piano_pk)
    elenco = list(_versioni(accesso))
    numeri = {v.numero for v in elenco}
    for v in elenco:
        v.precedente = v.numero - 1 if v.numero - 1 in numeri else None
    return render(request, "accordi/versioni/elenco.html", {
        "piano": accesso.piano, "versioni": elenco, "udp": accesso.udp,
        "puo_congelare": accesso.udp and accesso.piano.stato == Stato.BOZZA,
        "bozza_modificata": accesso.udp and services_versioni.bozza_modificata(accesso.piano),
    })


def _scheda(request, piano_pk):
    """The card of the plan page (loaded by htmx): the versions the user may read."""
    piano = get_object_or_404(PianoDiZona.objects.select_related("ciclo"), pk=piano_pk)
    accesso = services_versioni.accesso_versioni(request.user, piano)
    if accesso is None and selectors.piano_per_utente(request.user, piano.pk) is None:
        raise PermissionDenied
    elenco = list(_versioni(accesso)[:20]) if accesso else []
    numeri = {v.numero for v in elenco}
    for v in elenco:
        v.precedente = v.numero - 1 if v.numero - 1 in numeri else None
    return render(request, "accordi/versioni/_scheda.html", {
        "piano": piano, "versioni": elenco, "udp": bool(accesso and accesso.udp),
    })


@login_required
@require_POST
def congela(request, piano_pk):
    accesso = _accesso(request, piano_pk)
    if not accesso.udp:
        raise PermissionDenied
    try:
        versione = services_versioni.versione_congela_a_mano(
            piano=accesso.piano, utente=request.user, nota=request.POST.get("nota", "")[:2000])
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except IterError as exc:
        messages.error(request, " ".join(exc.messaggi))
        return redirect("accordi:versioni", piano_pk=accesso.piano.pk)
    messages.success(request, _("Versione %(n)s congelata: il suo atto in PDF è in preparazione.")
                     % {"n": versione.numero})
    return redirect("accordi:versione", pk=versione.pk)


@login_required
def versione(request, pk):
    piano_pk = get_object_or_404(VersionePiano.objects.values_list("piano_id", flat=True), pk=pk)
    accesso = _accesso(request, piano_pk)
    v = get_object_or_404(VersionePiano.objects.select_related("creata_da", "documento"), pk=pk)
    if not accesso.vede(v.numero):
        raise PermissionDenied
    return render(request, "accordi/versioni/versione.html", {
        "piano": accesso.piano, "versione": v, "udp": accesso.udp,
        "contenuto": services_versioni.contenuto_leggibile(v.contenuto),
        "precedente": v.numero - 1 if v.numero > 1 and accesso.vede(v.numero - 1) else None,
    })


def _numero(valore) -> int | None:
    try:
        numero = int(valore)
    except (TypeError, ValueError):
        return None
    return numero if numero >= 0 else None


@login_required
def confronta(request, piano_pk):
    accesso = _accesso(request, piano_pk)
    elenco = list(_versioni(accesso))
    scelte = [(v.numero, v) for v in elenco]
    ultima = elenco[0].numero if elenco else None
    da, a = _numero(request.GET.get("da")), _numero(request.GET.get("a"))
    errori = []
    if "da" not in request.GET and "a" not in request.GET:
        a = ultima
        da = elenco[1].numero if len(elenco) > 1 else None
    elif da is None or a is None:
        errori.append(_("Indica le due versioni da confrontare con il loro numero."))
    confronto = None
    if not errori and da is not None and a is not None:
        for numero in (da, a):
            if not accesso.vede(numero):
                raise PermissionDenied
        contenuti = {v.numero: v.contenuto for v in VersionePiano.objects.filter(
            piano=accesso.piano, numero__in=[n for n in (da, a) if n])}
        if 0 in (da, a):
            contenuti[0] = services_versioni.istantanea(accesso.piano)
        mancanti = [n for n in (da, a) if n not in contenuti]
        if mancanti:
            errori.append(_("La versione %(n)s di questo piano non esiste.") % {"n": mancanti[0]})
        elif da == a:
            errori.append(_("Scegli due versioni diverse."))
        else:
            confronto = confronti.confronta(contenuti[da], contenuti[a], da=da, a=a)
            confronti.etichetta_differenze(confronto)
    return render(request, "accordi/versioni/confronta.html", {
        "piano": accesso.piano, "udp": accesso.udp, "scelte": scelte, "da": da, "a": a, "errori": errori,
        "confronto": confronto,
    })
