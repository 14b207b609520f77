"""Members of a tavolo: invitations and their answer, requests to join and the decision on
them, leaving or being removed. Who may do what is written once, at the top of
``tavoli.services_tavoli``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from ambiti.models import Ente

from .models import EventoTavolo, MembroTavolo, Tavolo
from .selectors import incarichi_in_corso
from .services_tavoli import (
    IN_ATTESA,
    _aperto,
    _attivo,
    _coordinatore_o_udp,
    _dopo_il_commit,
    _membro_bloccato,
    _nome,
    _registra,
    _tavolo_bloccato,
    _testo,
    puo_chiedere_adesione,
    puo_coordinare,
)

A = EventoTavolo.Azione
M = MembroTavolo.Stato


def _riapri_riga(membro: MembroTavolo, *, stato: str, ente, utente, messaggio: str = "") -> MembroTavolo:
    membro.stato = stato
    membro.ente = ente
    membro.messaggio = messaggio
    membro.motivo = ""
    membro.proposto_da = utente
    membro.proposto_il = timezone.now()
    membro.deciso_da = None
    membro.deciso_il = None
    membro.save()
    return membro


@transaction.atomic
def membro_invita(*, tavolo: Tavolo, invitato, ente: Ente | None, utente) -> MembroTavolo:
    """Coordinator/UdP invites a user (for a body); the person gets an e-mail and accepts or
    declines from their desk or the tavolo page. Re-inviting someone who declined or left
    reopens their row."""
    tavolo = _tavolo_bloccato(tavolo)
    _coordinatore_o_udp(utente, tavolo, _("Solo il coordinatore o l'Ufficio di Piano invita a partecipare "
                                          "al tavolo."))
    _aperto(tavolo)
    if invitato is None or not invitato.is_active:
        raise DatiNonValidi(_("Indica la persona da invitare."))
    membro = MembroTavolo.objects.select_for_update(of=("self",)).filter(tavolo=tavolo, utente=invitato).first()
    if membro is not None and membro.stato == M.ATTIVO:
        raise DatiNonValidi(_("%(p)s fa già parte del tavolo.") % {"p": _nome(invitato)})
    if membro is not None and membro.stato == M.INVITATO:
        raise DatiNonValidi(_("L'invito a %(p)s è già stato inviato e attende risposta.") % {"p": _nome(invitato)})
    if membro is not None and membro.stato == M.RICHIESTA:
        raise DatiNonValidi(_("%(p)s ha già chiesto di partecipare: decidi sulla richiesta invece di invitare.")
                            % {"p": _nome(invitato)})
    if membro is None:
        membro = MembroTavolo.objects.create(tavolo=tavolo, utente=invitato, ente=ente, stato=M.INVITATO,
                                             proposto_da=utente)
    else:
        _riapri_riga(membro, stato=M.INVITATO, ente=ente, utente=utente)
    _registra(tavolo, A.INVITO, utente, a=M.INVITATO, descrizione=str(membro))
    _dopo_il_commit("invia_invito_tavolo", membro.pk)
    return membro


@transaction.atomic
def invito_rispondi(*, membro: MembroTavolo, utente, accetta: bool) -> MembroTavolo:
    """The invited person, and only they, accepts (becoming an active member) or declines."""
    membro = _membro_bloccato(membro)
    if not _attivo(utente) or membro.utente_id != utente.pk:
        raise PermessoNegato(_("Solo la persona invitata risponde all'invito."))
    if membro.stato != M.INVITATO:
        raise TransizioneNonAmmessa(_("L'invito non attende più una risposta: lo stato è «%(s)s».")
                                    % {"s": membro.get_stato_display()})
    if accetta:
        _aperto(membro.tavolo)
    da = membro.stato
    membro.stato = M.ATTIVO if accetta else M.DECLINATO
    membro.deciso_da, membro.deciso_il = utente, timezone.now()
    membro.save(update_fields=["stato", "deciso_da", "deciso_il"])
    _registra(membro.tavolo, A.AMMISSIONE if accetta else A.DECLINAZIONE, utente, da=da, a=membro.stato,
              descrizione=str(membro))
    return membro


@transaction.atomic
def adesione_chiedi(*, tavolo: Tavolo, utente, ente: Ente, messaggio: str) -> MembroTavolo:
    """A Terzo Settore referente asks to join for their body (the body must be one the user
    holds an incarico for). The coordinator is notified by e-mail."""
    tavolo = _tavolo_bloccato(tavolo)
    _aperto(tavolo)
    if not puo_chiedere_adesione(utente, tavolo):
        esistente = MembroTavolo.objects.filter(tavolo=tavolo, utente=utente).first() if _attivo(utente) else None
        if esistente is not None and esistente.stato == M.ATTIVO:
            raise DatiNonValidi(_("Fai già parte di questo tavolo."))
        if esistente is not None and esistente.stato in IN_ATTESA:
            raise DatiNonValidi(_("Per questo tavolo c'è già una tua richiesta o un invito in attesa."))
        raise PermessoNegato(_("Chiedono di partecipare ai tavoli i referenti del Terzo Settore e i componenti "
                               "di tavolo degli ambiti del piano."))
    if ente is None:
        raise DatiNonValidi(_("Indica l'ente per cui chiedi di partecipare."))
    if not incarichi_in_corso(utente=utente, ente=ente).exists():
        raise DatiNonValidi(_("Puoi chiedere di partecipare solo per un ente per cui hai un incarico in corso."))
    messaggio = _testo(messaggio)
    membro = MembroTavolo.objects.select_for_update(of=("self",)).filter(tavolo=tavolo, utente=utente).first()
    if membro is None:
        membro = MembroTavolo.objects.create(tavolo=tavolo, utente=utente, ente=ente, stato=M.RICHIESTA,
                                             messaggio=messaggio, proposto_da=utente)
    else:
        _riapri_riga(membro, stato=M.RICHIESTA, ente=ente, utente=utente, messaggio=messaggio)
    _registra(tavolo, A.RICHIESTA, utente, a=M.RICHIESTA, descrizione=str(membro))
    _dopo_il_commit("invia_richiesta_adesione", membro.pk)
    return membro


@transaction.atomic
def adesione_decidi(*, membro: MembroTavolo, utente, accetta: bool, motivo: str = "") -> MembroTavolo:
    """Coordinator/UdP; a refusal needs a reason."""
    membro = _membro_bloccato(membro)
    tavolo = membro.tavolo
    _coordinatore_o_udp(utente, tavolo,
                        _("Solo il coordinatore o l'Ufficio di Piano decide sulle richieste di partecipazione."))
    if membro.stato != M.RICHIESTA:
        raise TransizioneNonAmmessa(_("La richiesta non attende più una decisione: lo stato è «%(s)s».")
                                    % {"s": membro.get_stato_display()})
    motivo = _testo(motivo)
    if not accetta and not motivo:
        raise DatiNonValidi(_("Indica il motivo per cui la richiesta non è accolta."))
    if accetta:
        _aperto(tavolo)
    da = membro.stato
    membro.stato = M.ATTIVO if accetta else M.RIFIUTATO
    membro.motivo = motivo
    membro.deciso_da, membro.deciso_il = utente, timezone.now()
    membro.save(update_fields=["stato", "motivo", "deciso_da", "deciso_il"])
    _registra(tavolo, A.AMMISSIONE if accetta else A.RIFIUTO, utente, da=da, a=membro.stato,
              descrizione=str(membro) + (f": {motivo}" if motivo else ""))
    _dopo_il_commit("invia_esito_adesione", membro.pk)
    return membro


@transaction.atomic
def membro_rimuovi(*, membro: MembroTavolo, utente, motivo: str = "") -> MembroTavolo:
    """The coordinator/UdP remove a member (or withdraw an invitation); a member may also
    leave on their own. The coordinator cannot leave: the UdP names another one first. The
    row stays, marked as no longer a member, and leaves the tavolo's focus-groups."""
    membro = _membro_bloccato(membro)
    tavolo = membro.tavolo
    if not (puo_coordinare(utente, tavolo) or (_attivo(utente) and membro.utente_id == utente.pk)):
        raise PermessoNegato(_("Solo il coordinatore o l'Ufficio di Piano toglie un componente dal tavolo."))
    if membro.stato not in (M.ATTIVO, M.INVITATO):
        raise TransizioneNonAmmessa(_("%(p)s non è componente del tavolo.") % {"p": _nome(membro.utente)})
    if membro.utente_id == tavolo.coordinatore_id:
        raise DatiNonValidi(_("Il coordinatore resta componente del tavolo: per toglierlo, l'Ufficio di Piano "
                              "nomina prima un altro coordinatore."))
    da = membro.stato
    membro.stato = M.USCITO
    membro.motivo = _testo(motivo)
    membro.deciso_da, membro.deciso_il = utente, timezone.now()
    membro.save(update_fields=["stato", "motivo", "deciso_da", "deciso_il"])
    membro.focus_group.clear()
    _registra(tavolo, A.USCITA, utente, da=da, a=membro.stato,
              descrizione=str(membro) + (f": {membro.motivo}" if membro.motivo else ""))
    return membro
