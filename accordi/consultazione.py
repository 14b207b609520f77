"""What the iter needs from the unions' consultation and the ASL's intesa: the guards of *invia
ai sindacati*, *chiudi consultazione* and *registra intesa ASL*, and the e-mails the
consultation sends (to the unions' referents when the draft is sent, to the Ufficio di Piano
when a parere arrives)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ambiti.models import Incarico

from . import services_versioni
from .guardie import registra
from .models import Consultazione, Intesa, Parere

R = Incarico.Ruolo


def _quando(momento) -> str:
    return date_format(timezone.localtime(momento), "d/m/Y H:i")


def _consultazione_aperta(piano) -> Consultazione | None:
    from .services_consultazione import consultazione_aperta

    return consultazione_aperta(piano)


@registra("bozza_congelata")
def bozza_congelata(piano) -> list[str]:
    """*invia ai sindacati*: a frozen version exists and the draft has not changed since."""
    versione = services_versioni.versione_ultima(piano)
    if versione is None:
        return [_("La bozza non è ancora stata congelata in una versione: inviala ai sindacati dalla pagina "
                  "«Invia ai sindacati», che la congela.")]
    if services_versioni.bozza_modificata(piano):
        return [_("La bozza è cambiata dopo la versione %(n)s: inviala ai sindacati dalla pagina «Invia ai "
                  "sindacati», che ne congela una nuova versione.") % {"n": versione.numero}]
    return []


@registra("sindacati_indicati")
def sindacati_indicati(piano) -> list[str]:
    """*invia ai sindacati*: the consultation on the latest version names at least one union."""
    consultazione = _consultazione_aperta(piano)
    if consultazione is None or not consultazione.pareri.exists():
        return [_("Non sono ancora indicate le organizzazioni sindacali da consultare: sceglile nella pagina "
                  "«Invia ai sindacati».")]
    return []


@registra("pareri_o_scadenza")
def pareri_o_scadenza(piano) -> list[str]:
    """*chiudi consultazione*: every consulted union gave its parere, or the deadline passed
    (silence counts even before Celery beat records it)."""
    consultazione = _consultazione_aperta(piano)
    if consultazione is None:
        return [_("Non c'è una consultazione dei sindacati in corso sull'ultima versione del piano.")]
    if timezone.now() >= consultazione.scadenza:
        return []
    attesi = list(consultazione.pareri.filter(esito=Parere.Esito.ATTESO)
                  .order_by("sindacato__denominazione").values_list("sindacato__denominazione", flat=True))
    if not attesi:
        return []
    return [_("Manca ancora il parere di: %(s)s. Il termine scade il %(d)s; dopo, chi non ha risposto risulta "
              "non espresso.") % {"s": ", ".join(attesi), "d": _quando(consultazione.scadenza)}]


@registra("intesa_positiva")
def intesa_positiva(piano) -> list[str]:
    """*registra intesa ASL*: the latest intesa on the latest version is positive."""
    versione = services_versioni.versione_ultima(piano)
    intesa = None
    if versione is not None:
        intesa = Intesa.objects.filter(piano=piano, versione=versione).order_by("-espressa_il", "-pk").first()
    if intesa is None:
        return [_("L'ASL non ha ancora espresso l'intesa sull'ultima versione del piano: va registrata dalla "
                  "pagina «Intesa dell'ASL».")]
    if intesa.esito != Intesa.Esito.POSITIVA:
        return [_("L'intesa dell'ASL sull'ultima versione è negativa.")]
    return []


# --- e-mails -------------------------------------------------------------------------------------


def _url(nome: str, *args) -> str:
    return settings.PIANOZONA_SITE_URL.rstrip("/") + reverse(nome, args=args)


def messaggi_invio(consultazione: Consultazione) -> list[tuple[str, str, list[str]]]:
    """One e-mail per union referent: the version to read, the deadline, the page of the parere."""
    from .services_consultazione import incarichi_attivi

    pareri = list(consultazione.pareri.select_related("sindacato"))
    referenti: dict[int, set[str]] = {}
    for ente_id, email in incarichi_attivi(ruolo=R.REFERENTE_SINDACATO, ente_id__in=[p.sindacato_id for p in pareri]
                                           ).exclude(utente__email="").values_list("ente_id", "utente__email"):
        referenti.setdefault(ente_id, set()).add(email)
    piano, versione = consultazione.piano, consultazione.versione
    messaggi = []
    for parere in pareri:
        indirizzi = sorted(referenti.get(parere.sindacato_id, ()))
        if not indirizzi:
            continue
        oggetto = _("Parere richiesto: %(piano)s, entro il %(d)s") % {
            "piano": piano.titolo, "d": _quando(consultazione.scadenza)}
        testo = _(
            "L'Ufficio di Piano chiede a %(s)s il parere sulla bozza del piano «%(piano)s» (versione %(n)s).\n"
            "Termine per il parere: %(d)s. Dopo il termine, il parere risulta non espresso.\n\n"
            "Leggi la versione inviata ed esprimi il parere: %(url)s\n"
        ) % {"s": parere.sindacato, "piano": piano.titolo, "n": versione.numero,
             "d": _quando(consultazione.scadenza), "url": _url("accordi:parere", parere.pk)}
        messaggi.append((oggetto, testo, indirizzi))
    return messaggi


def messaggi_parere(parere: Parere) -> list[tuple[str, str, list[str]]]:
    """One e-mail to the Ufficio di Piano of the plan's ambiti when a union gives its parere."""
    from .services_consultazione import incarichi_attivi

    consultazione = parere.consultazione
    piano = consultazione.piano
    indirizzi = sorted(set(
        incarichi_attivi(ruolo__in=[R.RESPONSABILE_UDP, R.OPERATORE_UDP], ambito__in=piano.ambiti.all())
        .exclude(utente__email="").values_list("utente__email", flat=True)))
    if not indirizzi:
        return []
    oggetto = _("%(piano)s: parere di %(s)s") % {"piano": piano.titolo, "s": parere.sindacato}
    testo = _(
        "%(s)s ha espresso il parere sulla versione %(n)s del piano «%(piano)s»: %(e)s, con %(o)s osservazioni.\n\n"
        "Apri la consultazione per rispondere: %(url)s\n"
    ) % {"s": parere.sindacato, "n": consultazione.versione.numero, "piano": piano.titolo,
         "e": parere.get_esito_display().lower(), "o": parere.osservazioni.count(),
         "url": _url("accordi:consultazione", consultazione.pk)}
    return [(oggetto, testo, indirizzi)]
