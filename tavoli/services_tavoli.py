"""Tavoli tematici: setting them up, their members and focus-groups, their sessions
(convocation with .ics, attendance register), the contributions raised there, and the
minutes from draft to approved PDF act.

Who may act (object-level, always within the plan's ambiti):
- the Ufficio di Piano of the plan's ambito sets up tavoli and focus-groups, names the
  coordinator, invites members, convenes sessions and does everything a coordinator does;
- the coordinator of a tavolo convenes its sessions, keeps the attendance register, drafts and
  approves the minutes, accepts or refuses requests to join, records contributions;
- an active member reads the tavolo, records contributions in sessions of the tavolo (or of a
  focus-group they belong to) that were held, and sends observations on circulated minutes;
- a Terzo Settore referente (or anyone with ``partecipa_tavoli`` in the ambito) may ask to
  join a tavolo for their body; an invited person accepts or declines;
- people with a role in the ambito (mayors, Presidente, ASL) and the region's officers read
  every tavolo of the ambito; nobody else reads anything private of a tavolo.

Every change writes an ``EventoTavolo``; every state change goes through the django-fsm
transitions of the models.
"""

from __future__ import annotations

import datetime

from ambiti.models import Ente

from .models import (
    AreaIntervento,
    Bisogno,
    FocusGroup,
    MembroTavolo,
    OsservazioneVerbale,
    PresenzaTavolo,
    Proposta,
    SedutaTavolo,
    Tavolo,
    UnitaOfferta,
    VerbaleTavolo,
)

# --- permissions -----------------------------------------------------------------------------


def puo_gestire(utente, piano) -> bool:
    """Ufficio di Piano of one of the plan's ambiti."""
    raise NotImplementedError


def puo_coordinare(utente, tavolo: Tavolo) -> bool:
    """Ufficio di Piano, or the tavolo's coordinator."""
    raise NotImplementedError


def membro_attivo(utente, tavolo: Tavolo) -> MembroTavolo | None:
    raise NotImplementedError


def puo_leggere(utente, tavolo: Tavolo) -> bool:
    """Coordinator, UdP, active members, people with a role in the ambito, regional officers."""
    raise NotImplementedError


def puo_contribuire(utente, seduta: SedutaTavolo) -> bool:
    """Coordinator/UdP, or an active member of the tavolo (of the focus-group, for its
    sessions); only on sessions that were held (``svolta``)."""
    raise NotImplementedError


def puo_chiedere_adesione(utente, tavolo: Tavolo) -> bool:
    """Signed-in user with ``partecipa_tavoli`` in one of the plan's ambiti (or UdP), not
    already an active member or with a pending request/invitation."""
    raise NotImplementedError


# --- tavoli, members, focus-groups -----------------------------------------------------------


def aree_della_regione(regione) -> list[AreaIntervento]:
    """The active areas of ``regione``, creating the default list (``tavoli.catalogo``) the
    first time a region needs them."""
    raise NotImplementedError


def tavolo_crea(*, piano, area: AreaIntervento, coordinatore, utente, nome: str = "", mandato: str = "",
                ente_coordinatore: Ente | None = None) -> Tavolo:
    """UdP only, while the plan is being prepared or drafted (avvio, indirizzo, istruttoria,
    bozza). One tavolo per plan and area (an Italian DatiNonValidi otherwise). The coordinator
    becomes an active member."""
    raise NotImplementedError


def tavolo_modifica(*, tavolo: Tavolo, utente, **campi) -> Tavolo:
    raise NotImplementedError


def membro_invita(*, tavolo: Tavolo, invitato, ente: Ente | None, utente) -> MembroTavolo:
    """Coordinator/UdP invites a user (for a body); the person gets an e-mail and accepts or
    declines from their desk or the tavolo page. Re-inviting someone who declined or left
    reopens their row."""
    raise NotImplementedError


def invito_rispondi(*, membro: MembroTavolo, utente, accetta: bool) -> MembroTavolo:
    raise NotImplementedError


def adesione_chiedi(*, tavolo: Tavolo, utente, ente: Ente, messaggio: str) -> MembroTavolo:
    """A Terzo Settore referente asks to join for their body (the body must be one the user
    holds an incarico for). The coordinator is notified by e-mail."""
    raise NotImplementedError


def adesione_decidi(*, membro: MembroTavolo, utente, accetta: bool, motivo: str = "") -> MembroTavolo:
    """Coordinator/UdP; a refusal needs a reason."""
    raise NotImplementedError


def membro_rimuovi(*, membro: MembroTavolo, utente, motivo: str = "") -> MembroTavolo:
    raise NotImplementedError


