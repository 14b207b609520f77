"""Services that change plans. A transition reads top to bottom: permission, guards, state
change, log entry, side effects after commit (STYLE.md)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from ambiti.models import Ambito
from ambiti.ruoli import Permessi
from ambiti.segnali import aggiunte

from .exceptions import (
    DatiNonValidi,
    GuardieNonSoddisfatte,
    PermessoNegato,
    PianoCambiato,
    TransizioneNonAmmessa,
)
from .iter import NOMI_PERMESSI, TRANSIZIONI, Transizione
from .models import CicloProgrammazione, PianoAmbito, PianoDiZona, Stato, TransizionePiano

# Steps another capability takes inside the transition's transaction, after the log entry
# (e.g. the unions' consultation is closed when the draft is reopened), registered by name.
_DOPO_TRANSIZIONE: dict[str, list] = {}


def dopo_transizione(*nomi: str):
    """Decorator: call ``funzione(piano, voce)`` whenever one of the transitions ``nomi`` is made."""

    def decorator(funzione):
        for nome in nomi:
            _DOPO_TRANSIZIONE.setdefault(nome, []).append(funzione)
        return funzione

    return decorator


def permesso_per(transizione: Transizione, piano: PianoDiZona, permessi: Permessi) -> str | None:
    """The permission under which the user may make ``transizione`` now, or None."""
    ambiti = list(piano.ambiti.all())
    for perm in transizione.permessi_da(piano.stato):
        if permessi.ha_su_alcuno(perm, ambiti):
            return perm
    return None


def mancanze(transizione: Transizione, piano: PianoDiZona) -> list[str]:
    """Everything the transition still needs, in Italian; empty when it may be made."""
    elenco: list[str] = []
    for guardia in transizione.guardie:
        elenco.extend(guardia(piano))
    return elenco


@transaction.atomic
def esegui_transizione(
    *,
    piano: PianoDiZona,
    nome: str,
    utente=None,
    nota: str = "",
    stato_atteso: str | None = None,
    versione_documento: str = "",
) -> TransizionePiano:
    """Make the transition ``nome`` on ``piano`` as ``utente`` (None: the system, for the
    automatic ones). ``stato_atteso`` is the state the user saw: if the plan moved since, the
    user is told and nothing changes."""
    transizione = TRANSIZIONI.get(nome)
    if transizione is None:
        raise TransizioneNonAmmessa(_("Transizione sconosciuta: «%(nome)s».") % {"nome": nome})

    # Serialise transitions on the same plan (PostgreSQL row lock); optimistic locking on the
    # state field is the second line (ConcurrentTransitionMixin).
    piano = PianoDiZona.objects.select_for_update(of=("self",)).select_related("ciclo").get(pk=piano.pk)
    if stato_atteso is not None and piano.stato != stato_atteso:
        raise PianoCambiato(
            _("Il piano è cambiato nel frattempo: ora è nello stato «%(stato)s». Ricarica la "
              "pagina e verifica prima di procedere.") % {"stato": piano.get_stato_display()}
        )

    metodo = getattr(piano, nome)
    if not can_proceed(metodo, check_conditions=False):
        raise TransizioneNonAmmessa(
            _("«%(t)s» non è possibile dallo stato «%(stato)s».")
            % {"t": transizione.etichetta, "stato": piano.get_stato_display()}
        )

    if utente is None:
        if not transizione.automatica:
            raise PermessoNegato(_("Questa transizione richiede una persona che la compia."))
        ruolo = _("Sistema")
    else:
        perm = permesso_per(transizione, piano, Permessi(utente))
        if perm is None:
            raise PermessoNegato(_("Non hai il ruolo necessario per «%(t)s».") % {"t": transizione.etichetta})
        ruolo = str(NOMI_PERMESSI[perm])

    nota = (nota or "").strip()
    if transizione.nota_obbligatoria and not nota:
        raise DatiNonValidi(
            _("Indica «%(campo)s»: è obbligatorio per «%(t)s».")
            % {"campo": transizione.etichetta_nota, "t": transizione.etichetta}
        )

    elenco = mancanze(transizione, piano)
    if elenco:
        raise GuardieNonSoddisfatte(*elenco)

    da_stato = piano.stato
    metodo()
    campi = ["stato", "aggiornato_il"]
    if nome == "aggiorna":
        piano.revisione += 1
        campi.append("revisione")
    elif nome == "dichiara_vigente":
        if piano.vigente_dal is None:
            piano.vigente_dal = timezone.localdate()
            campi.append("vigente_dal")
        piano.revisione_vigente = piano.revisione
        campi.append("revisione_vigente")
    elif nome == "annulla":
        piano.motivo_annullamento = nota
        campi.append("motivo_annullamento")
    try:
        piano.save(update_fields=campi)
    except ConcurrentTransition as exc:
        raise PianoCambiato(_("Il piano è cambiato nel frattempo: ricarica la pagina.")) from exc

    voce = TransizionePiano.objects.create(
        piano=piano, nome=nome, da_stato=da_stato, a_stato=piano.stato, utente=utente,
        ruolo=ruolo, nota=nota, revisione=piano.revisione, versione_documento=versione_documento,
    )
    for passo in _DOPO_TRANSIZIONE.get(nome, ()):
        passo(piano, voce)
    transaction.on_commit(lambda: _notifica(voce.pk))
    return voce


def _notifica(transizione_id: int) -> None:
    from .tasks import notifica_transizione

    notifica_transizione.delay(transizione_id)


@transaction.atomic
def piano_crea(*, ciclo: CicloProgrammazione, ambiti: list[Ambito], titolo: str, utente) -> PianoDiZona:
    """Create a plan in ``avvio`` for one ambito, or for several ambiti of the same ASL
    (sovra-distrettuale). One plan per ambito per cycle, enforced by the database too."""
    ambiti = list(ambiti)
    titolo = (titolo or "").strip()
    errori = []
    if not ambiti:
        errori.append(_("Scegli almeno un ambito."))
    if not titolo:
        errori.append(_("Indica il titolo del piano."))
    if errori:
        raise DatiNonValidi(*errori)
    permessi = Permessi(utente)
    for ambito in ambiti:
        if not permessi.ha("gestisci_piano", ambito):
            raise PermessoNegato(_("Non fai parte dell'Ufficio di Piano di questo ambito: %(a)s.") % {"a": ambito})
    if len({a.asl_id for a in ambiti}) > 1:
        raise DatiNonValidi(_("Un piano sovra-distrettuale riunisce ambiti della stessa ASL."))
    if any(a.asl.regione_id != ciclo.regione_id for a in ambiti):
        raise DatiNonValidi(_("Il ciclo scelto è di un'altra regione."))
    occupati = PianoAmbito.objects.filter(ciclo=ciclo, ambito__in=ambiti).select_related("ambito")
    if occupati:
        raise DatiNonValidi(*[
            _("L'ambito %(a)s ha già un piano per il ciclo %(c)s.") % {"a": pa.ambito, "c": ciclo}
            for pa in occupati
        ])
    piano = PianoDiZona.objects.create(ciclo=ciclo, titolo=titolo, creato_da=utente)
    try:
        with transaction.atomic():
            aggiunte(PianoAmbito, [PianoAmbito(piano=piano, ambito=a, ciclo=ciclo) for a in ambiti])
    except IntegrityError as exc:
        raise DatiNonValidi(_("Uno degli ambiti ha già un piano per questo ciclo.")) from exc
    TransizionePiano.objects.create(
        piano=piano, nome="crea", da_stato="", a_stato=Stato.AVVIO, utente=utente,
        ruolo=str(NOMI_PERMESSI["gestisci_piano"]), nota=_("Piano creato."), revisione=1,
    )
    return piano


def concludi_piani_scaduti() -> list[int]:
    """Conclude every plan in force whose Accordo has reached its end date (Celery beat)."""
    conclusi = []
    for piano in PianoDiZona.objects.filter(stato=Stato.VIGENTE).select_related("ciclo"):
        try:
            esegui_transizione(piano=piano, nome="concludi", utente=None, stato_atteso=Stato.VIGENTE)
        except (GuardieNonSoddisfatte, PianoCambiato):
            continue
        conclusi.append(piano.pk)
    return conclusi
