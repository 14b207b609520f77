"""The minutes editor of a tavolo's session: drafting with optimistic concurrency,
circulating, reopening, approving, and the members' observations. Thin, as the other tavoli
pages (see ``views_tavoli``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ambiti.exceptions import IterError, PermessoNegato, StatoCambiato
from ambiti.viste import esegui as _esegui

from . import selectors_tavoli as sel
from . import services_tavoli as st
from . import services_verbali as sv
from .forms_tavoli import ApprovazioneForm, OsservazioneForm, VerbaleForm
from .models import SedutaTavolo, VerbaleTavolo
from .views_tavoli import _seduta_leggibile

S = SedutaTavolo.Stato
V = VerbaleTavolo.Stato


# --- minutes -------------------------------------------------------------------------------

def _punti(verbale: VerbaleTavolo, seduta: SedutaTavolo) -> list[str]:
    """The agenda items as the minutes recorded them (the agenda, if the minutes have none)."""
    voci = [v.get("punto", "") for v in (verbale.discussione or [])]
    return voci or seduta.punti


def _contesto_verbale(request, seduta: SedutaTavolo, verbale: VerbaleTavolo | None, **moduli) -> dict:
    utente = request.user
    tavolo = seduta.tavolo
    coordina = st.puo_coordinare(utente, tavolo)
    ctx = {"seduta": seduta, "tavolo": tavolo, "piano": tavolo.piano, "verbale": verbale, "coordina": coordina,
           "presenze": sel.presenze(seduta), **sel.contributi(seduta)}
    if verbale is None:
        return ctx
    mio = st.membro_attivo(utente, tavolo)
    ctx["visibile"] = coordina or verbale.stato != V.BOZZA
    ctx["modificabile"] = coordina and verbale.modificabile
    if ctx["modificabile"]:
        form = moduli.get("form") or VerbaleForm(initial=VerbaleForm.iniziale(verbale), punti=_punti(verbale, seduta))
        ctx["form"] = form
        ctx["form_approva"] = moduli.get("form_approva") or ApprovazioneForm(sedute=sel.sedute_per_approvazione(seduta))
    else:
        ctx["discussione"] = verbale.discussione or []
    if coordina:
        ctx["osservazioni"] = sel.osservazioni(verbale)
    elif mio is not None:
        ctx["osservazioni"] = sel.osservazioni(verbale, autore=utente)
    if mio is not None and not coordina and verbale.stato == V.IN_CIRCOLAZIONE:
        ctx["form_osservazione"] = moduli.get("form_osservazione") or OsservazioneForm()
    ctx["altrui"] = moduli.get("altrui")
    return ctx


def _salva_e(azione: str, *, verbale, utente, form, form_approva, stato_atteso: str | None):
    """Save the editor's text and, in the same transaction, make the transition the user asked
    for: if the transition is refused, the text is not half-saved either."""
    with transaction.atomic():
        d = form.cleaned_data
        verbale = sv.verbale_salva(verbale=verbale, utente=utente, versione=d["versione"],
                                   discussione=form.discussione(), decisioni=d["decisioni"],
                                   prossimi_passi=d["prossimi_passi"])
        if azione == "invia":
            verbale = sv.verbale_invia(verbale=verbale, utente=utente, stato_atteso=stato_atteso)
        elif azione == "riapri":
            verbale = sv.verbale_riapri(verbale=verbale, utente=utente, stato_atteso=stato_atteso)
        elif azione == "approva":
            a = form_approva.cleaned_data
            verbale = sv.verbale_approva(
                verbale=verbale, utente=utente, modalita=a["modalita"], stato_atteso=stato_atteso,
                seduta_approvazione=a["seduta_approvazione"] if a["modalita"] == VerbaleTavolo.Approvazione.SEDUTA
                else None)
    return verbale


ESITI_VERBALE = {
    "salva": _lazy("Verbale salvato."),
    "invia": _lazy("Verbale salvato e inviato ai componenti per le osservazioni."),
    "riapri": _lazy("Verbale salvato e riaperto: puoi modificarlo e inviarlo di nuovo."),
    "approva": _lazy("Verbale approvato: l'atto in PDF è in preparazione."),
}


@login_required
def verbale_tavolo(request, pk):
    seduta = _seduta_leggibile(request, pk)
    utente = request.user
    coordina = st.puo_coordinare(utente, seduta.tavolo)
    verbale = sel.verbale_di(seduta)
    if verbale is None and coordina and seduta.stato == S.SVOLTA:
        verbale = _esegui(request, sv.verbale_garantisci, None, seduta=seduta, utente=utente) or None
    if request.method != "POST":
        return render(request, "tavoli/tavoli/verbale.html", _contesto_verbale(request, seduta, verbale))
    if verbale is None:
        raise PermissionDenied
    azione = request.POST.get("azione", "")
    pagina = reverse("tavoli:verbale_tavolo", args=[seduta.pk])

    if azione == "osserva":
        if st.membro_attivo(utente, seduta.tavolo) is None:
            raise PermissionDenied
        form_oss = OsservazioneForm(request.POST)
        if form_oss.is_valid() and _esegui(request, sv.osservazione_aggiungi,
                                           _("Osservazione inviata a chi redige il verbale."),
                                           verbale=verbale, utente=utente, testo=form_oss.cleaned_data["testo"]):
            return redirect(pagina)
        return render(request, "tavoli/tavoli/verbale.html",
                      _contesto_verbale(request, seduta, verbale, form_osservazione=form_oss))

    if not coordina:
        raise PermissionDenied
    if azione not in ESITI_VERBALE:
        raise Http404
    form = VerbaleForm(request.POST, punti=_punti(verbale, seduta))
    form_approva = ApprovazioneForm(request.POST if azione == "approva" else None,
                                    sedute=sel.sedute_per_approvazione(seduta))
    altrui = None
    if form.is_valid() and (azione != "approva" or form_approva.is_valid()):
        try:
            _salva_e(azione, verbale=verbale, utente=utente, form=form, form_approva=form_approva,
                     stato_atteso=request.POST.get("stato_atteso") or None)
        except PermessoNegato as exc:
            raise PermissionDenied(str(exc)) from exc
        except StatoCambiato as exc:
            for m in exc.messaggi:
                messages.error(request, m)
            # Keep the user's text; show what the other person saved and take their version as
            # the base, so that saving again is a deliberate choice.
            altrui = VerbaleTavolo.objects.select_related("redatto_da").get(pk=verbale.pk)
            dati = request.POST.copy()
            dati["versione"] = str(altrui.versione)
            form = VerbaleForm(dati, punti=_punti(verbale, seduta))
            form.is_valid()
            verbale = altrui
        except IterError as exc:
            for m in exc.messaggi:
                messages.error(request, m)
        else:
            messages.success(request, str(ESITI_VERBALE[azione]))
            return redirect(pagina)
    return render(request, "tavoli/tavoli/verbale.html", _contesto_verbale(
        request, seduta, verbale, form=form, form_approva=form_approva, altrui=altrui))