def focus_group_crea(*, tavolo: Tavolo, nome: str, tema: str, referente, membri: list[MembroTavolo],
                     utente) -> FocusGroup:
    """Coordinator/UdP; members must be active members of the tavolo."""
    raise NotImplementedError


def focus_group_membri(*, focus_group: FocusGroup, membri: list[MembroTavolo], utente) -> FocusGroup:
    raise NotImplementedError


# --- sessions ------------------------------------------------------------------------------


def seduta_crea(*, tavolo: Tavolo, utente, data: datetime.datetime, ordine_del_giorno: str,
                luogo: str = "", collegamento: str = "", durata_minuti: int = 120,
                focus_group: FocusGroup | None = None) -> SedutaTavolo:
    """Coordinator/UdP; numbered per tavolo; place or link required."""
    raise NotImplementedError


def seduta_convoca(*, seduta: SedutaTavolo, utente) -> SedutaTavolo:
    """E-mails every active member (of the focus-group, for its sessions) with an .ics via
    Celery (``tavoli.tasks``), after commit. The date must be in the future."""
    raise NotImplementedError


def seduta_annulla(*, seduta: SedutaTavolo, utente, motivo: str) -> SedutaTavolo:
    raise NotImplementedError


def presenze_registra(*, seduta: SedutaTavolo, utente, membri: list[MembroTavolo],
                      ospiti: list[dict]) -> SedutaTavolo:
    """Coordinator/UdP records who came (members ticked, each for their body; guests as
    {'nominativo', 'ente_nome'}), replacing the previous register, and marks the session as
    held (``svolta``) if it was not. Not before the session's start time."""
    raise NotImplementedError


# --- contributions -------------------------------------------------------------------------


def bisogno_registra(*, seduta: SedutaTavolo, utente, area: AreaIntervento | None = None, destinatari: str,
                     descrizione: str, evidenza: str = "", priorita: str = "media", ente: Ente | None = None,
                     proposto_da: str = "", comuni=()) -> Bisogno:
    """``area`` defaults to the tavolo's; ``ente`` defaults to the member's body."""
    raise NotImplementedError


def offerta_registra(*, seduta: SedutaTavolo, utente, tipo, denominazione: str, comune, capacita: int | None = None,
                     gestore: Ente | None = None, gestore_nome: str = "", indirizzo: str = "", note: str = "",
                     area: AreaIntervento | None = None, ente: Ente | None = None,
                     proposto_da: str = "") -> UnitaOfferta:
    raise NotImplementedError


def proposta_registra(*, seduta: SedutaTavolo, utente, titolo: str, descrizione: str, bisogni=(),
                      area: AreaIntervento | None = None, ente: Ente | None = None,
                      proposto_da: str = "") -> Proposta:
    raise NotImplementedError


def contributo_modifica(*, contributo, utente, **campi):
    """The author or the coordinator/UdP, while the session's minutes are not approved."""
    raise NotImplementedError


# --- minutes -------------------------------------------------------------------------------


def verbale_garantisci(*, seduta: SedutaTavolo, utente) -> VerbaleTavolo:
    """The session's minutes, created (one entry per agenda item) when first opened by the
    coordinator/UdP; only for held sessions."""
    raise NotImplementedError


def verbale_salva(*, verbale: VerbaleTavolo, utente, versione: int, discussione: list[dict], decisioni: str,
                  prossimi_passi: str) -> VerbaleTavolo:
    """Optimistic concurrency: ``versione`` must be the one the editor loaded, otherwise
    StatoCambiato (nothing saved, the user is told someone else saved meanwhile). Not once
    approved."""
    raise NotImplementedError


def verbale_invia(*, verbale: VerbaleTavolo, utente) -> VerbaleTavolo:
    """Circulate to the members (e-mail via Celery); members may send observations."""
    raise NotImplementedError


def verbale_riapri(*, verbale: VerbaleTavolo, utente) -> VerbaleTavolo:
    raise NotImplementedError


def osservazione_aggiungi(*, verbale: VerbaleTavolo, utente, testo: str) -> OsservazioneVerbale:
    """Active members, while circulated."""
    raise NotImplementedError


def verbale_approva(*, verbale: VerbaleTavolo, utente, modalita: str,
                    seduta_approvazione: SedutaTavolo | None = None) -> VerbaleTavolo:
    """By the coordinator (modalita='coordinatore'), or at a later held session of the same
    tavolo (modalita='seduta', recorded by coordinator/UdP). Freezes the minutes and the
    session's contributions, and requests the PDF act (kind ``verbale_tavolo``) through the
    ``PIANOZONA_RICHIEDI_ATTO`` setting."""
    raise NotImplementedError
