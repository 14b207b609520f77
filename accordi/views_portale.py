"""Public pages: the Terzo Settore portal (landing, a body's registration and its confirmation)
and the Accordi di Programma in force or open to adesione. Nothing here needs an account, and
nothing here shows private data: no e-mail, no codice fiscale of a person, no draft.

The registration form always answers the same way (see ``accordi.services_registrazione``):
whether the address or the codice fiscale is known is told only to the mailbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from ambiti.models import Ambito

from . import selectors_accordo, services_registrazione
from .forms_portale import TRAPPOLA, RegistrazioneForm
from .models import Documento, Stato, StatoAdesione
from .selectors_portale import accordi_aperti_adesioni, accordi_in_vigore, enti_rappresentati
from .services_registrazione import GiaConfermata, LinkNonValido, NonCompletabile

# Per client address: a person fills the form in a few times at most.
LIMITE_ORA, LIMITE_GIORNO = "5/h", "20/d"
# Per e-mail address, over every client: nobody's mailbox is flooded from many addresses.
LIMITE_EMAIL = "5/d"


def troppe_richieste(request, exception=None):
    """``RATELIMIT_VIEW``: the answer of every rate-limited public form."""
    # the verification counts per minute, the registration per hour and per day
    nome = getattr(getattr(request, "resolver_match", None), "url_name", "") or ""
    minuti = 1 if nome.startswith("verifica") else 60
    risposta = render(request, "accordi/portale/troppe_richieste.html", {"minuti": minuti}, status=429)
    risposta["Retry-After"] = str(minuti * 60)
    return risposta


# --- the portal ---------------------------------------------------------------------------------

def portale(request):
    accordi = accordi_aperti_adesioni().select_related("piano__ciclo__regione").prefetch_related("piano__ambiti")
    return render(request, "accordi/portale/portale.html", {
        "accordi": accordi,
        "enti": list(enti_rappresentati(request.user)),
    })


def _chiave_email(group, request) -> str:
    return (request.POST.get("email") or "").strip().lower()


@ratelimit(key="ip", rate=LIMITE_ORA, method="POST")
@ratelimit(key="ip", rate=LIMITE_GIORNO, method="POST")
@require_http_methods(["GET", "POST"])
def registrazione(request):
    form = RegistrazioneForm(request.POST or None, ambiti=Ambito.objects.order_by("nome"))
    if request.method == "POST":
        if form.e_un_robot():
            return redirect("accordi:registrazione_inviata")  # pretend: nothing kept, nothing sent
        if form.is_valid():
            if is_ratelimited(request, group="accordi.registrazione.email", key=_chiave_email, rate=LIMITE_EMAIL,
                              method="POST", increment=True):
                return troppe_richieste(request)
            services_registrazione.registrazione_richiedi(
                dati=form.dati_registrazione(), password=form.cleaned_data["password1"])
            return redirect("accordi:registrazione_inviata")
    return render(request, "accordi/portale/registrazione.html", {
        "form": form, "trappola": form[TRAPPOLA], "giorni": services_registrazione.CONSERVAZIONE.days,
    })


def registrazione_inviata(request):
    return render(request, "accordi/portale/registrazione_inviata.html", {
        "ore": int(services_registrazione.VALIDITA_LINK.total_seconds() // 3600),
    })


def _esito_link(request, exc):
    if isinstance(exc, GiaConfermata):
        return render(request, "accordi/portale/conferma_gia_fatta.html")
    return render(request, "accordi/portale/conferma_non_valida.html", {"motivo": exc.messaggi[0]}, status=400)


@require_http_methods(["GET", "POST"])
def registrazione_conferma(request, token):
    """The link of the e-mail. Opening it only shows what will be created: the account is made by
    the button (a POST), so that a mail filter that opens links does not use it up, nor sign in
    on its own behalf."""
    try:
        richiesta = services_registrazione.richiesta_da_token(token)
    except (LinkNonValido, GiaConfermata) as exc:
        return _esito_link(request, exc)
    if request.method == "POST":
        try:
            esito = services_registrazione.registrazione_conferma(token=token)
        except (LinkNonValido, GiaConfermata) as exc:
            return _esito_link(request, exc)
        except NonCompletabile:
            return render(request, "accordi/portale/conferma_non_completabile.html", status=409)
        login(request, esito.utente, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Registrazione completata: l'ente «%(ente)s» è registrato e hai effettuato "
                                    "l'accesso come suo referente.") % {"ente": esito.ente.denominazione})
        return redirect("accordi:area_ente")
    return render(request, "accordi/portale/conferma.html", {
        "denominazione": richiesta.dati.get("denominazione", ""), "email": richiesta.email,
    })


# --- the Accordi, publicly ------------------------------------------------------------------------

def accordi_vigenti(request):
    accordi = (
        accordi_in_vigore().select_related("piano__ciclo__regione").prefetch_related("piano__ambiti")
        .annotate(n_parti=Count("parti", distinct=True),
                  n_aderenti=Count("adesioni", filter=Q(adesioni__stato=StatoAdesione.SOTTOSCRITTA), distinct=True))
    )
    return render(request, "accordi/portale/accordi_vigenti.html", {"accordi": accordi})


def _accordo_pubblico(pk):
    """The Accordo ``pk`` if the public may read it (in force, or open to adesione while it is
    being signed), with whether it is in force."""
    accordo = accordi_in_vigore().filter(pk=pk).first()
    if accordo is not None:
        return accordo, True
    accordo = accordi_aperti_adesioni().select_related("documento").filter(pk=pk).first()
    if accordo is None:
        raise Http404(_("Accordo non trovato."))
    return accordo, False


def accordo_pubblico(request, pk):
    accordo, in_vigore = _accordo_pubblico(pk)
    documento = accordo.documento if accordo.documento_id and accordo.documento.stato == Documento.Stato.PRONTO \
        else None
    return render(request, "accordi/portale/accordo_pubblico.html", {
        "accordo": accordo, "piano": accordo.piano, "in_vigore": in_vigore, "documento": documento,
        # open to adesione: being signed, or in force and not being updated
        "aperto": not in_vigore or accordo.piano.stato == Stato.VIGENTE,
        "ambiti": list(accordo.piano.ambiti.all()),
        "parti": list(accordo.parti.select_related("ente").order_by("ordine", "pk")),
        "ripartizione": selectors_accordo.ripartizione(accordo),
        "aderenti": selectors_accordo.aderenti(accordo),
    })
