"""Pages of the unions' consultation and of the ASL's intesa. Each view checks object-level
permission, calls a service and renders; the services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambiti.models import Ambito
from ambiti.ruoli import Permessi

from . import services_consultazione as sc
from . import services_versioni
from .exceptions import GuardieNonSoddisfatte, IterError, PermessoNegato
from .forms_consultazione import (
    ChiusuraForm,
    IntesaForm,
    InvioSindacatiForm,
    OsservazioniFormSet,
    ParereForm,
    RinvioForm,
    RispostaForm,
)
from .models import OsservazioneParere, Parere, PianoDiZona, Stato


def _piano(pk) -> PianoDiZona:
    return get_object_or_404(
        PianoDiZona.objects.select_related("ciclo").prefetch_related(
            Prefetch("ambiti", queryset=Ambito.objects.select_related("asl"))), pk=pk)


class Ruoli:
    """What the user is for a plan: Ufficio di Piano, ASL, reader of the ambito (or of the region)."""

    def __init__(self, utente, piano: PianoDiZona):
        self.permessi = Permessi(utente)
        ambiti = list(piano.ambiti.all())
        self.permessi.prefetch(ambiti)
        self.udp = self.permessi.ha_su_alcuno("gestisci_piano", ambiti)
        self.asl = self.permessi.ha_su_alcuno("esprimi_intesa", ambiti)
        self.lettore = (self.udp or self.permessi.ha_su_alcuno("consulta_ambito", ambiti)
                        or self.permessi.consulta_regione(piano.ciclo.regione_id))


def _errori(request, exc: IterError, form=None) -> None:
    if isinstance(exc, PermessoNegato):
        raise PermissionDenied(str(exc)) from exc
    if isinstance(exc, GuardieNonSoddisfatte):
        testo = _("Non è ancora possibile: %(cosa)s") % {"cosa": " ".join(exc.messaggi)}
        messaggi = [testo]
    else:
        messaggi = exc.messaggi
    for messaggio in messaggi:
        if form is not None:
            form.add_error(None, messaggio)
        else:
            messages.error(request, messaggio)


@login_required
def invia_sindacati(request, piano_pk):
    """The Ufficio di Piano freezes the draft and sends it to the unions with a deadline."""
    piano = _piano(piano_pk)
    if not Ruoli(request.user, piano).udp:
        raise PermissionDenied
    sindacati = sc.sindacati_del_piano(piano)
    elenco = list(sindacati)
    form = InvioSindacatiForm(request.POST or None, sindacati=sindacati,
                              initial={"sindacati": [s.pk for s in elenco]})
    if request.method == "POST" and piano.stato == Stato.BOZZA and form.is_valid():
        try:
            consultazione = sc.invia_ai_sindacati(
                piano=piano, utente=request.user, sindacati=list(form.cleaned_data["sindacati"]),
                scadenza=form.cleaned_data["scadenza"], nota=form.cleaned_data["nota"],
                stato_atteso=request.POST.get("stato_atteso") or None)
        except IterError as exc:
            _errori(request, exc, form)
        else:
            messages.success(request, _("Bozza congelata nella versione %(n)s e inviata ai sindacati.")
                             % {"n": consultazione.versione.numero})
            for avviso in sc.livelli_mancanti(form.cleaned_data["sindacati"]):
                messages.warning(request, avviso)
            return redirect("accordi:consultazione", pk=consultazione.pk)
    return render(request, "accordi/consultazione/invia.html", {
        "piano": piano, "form": form, "nessun_sindacato": not elenco,
        "avvisi_livelli": sc.livelli_mancanti(elenco) if elenco else [],
        "ultima": services_versioni.versione_ultima(piano),
        "bozza_modificata": services_versioni.bozza_modificata(piano),
        "in_bozza": piano.stato == Stato.BOZZA,
    })


@login_required
def consultazione(request, pk):
    """Each union's parere and the observations, with the Ufficio di Piano's answers."""
    consultazione = get_object_or_404(sc.Consultazione.objects.only("pk", "piano_id"), pk=pk)
    consultazione = sc.consultazione_con_pareri(consultazione.pk)
    piano = consultazione.piano
    ruoli = Ruoli(request.user, piano)
    if not ruoli.lettore:
        propri = sc.sindacati_rappresentati(request.user)
        proprio = next((p for p in consultazione.pareri.all() if p.sindacato_id in propri), None)
        if proprio is None:
            raise PermissionDenied
        return redirect("accordi:parere", pk=proprio.pk)
    aperta = consultazione.chiusa_il is None
    titoli = dict(sc.sezioni_della_versione(consultazione.versione))
    for p in consultazione.pareri.all():
        for o in p.osservazioni.all():
            o.titolo_sezione = titoli.get(o.sezione) or o.sezione
    return render(request, "accordi/consultazione/consultazione.html", {
        "piano": piano, "consultazione": consultazione, "pareri": consultazione.pareri.all(),
        "udp": ruoli.udp, "aperta": aperta, "scaduta": timezone.now() >= consultazione.scadenza,
        "risposte": OsservazioneParere.Risposta.choices,
        "con_osservazioni": any(p.testo or p.osservazioni.all() for p in consultazione.pareri.all()),
        "puo_chiudere": ruoli.udp and aperta and piano.stato == Stato.PARERE_SINDACATI,
        "nota_rinvio": sc.nota_di_rinvio(consultazione) if ruoli.udp and aperta else "",
    })


def _consultazione_per_azione(request, pk):
    consultazione = get_object_or_404(sc.Consultazione.objects.select_related("piano"), pk=pk)
    if not Ruoli(request.user, consultazione.piano).udp:
        raise PermissionDenied
    return consultazione


@login_required
@require_POST
def consultazione_chiudi(request, pk):
    consultazione = _consultazione_per_azione(request, pk)
    form = ChiusuraForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Richiesta incompleta: ricarica la pagina e riprova."))
        return redirect("accordi:consultazione", pk=pk)
    try:
        sc.chiudi_consultazione(piano=consultazione.piano, utente=request.user, nota=form.cleaned_data["nota"],
                                stato_atteso=form.cleaned_data["stato_atteso"])
    except IterError as exc:
        _errori(request, exc)
        return redirect("accordi:consultazione", pk=pk)
    messages.success(request, _("Consultazione chiusa: il piano passa all'approvazione."))
    return redirect("accordi:piano", pk=consultazione.piano_id)


@login_required
@require_POST
def consultazione_rinvia(request, pk):
    consultazione = _consultazione_per_azione(request, pk)
    form = RinvioForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indica le osservazioni che motivano il rinvio alla stesura."))
        return redirect("accordi:consultazione", pk=pk)
    try:
        sc.rinvia_alla_stesura(piano=consultazione.piano, utente=request.user, nota=form.cleaned_data["nota"],
                               stato_atteso=form.cleaned_data["stato_atteso"])
    except IterError as exc:
        _errori(request, exc)
        return redirect("accordi:consultazione", pk=pk)
    messages.success(request, _("La bozza è riaperta con le osservazioni dei sindacati; la versione inviata resta "
                                "consultabile."))
    return redirect("accordi:piano", pk=consultazione.piano_id)


@login_required
@require_POST
def osservazione_rispondi(request, pk):
    osservazione = get_object_or_404(OsservazioneParere.objects.select_related("parere__consultazione__piano"), pk=pk)
    consultazione = osservazione.parere.consultazione
    if not Ruoli(request.user, consultazione.piano).udp:
        raise PermissionDenied
    form = RispostaForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Scegli la risposta: accolta, accolta in parte o non accolta."))
    else:
        try:
            sc.osservazione_rispondi(osservazione=osservazione, utente=request.user, **form.cleaned_data)
        except IterError as exc:
            _errori(request, exc)
        else:
            messages.success(request, _("Risposta registrata."))
    return redirect(reverse("accordi:consultazione", args=[consultazione.pk]) + f"#osservazione-{osservazione.pk}")


@login_required
def parere(request, pk):
    """The union's referent reads the version sent and gives the parere; readers of the ambito
    see it."""
    parere = get_object_or_404(
        Parere.objects.select_related("sindacato", "espresso_da", "consultazione", "consultazione__versione",
                                      "consultazione__versione__documento", "consultazione__piano",
                                      "consultazione__piano__ciclo")
        .prefetch_related("osservazioni", "consultazione__piano__ambiti"), pk=pk)
    consultazione = parere.consultazione
    piano = consultazione.piano
    referente = parere.sindacato_id in sc.sindacati_rappresentati(request.user)
    if not referente and not Ruoli(request.user, piano).lettore:
        raise PermissionDenied
    adesso = timezone.now()
    puo_esprimere = (referente and parere.esito == Parere.Esito.ATTESO and consultazione.chiusa_il is None
                     and adesso < consultazione.scadenza)
    sezioni = sc.sezioni_della_versione(consultazione.versione)
    etichette = dict(sezioni)
    form = formset = None
    if puo_esprimere:
        dati = (request.POST, request.FILES) if request.method == "POST" else (None, None)
        form = ParereForm(*dati)
        formset = OsservazioniFormSet(dati[0], prefix="oss", form_kwargs={"sezioni": sezioni})
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            osservazioni = [(f.cleaned_data.get("sezione", ""), f.cleaned_data.get("testo", ""))
                            for f in formset.forms if f.cleaned_data]
            try:
                sc.parere_esprimi(parere=parere, utente=request.user, esito=form.cleaned_data["esito"],
                                  testo=form.cleaned_data["testo"], osservazioni=osservazioni,
                                  allegato=form.cleaned_data.get("allegato"))
            except IterError as exc:
                _errori(request, exc, form)
            else:
                messages.success(request, _("Parere registrato: l'Ufficio di Piano ne riceve avviso."))
                return redirect("accordi:parere", pk=parere.pk)
    elif request.method == "POST":
        messages.error(request, _("Il parere non può più essere espresso."))
        return redirect("accordi:parere", pk=parere.pk)
    return render(request, "accordi/consultazione/parere.html", {
        "piano": piano, "parere": parere, "consultazione": consultazione, "versione": consultazione.versione,
        "form": form, "formset": formset, "referente": referente, "scaduta": adesso >= consultazione.scadenza,
        "osservazioni": [(o, etichette.get(o.sezione, o.sezione)) for o in parere.osservazioni.all()],
    })


@login_required
def intesa(request, piano_pk):
    """The ASL's referent gives the intesa on the latest version; readers see the intese given."""
    piano = _piano(piano_pk)
    ruoli = Ruoli(request.user, piano)
    if not (ruoli.asl or ruoli.lettore):
        raise PermissionDenied
    puo_esprimere = ruoli.asl and piano.stato == Stato.INTESA_ASL
    form = IntesaForm(request.POST or None, request.FILES or None) if puo_esprimere else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                esito = sc.intesa_registra(piano=piano, utente=request.user, stato_atteso=Stato.INTESA_ASL,
                                           **form.cleaned_data)
            except IterError as exc:
                _errori(request, exc, form)
            else:
                if esito.esito == esito.Esito.POSITIVA:
                    messages.success(request, _("Intesa positiva registrata: il piano passa all'Accordo di "
                                                "Programma."))
                else:
                    messages.success(request, _("Intesa negativa registrata: la bozza torna all'Ufficio di Piano "
                                                "con le motivazioni."))
                return redirect("accordi:piano", pk=piano.pk)
    return render(request, "accordi/consultazione/intesa.html", {
        "piano": piano, "form": form, "versione": services_versioni.versione_ultima(piano),
        "intese": list(piano.intese.select_related("versione", "espressa_da").order_by("-espressa_il", "-pk")),
        "asl": ruoli.asl,
    })
