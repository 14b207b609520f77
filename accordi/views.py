"""Plan pages. Views stay thin: they check object permission through the selectors, call a
service, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambiti.ruoli import Permessi
from ambiti.selectors import ambiti_con_permesso
from tavoli.selectors import deliberazioni_del_piano, sedute_da_seguire
from tavoli.selectors_tavoli import STATI_PIANO_CON_NUOVI_TAVOLI, tavoli_del_piano
from tavoli.selectors_tavoli import scrivania as scrivania_tavoli

from . import selectors, services
from .exceptions import DatiNonValidi, GuardieNonSoddisfatte, IterError, PermessoNegato
from .forms import CicloForm, PianoForm, TransizioneForm
from .iter import TRANSIZIONI
from .models import CicloProgrammazione, Documento, PianoDiZona, Stato
from .services_consultazione import riepilogo_del_piano as riepilogo_consultazione
from .services_consultazione import scrivania as scrivania_consultazione
from .views_adesioni import riepilogo_del_piano as riepilogo_adesioni
from .views_adesioni import scrivania as scrivania_adesioni


def home(request):
    """What each user has to do next."""
    if not request.user.is_authenticated:
        return render(request, "accordi/home_pubblica.html", {
            "piani_pubblici": selectors.piani_pubblici()[:10],
        })
    permessi = Permessi(request.user)
    piani = list(selectors.piani_visibili(request.user).exclude(
        stato__in=[Stato.CONCLUSO, Stato.ANNULLATO]
    )[:200])
    permessi.prefetch({a for p in piani for a in p.ambiti.all()})
    da_fare = []
    in_corso = []
    for piano in piani:
        azioni = selectors.azioni_disponibili(piano, permessi)
        (da_fare if azioni else in_corso).append((piano, azioni))
    ambiti_udp = ambiti_con_permesso(request.user, "gestisci_piano")
    da_avviare = []
    if ambiti_udp.exists():
        oggi = timezone.localdate()
        for ambito in ambiti_udp.exclude(partecipazioni_piani__ciclo__validita_fine__gte=oggi):
            cicli = CicloProgrammazione.objects.filter(
                regione_id=ambito.asl.regione_id, validita_fine__gte=oggi
            )
            if cicli.exists():
                da_avviare.append(ambito)
    return render(request, "accordi/home.html", {
        "da_fare": da_fare, "in_corso": in_corso, "da_avviare": da_avviare, "oggi": timezone.localdate(),
        "sedute": sedute_da_seguire(request.user),
        "tavoli": scrivania_tavoli(request.user),
        "consultazione": scrivania_consultazione(request.user),
        "adesioni": scrivania_adesioni(request.user),
        # A regional officer's own pages, reached from the desk (one query).
        "regioni": list(_regioni_gestite(request.user).order_by("nome")),
    })


@login_required
def piani_elenco(request):
    piani = selectors.piani_visibili(request.user)
    stato = request.GET.get("stato", "")
    if stato in Stato.values:
        piani = piani.filter(stato=stato)
    q = request.GET.get("q", "").strip()
    if q:
        piani = piani.filter(Q(titolo__icontains=q) | Q(ambiti__nome__icontains=q)).distinct()
    return render(request, "accordi/piani_elenco.html", {
        "piani": piani[:500], "stati": Stato.choices, "stato": stato, "q": q,
        "puo_creare": ambiti_con_permesso(request.user, "gestisci_piano").exists(),
    })


@login_required
def piano_nuovo(request):
    ambiti = ambiti_con_permesso(request.user, "gestisci_piano")
    if not ambiti.exists():
        raise PermissionDenied
    regioni = ambiti.values("asl__regione")
    cicli = CicloProgrammazione.objects.filter(
        regione__in=regioni, validita_fine__gte=timezone.localdate()
    ).select_related("regione")
    form = PianoForm(request.POST or None, ambiti=ambiti, cicli=cicli)
    if not cicli.exists():
        messages.warning(request, _("Non c'è un ciclo di programmazione aperto per la tua regione: la "
                                    "Regione deve prima definirlo."))
    if request.method == "POST" and form.is_valid():
        try:
            piano = services.piano_crea(
                ciclo=form.cleaned_data["ciclo"], ambiti=form.cleaned_data["ambiti"],
                titolo=form.cleaned_data["titolo"], utente=request.user,
            )
        except PermessoNegato as exc:
            raise PermissionDenied(str(exc)) from exc
        except DatiNonValidi as exc:
            for messaggio in exc.messaggi:
                form.add_error(None, messaggio)
        else:
            messages.success(request, _("Piano creato: l'iter parte dallo stato «Avvio»."))
            return redirect("accordi:piano", pk=piano.pk)
    return render(request, "accordi/piano_nuovo.html", {"form": form})


def _piano_o_404(request, pk) -> PianoDiZona:
    piano = selectors.piano_per_utente(request.user, pk)
    if piano is None:
        raise Http404(_("Piano non trovato."))
    return piano


@login_required
def piano_dettaglio(request, pk):
    piano = _piano_o_404(request, pk)
    permessi = Permessi(request.user)
    permessi.prefetch(piano.ambiti.all())
    azioni = selectors.azioni_disponibili(piano, permessi)
    giorni = (piano.ciclo.scadenza_approvazione - timezone.localdate()).days
    return render(request, "accordi/piano_dettaglio.html", {
        "piano": piano,
        "passi": selectors.passi_iter(piano),
        "azioni": azioni,
        "timeline": selectors.timeline(piano),
        "giorni_alla_scadenza": giorni,
        "giorni_di_ritardo": -giorni,
        "documenti": selectors.documenti_del_piano(piano),
        "deliberazioni": deliberazioni_del_piano(piano),
        "tavoli": list(tavoli_del_piano(piano)),
        "nuovi_tavoli": piano.stato in STATI_PIANO_CON_NUOVI_TAVOLI,
        "puo_generare": permessi.ha_su_alcuno("gestisci_piano", piano.ambiti.all()),
        "tipi_generabili": [(t, Documento.Tipo(t).label) for t in
                            (Documento.Tipo.PIANO_BOZZA, Documento.Tipo.PIANO_DEFINITIVO, Documento.Tipo.ACCORDO)],
        "consultazione_intesa": riepilogo_consultazione(piano),
        "adesioni_piano": riepilogo_adesioni(piano, permessi),
        "puo_inviare_sindacati": piano.stato == Stato.BOZZA and permessi.ha_su_alcuno("gestisci_piano",
                                                                                      piano.ambiti.all()),
        "puo_intesa": piano.stato == Stato.INTESA_ASL and permessi.ha_su_alcuno("esprimi_intesa", piano.ambiti.all()),
    })


@login_required
@require_POST
def piano_transizione(request, pk, nome):
    piano = _piano_o_404(request, pk)
    if nome not in TRANSIZIONI:
        raise Http404
    form = TransizioneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Richiesta incompleta: ricarica la pagina e riprova."))
        return redirect("accordi:piano", pk=piano.pk)
    try:
        voce = services.esegui_transizione(
            piano=piano, nome=nome, utente=request.user, nota=form.cleaned_data["nota"],
            stato_atteso=form.cleaned_data["stato_atteso"],
        )
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except GuardieNonSoddisfatte as exc:
        messages.error(request, _("Non è ancora possibile: %(cosa)s") % {"cosa": " ".join(exc.messaggi)})
    except IterError as exc:
        messages.error(request, " ".join(exc.messaggi))
    else:
        messages.success(request, _("Fatto: il piano è ora nello stato «%(stato)s».")
                         % {"stato": voce.get_a_stato_display()})
    return redirect("accordi:piano", pk=piano.pk)


def pubblico_piani(request):
    return render(request, "accordi/pubblico_piani.html", {"piani": selectors.piani_pubblici()[:500]})


def pubblico_piano(request, pk):
    from .selectors_portale import accordi_in_vigore

    piano = get_object_or_404(selectors.piani_pubblici(), pk=pk)
    return render(request, "accordi/pubblico_piano.html", {
        "piano": piano, "timeline": selectors.timeline(piano),
        "accordo": accordi_in_vigore().filter(piano=piano).first(),
    })


def _regioni_gestite(utente):
    from guardian.shortcuts import get_objects_for_user

    from ambiti.models import Regione

    return get_objects_for_user(utente, "ambiti.consulta_regione", klass=Regione, accept_global_perms=False)


@login_required
def cicli_elenco(request):
    """Regional officers manage the planning cycles of their region."""
    regioni = _regioni_gestite(request.user)
    if not regioni.exists():
        raise PermissionDenied
    cicli = CicloProgrammazione.objects.filter(regione__in=regioni).select_related("regione")
    return render(request, "accordi/cicli_elenco.html", {
        "cicli": cicli, "oggi": timezone.localdate(), "regioni": list(regioni.order_by("nome")),
    })


@login_required
def ciclo_modifica(request, pk=None):
    regioni = _regioni_gestite(request.user)
    if not regioni.exists():
        raise PermissionDenied
    ciclo = get_object_or_404(CicloProgrammazione, pk=pk, regione__in=regioni) if pk else None
    form = CicloForm(request.POST or None, instance=ciclo, regioni=regioni)
    if request.method == "POST" and form.is_valid():
        ciclo = form.save()
        messages.success(request, _("Ciclo %(ciclo)s salvato.") % {"ciclo": ciclo})
        return redirect("accordi:cicli")
    return render(request, "accordi/ciclo_form.html", {"form": form, "ciclo": ciclo})


def errore_403(request, exception=None):
    return render(request, "403.html", status=403)


def errore_404(request, exception=None):
    return render(request, "404.html", status=404)
