"""Pages of the acts: generation with progress, signing, and public verification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from ambiti.ruoli import Permessi

from . import selectors, services_documenti, services_firme
from .exceptions import DatiNonValidi, IterError, PermessoNegato
from .firme import verifica as v
from .forms_documenti import CaricaFirmaForm, RichiestaFirmaForm, VerificaForm
from .models import Documento, Firmatario, RevisioneDocumento, RichiestaFirma

TIPI_DAL_PIANO = {Documento.Tipo.ACCORDO, Documento.Tipo.PIANO_BOZZA, Documento.Tipo.PIANO_DEFINITIVO}


def _documento_o_404(request, pk) -> Documento:
    documento = get_object_or_404(
        Documento.objects.select_related("piano", "piano__ciclo", "ambito", "ambito__asl"), pk=pk
    )
    if documento.piano_id:
        legge = selectors.piano_per_utente(request.user, documento.piano_id) is not None
    else:  # acts of the Assemblea (deliberations, minutes): whoever reads the ambito
        legge = Permessi(request.user).legge([documento.ambito])
    firma = Firmatario.objects.filter(richiesta__documento=documento, utente=request.user).exists()
    if not (legge or firma):
        raise Http404(_("Documento non trovato."))
    return documento


@login_required
@require_POST
def documento_genera(request, pk, tipo):
    piano = selectors.piano_per_utente(request.user, pk)
    if piano is None:
        raise Http404
    if tipo not in TIPI_DAL_PIANO:
        raise Http404
    try:
        documento = services_documenti.documento_richiedi(
            tipo=tipo, piano=piano, utente=request.user,
            chiave=request.POST.get("chiave") or None,
        )
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except DatiNonValidi as exc:
        messages.error(request, " ".join(exc.messaggi))
        return redirect("accordi:piano", pk=piano.pk)
    return redirect("accordi:documento", pk=documento.pk)


def _contesto_documento(request, documento):
    revisioni = list(documento.revisioni.all())
    richiesta = (
        RichiestaFirma.objects.filter(documento=documento)
        .prefetch_related(Prefetch("firmatari", queryset=Firmatario.objects.select_related("utente", "ente")))
        .first()
    )
    di_turno = services_firme.firmatari_di_turno(richiesta) if richiesta else []
    mio = next((f for f in di_turno if f.utente_id == request.user.pk), None)
    return {
        "documento": documento,
        "revisioni": revisioni,
        "corrente": revisioni[-1] if revisioni else None,
        "richiesta": richiesta,
        "firmatari": list(richiesta.firmatari.all()) if richiesta else [],
        "di_turno": di_turno,
        "mio_turno": mio,
        "firma_demo": bool(mio and services_firme.percorso_certificato_demo(request.user, mio.codice_fiscale)),
        "puo_gestire": Permessi(request.user).ha("gestisci_piano", documento.ambito),
        # a signer who does not read the plan (a body's legal representative) gets no links to it
        "legge_piano": bool(documento.piano_id)
        and selectors.piano_per_utente(request.user, documento.piano_id) is not None,
        "form_carica": CaricaFirmaForm(),
        "eventi": (
            list(richiesta.eventi.select_related("utente", "firmatario__utente").order_by("-quando")[:30])
            if richiesta else []
        ),
        "url_verifica": services_documenti.url_verifica(documento.codice_verifica),
    }


@login_required
def documento_dettaglio(request, pk):
    documento = _documento_o_404(request, pk)
    return render(request, "accordi/documento.html", _contesto_documento(request, documento))


@login_required
def documento_stato(request, pk):
    """Polled by htmx while the PDF is being prepared."""
    documento = _documento_o_404(request, pk)
    risposta = render(request, "accordi/_documento_stato.html", _contesto_documento(request, documento))
    if documento.stato in (Documento.Stato.PRONTO, Documento.Stato.ERRORE):
        risposta["HX-Refresh"] = "true"
    return risposta


def _file(revisione: RevisioneDocumento, nome: str):
    return FileResponse(revisione.file.open("rb"), as_attachment=True, filename=nome, content_type="application/pdf")


@login_required
def documento_scarica(request, pk):
    documento = _documento_o_404(request, pk)
    revisioni = documento.revisioni.all()
    numero = request.GET.get("revisione")
    revisione = revisioni.filter(numero=numero).first() if numero and numero.isdigit() else revisioni.last()
    if revisione is None:
        raise Http404
    return _file(revisione, f"{documento.tipo}-{documento.numero}-{documento.anno}-r{revisione.numero}.pdf")


@login_required
def richiesta_firma(request, pk):
    documento = _documento_o_404(request, pk)
    if not Permessi(request.user).ha("gestisci_piano", documento.ambito):
        raise PermissionDenied
    proposti = services_firme.firmatari_proposti(documento)
    form = RichiestaFirmaForm(request.POST or None, proposti=proposti)
    if request.method == "POST" and form.is_valid():
        try:
            services_firme.richiesta_firma_crea(
                documento=documento, utente=request.user, firmatari=form.firmatari_scelti(),
                modalita=form.cleaned_data["modalita"], scadenza=form.cleaned_data["scadenza"],
            )
        except DatiNonValidi as exc:
            for m in exc.messaggi:
                form.add_error(None, m)
        else:
            messages.success(request, _("Richiesta di firma inviata: i firmatari ricevono l'invito per e-mail."))
            return redirect("accordi:documento", pk=documento.pk)
    return render(request, "accordi/richiesta_firma.html", {"documento": documento, "form": form,
                                                             "proposti": proposti})


def _firmatario_o_404(request, pk) -> Firmatario:
    firmatario = get_object_or_404(Firmatario.objects.select_related("richiesta__documento"), pk=pk)
    _documento_o_404(request, firmatario.richiesta.documento_id)
    return firmatario


@login_required
@require_POST
def firma_carica(request, pk):
    firmatario = _firmatario_o_404(request, pk)
    form = CaricaFirmaForm(request.POST, request.FILES)
    if not form.is_valid():
        for errori in form.errors.values():
            for e in errori:
                messages.error(request, e)
        return redirect("accordi:documento", pk=firmatario.richiesta.documento_id)
    caricato = form.cleaned_data["file"]
    try:
        services_firme.firma_carica(firmatario=firmatario, utente=request.user, nome_file=caricato.name,
                                    dati=caricato.read())
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except IterError as exc:
        messages.error(request, _("Firma non accettata: %(motivo)s Scarica da questa pagina il PDF nella versione "
                                  "più recente, firmalo e caricalo di nuovo.") % {"motivo": " ".join(exc.messaggi)})
    else:
        messages.success(request, _("Firma verificata e registrata."))
    return redirect("accordi:documento", pk=firmatario.richiesta.documento_id)


@login_required
@require_POST
def firma_browser(request, pk):
    firmatario = _firmatario_o_404(request, pk)
    try:
        services_firme.firma_demo(firmatario=firmatario, utente=request.user)
    except PermessoNegato as exc:
        raise PermissionDenied(str(exc)) from exc
    except IterError as exc:
        messages.error(request, _("Firma non riuscita: %(motivo)s") % {"motivo": " ".join(exc.messaggi)})
    else:
        messages.success(request, _("Firmato con il certificato dimostrativo: firma verificata e registrata."))
    return redirect("accordi:documento", pk=firmatario.richiesta.documento_id)


@login_required
def firma_busta(request, pk):
    firmatario = _firmatario_o_404(request, pk)
    if not firmatario.busta_p7m:
        raise Http404
    return FileResponse(firmatario.busta_p7m.open("rb"), as_attachment=True,
                        filename=f"{firmatario.richiesta.documento.codice_verifica}-{firmatario.codice_fiscale}.p7m")


# --- public verification ------------------------------------------------------------------

# Per client address, every request to the form and to a code's page together: plenty for people,
# too few for guessing codes.
LIMITE_VERIFICA = "30/m"


@ratelimit(group="accordi.verifica", key="ip", rate=LIMITE_VERIFICA)
def verifica(request):
    form = VerificaForm(request.POST or None, request.FILES or None)
    contesto = {"form": form}
    if request.method == "POST" and form.is_valid():
        codice = (form.cleaned_data.get("codice") or "").strip().upper()
        caricato = form.cleaned_data.get("file")
        if codice and not caricato:
            if Documento.objects.filter(codice_verifica=codice, stato=Documento.Stato.PRONTO).exists():
                return redirect("accordi:verifica_codice", codice=codice)
            form.add_error("codice", _("Nessun documento corrisponde a questo codice."))
        else:
            dati = caricato.read()
            try:
                esito = v.verifica_file(dati, caricato.name, radici=services_firme.radici_fiducia())
            except v.FileNonAccettato as exc:
                form.add_error("file", exc.messaggio)
            else:
                hash_noti = {esito.sha256, esito.contenuto_sha256} - {None}
                revisione = (RevisioneDocumento.objects.filter(sha256__in=hash_noti)
                             .select_related("documento").order_by("-numero").first())
                contesto.update({"esito": esito, "revisione_trovata": revisione})
    return render(request, "accordi/verifica.html", contesto)


@ratelimit(group="accordi.verifica", key="ip", rate=LIMITE_VERIFICA)
def verifica_codice(request, codice):
    documento = get_object_or_404(
        Documento.objects.select_related("ambito"), codice_verifica=codice.upper(), stato=Documento.Stato.PRONTO
    )
    revisioni = list(documento.revisioni.all())
    integra = all(services_documenti.sha256(services_documenti.leggi(r)) == r.sha256 for r in revisioni[-1:])
    firmatari = list(Firmatario.objects.filter(richiesta__documento=documento).select_related("ente", "utente"))
    return render(request, "accordi/verifica_documento.html", {
        "documento": documento, "corrente": revisioni[-1] if revisioni else None, "integra": integra,
        "firmatari": firmatari,
    })


def verifica_scarica(request, codice):
    documento = get_object_or_404(Documento, codice_verifica=codice.upper(), stato=Documento.Stato.PRONTO)
    revisione = documento.revisioni.last()
    return _file(revisione, f"{documento.codice_verifica}.pdf")
