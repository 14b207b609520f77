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

Rules the docstrings below rely on, written down once:
- a closed tavolo (``chiuso_il`` set) takes no new members, focus-groups or sessions;
- approving a session's minutes freezes them, the session's attendance register and the
  contributions recorded in it;
- a member records contributions in the name of their own body; the coordinator and the
  Ufficio di Piano may name any body.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi, PermessoNegato, StatoCambiato, TransizioneNonAmmessa
from ambiti.models import Comune, Ente
from ambiti.ruoli import Permessi

from .catalogo import AREE_PREDEFINITE
from .models import (
    AreaIntervento,
    Bisogno,
    EventoTavolo,
    FocusGroup,
    LivelloPriorita,
    MembroTavolo,
    OsservazioneVerbale,
    PresenzaTavolo,
    Proposta,
    SedutaTavolo,
    Tavolo,
    UnitaOfferta,
    VerbaleTavolo,
)
from .selectors import incarichi_in_corso
from .services import _richiedi_atto, _salva, _transita

A = EventoTavolo.Azione
M = MembroTavolo.Stato
S = SedutaTavolo.Stato
V = VerbaleTavolo.Stato

# Plan states in which tavoli are set up: while the plan is prepared or drafted.
STATI_PREPARAZIONE = ("avvio", "indirizzo", "istruttoria", "bozza")
IN_ATTESA = (M.INVITATO, M.RICHIESTA)


# --- permissions -----------------------------------------------------------------------------


def _ambiti(piano) -> list:
    """The plan's ambiti with their ASL, read once per plan instance."""
    cache = getattr(piano, "_ambiti_tavoli", None)
    if cache is None:
        cache = list(piano.ambiti.select_related("asl").order_by("nome", "pk"))
        piano._ambiti_tavoli = cache
    return cache


def _regione_id(piano) -> int:
    ambiti = _ambiti(piano)
    return ambiti[0].asl.regione_id if ambiti else piano.ciclo.regione_id


def _attivo(utente) -> bool:
    return bool(utente is not None and utente.is_authenticated and utente.is_active)


def puo_gestire(utente, piano) -> bool:
    """Ufficio di Piano of one of the plan's ambiti."""
    if not _attivo(utente):
        return False
    return Permessi(utente).ha_su_alcuno("gestisci_piano", _ambiti(piano))


def puo_coordinare(utente, tavolo: Tavolo) -> bool:
    """Ufficio di Piano, or the tavolo's coordinator."""
    if not _attivo(utente):
        return False
    return tavolo.coordinatore_id == utente.pk or puo_gestire(utente, tavolo.piano)


def membro_attivo(utente, tavolo: Tavolo) -> MembroTavolo | None:
    if not _attivo(utente):
        return None
    return (MembroTavolo.objects.filter(tavolo=tavolo, utente=utente, stato=M.ATTIVO)
            .select_related("ente").first())


def puo_leggere(utente, tavolo: Tavolo) -> bool:
    """Coordinator, UdP, active members, people with a role in the ambito, regional officers."""
    if not _attivo(utente):
        return False
    if tavolo.coordinatore_id == utente.pk:
        return True
    permessi = Permessi(utente)
    ambiti = _ambiti(tavolo.piano)
    if any(permessi.ha(perm, a) for a in ambiti for perm in ("gestisci_piano", "consulta_ambito")):
        return True
    if any(permessi.consulta_regione(a.asl.regione_id) for a in ambiti):
        return True
    return membro_attivo(utente, tavolo) is not None


def _partecipa(utente, seduta: SedutaTavolo) -> MembroTavolo | None:
    """The user's active membership, if it lets them take part in ``seduta`` (for a
    focus-group's session: a member of that focus-group, or its referente)."""
    membro = membro_attivo(utente, seduta.tavolo)
    if membro is None or seduta.focus_group_id is None:
        return membro
    focus = seduta.focus_group
    if focus.referente_id == utente.pk or focus.membri.filter(pk=membro.pk).exists():
        return membro
    return None


def puo_contribuire(utente, seduta: SedutaTavolo) -> bool:
    """Coordinator/UdP, or an active member of the tavolo (of the focus-group, for its
    sessions); only on sessions that were held (``svolta``)."""
    if seduta.stato != S.SVOLTA:
        return False
    return puo_coordinare(utente, seduta.tavolo) or _partecipa(utente, seduta) is not None


def puo_chiedere_adesione(utente, tavolo: Tavolo) -> bool:
    """Signed-in user with ``partecipa_tavoli`` in one of the plan's ambiti (or UdP), not
    already an active member or with a pending request/invitation."""
    if not _attivo(utente) or not tavolo.attivo:
        return False
    permessi = Permessi(utente)
    ambiti = _ambiti(tavolo.piano)
    if not (permessi.ha_su_alcuno("partecipa_tavoli", ambiti) or permessi.ha_su_alcuno("gestisci_piano", ambiti)):
        return False
    return not MembroTavolo.objects.filter(tavolo=tavolo, utente=utente, stato__in=(M.ATTIVO, *IN_ATTESA)).exists()


# --- shared steps ----------------------------------------------------------------------------


def _registra(tavolo: Tavolo, azione: str, utente=None, *, seduta=None, da: str = "", a: str = "",
              descrizione: str = "") -> EventoTavolo:
    return EventoTavolo.objects.create(tavolo=tavolo, seduta=seduta, azione=azione, da_stato=da, a_stato=a,
                                       utente=utente, descrizione=descrizione)


def _accoda(nome_task: str, pk: int) -> None:
    from . import tasks_tavoli

    getattr(tasks_tavoli, nome_task).delay(pk)


def _dopo_il_commit(nome_task: str, pk: int) -> None:
    transaction.on_commit(partial(_accoda, nome_task, pk))


def _nome(persona) -> str:
    return persona.get_full_name() or persona.get_username()


def _tavolo_bloccato(tavolo: Tavolo) -> Tavolo:
    return Tavolo.objects.select_for_update(of=("self",)).select_related("piano", "area").get(pk=tavolo.pk)


def _membro_bloccato(membro: MembroTavolo) -> MembroTavolo:
    return (MembroTavolo.objects.select_for_update(of=("self",))
            .select_related("tavolo", "tavolo__piano", "utente", "ente").get(pk=membro.pk))


def _seduta_bloccata(seduta: SedutaTavolo, stato_atteso: str | None = None) -> SedutaTavolo:
    seduta = (SedutaTavolo.objects.select_for_update(of=("self",))
              .select_related("tavolo", "tavolo__piano", "tavolo__area", "focus_group").get(pk=seduta.pk))
    if stato_atteso is not None and seduta.stato != stato_atteso:
        raise StatoCambiato(_("La seduta è cambiata nel frattempo: ora è «%(s)s». Ricarica la pagina.")
                            % {"s": seduta.get_stato_display()})
    return seduta


def _verbale_bloccato(verbale: VerbaleTavolo, stato_atteso: str | None = None) -> VerbaleTavolo:
    verbale = (VerbaleTavolo.objects.select_for_update(of=("self",))
               .select_related("seduta", "seduta__tavolo", "seduta__tavolo__piano", "seduta__focus_group")
               .get(pk=verbale.pk))
    if stato_atteso is not None and verbale.stato != stato_atteso:
        raise StatoCambiato(_("Il verbale è cambiato nel frattempo: ora è «%(s)s». Ricarica la pagina.")
                            % {"s": verbale.get_stato_display()})
    return verbale


def _aperto(tavolo: Tavolo) -> None:
    if not tavolo.attivo:
        raise TransizioneNonAmmessa(_("Il tavolo «%(t)s» è chiuso: non accetta nuove attività.") % {"t": tavolo.nome})


def _coordinatore_o_udp(utente, tavolo: Tavolo, messaggio: str) -> None:
    if not puo_coordinare(utente, tavolo):
        raise PermessoNegato(messaggio)


def _testo(valore) -> str:
    return (valore or "").strip()


# --- tavoli, members, focus-groups -----------------------------------------------------------


@transaction.atomic
def aree_della_regione(regione) -> list[AreaIntervento]:
    """The active areas of ``regione``, creating the default list (``tavoli.catalogo``) the
    first time a region needs them."""
    if not AreaIntervento.objects.filter(regione=regione).exists():
        AreaIntervento.objects.bulk_create([
            AreaIntervento(regione=regione, codice=codice, nome=nome, area_fnps=fnps, area_istat=istat, ordine=i)
            for i, (codice, nome, fnps, istat) in enumerate(AREE_PREDEFINITE, start=1)
        ], ignore_conflicts=True)
    return list(AreaIntervento.objects.filter(regione=regione, attiva=True).order_by("ordine", "nome"))


def _membro_attiva(tavolo: Tavolo, persona, ente: Ente | None, utente) -> MembroTavolo:
    """Make ``persona`` an active member (the coordinator always is), reusing their row."""
    adesso = timezone.now()
    membro = MembroTavolo.objects.select_for_update(of=("self",)).filter(tavolo=tavolo, utente=persona).first()
    if membro is None:
        return MembroTavolo.objects.create(tavolo=tavolo, utente=persona, ente=ente, stato=M.ATTIVO,
                                           proposto_da=utente, deciso_da=utente, deciso_il=adesso)
    membro.stato = M.ATTIVO
    if ente is not None:
        membro.ente = ente
    membro.deciso_da, membro.deciso_il = utente, adesso
    membro.save(update_fields=["stato", "ente", "deciso_da", "deciso_il"])
    return membro


@transaction.atomic
def tavolo_crea(*, piano, area: AreaIntervento, coordinatore, utente, nome: str = "", mandato: str = "",
                ente_coordinatore: Ente | None = None) -> Tavolo:
    """UdP only, while the plan is being prepared or drafted (avvio, indirizzo, istruttoria,
    bozza). One tavolo per plan and area (an Italian DatiNonValidi otherwise). The coordinator
    becomes an active member."""
    if not puo_gestire(utente, piano):
        raise PermessoNegato(_("Solo l'Ufficio di Piano costituisce i tavoli tematici del piano."))
    # Lock the plan: two simultaneous requests for the same area make one tavolo.
    piano = type(piano).objects.select_for_update(of=("self",)).get(pk=piano.pk)
    if piano.stato not in STATI_PREPARAZIONE:
        raise TransizioneNonAmmessa(_("I tavoli si costituiscono mentre il piano è in preparazione o in stesura; "
                                      "ora il piano è nello stato «%(s)s».") % {"s": piano.get_stato_display()})
    errori = []
    if area is None:
        errori.append(_("Scegli l'area di intervento del tavolo."))
    elif area.regione_id != _regione_id(piano) or not area.attiva:
        errori.append(_("L'area «%(a)s» non è tra quelle in uso nella regione del piano.") % {"a": area.nome})
    elif Tavolo.objects.filter(piano=piano, area=area).exists():
        errori.append(_("Il piano ha già un tavolo per l'area «%(a)s».") % {"a": area.nome})
    if coordinatore is None or not coordinatore.is_active:
        errori.append(_("Indica il coordinatore del tavolo."))
    nome = _testo(nome) or (_("Tavolo %(area)s") % {"area": area.nome} if area is not None else "")
    if len(nome) > 200:
        errori.append(_("Il nome del tavolo può avere al massimo 200 caratteri."))
    if errori:
        raise DatiNonValidi(*errori)
    try:
        with transaction.atomic():
            tavolo = Tavolo.objects.create(piano=piano, area=area, nome=nome, mandato=_testo(mandato),
                                           coordinatore=coordinatore, creato_da=utente)
    except IntegrityError as exc:
        raise DatiNonValidi(_("Il piano ha già un tavolo per l'area «%(a)s».") % {"a": area.nome}) from exc
    _membro_attiva(tavolo, coordinatore, ente_coordinatore, utente)
    _registra(tavolo, A.TAVOLO_CREATO, utente,
              descrizione=_("%(t)s, area «%(a)s», coordinato da %(c)s.")
              % {"t": nome, "a": area.nome, "c": _nome(coordinatore)})
    return tavolo


CAMPI_TAVOLO = ("nome", "mandato", "coordinatore", "ente_coordinatore", "chiuso")
CAMPI_TAVOLO_UDP = ("coordinatore", "ente_coordinatore", "chiuso")


@transaction.atomic
def tavolo_modifica(*, tavolo: Tavolo, utente, **campi) -> Tavolo:
    """The coordinator/UdP change the name and the mandate; only the UdP names another
    coordinator (who becomes an active member; the previous one stays a member), sets the
    coordinator's body, or closes (``chiuso=True``) and reopens the tavolo."""
    tavolo = _tavolo_bloccato(tavolo)
    _coordinatore_o_udp(utente, tavolo, _("Solo il coordinatore o l'Ufficio di Piano modifica il tavolo."))
    sconosciuti = set(campi) - set(CAMPI_TAVOLO)
    if sconosciuti:
        raise DatiNonValidi(_("Campi non previsti: %(c)s.") % {"c": ", ".join(sorted(sconosciuti))})
    if set(campi) & set(CAMPI_TAVOLO_UDP) and not puo_gestire(utente, tavolo.piano):
        raise PermessoNegato(_("Solo l'Ufficio di Piano cambia il coordinatore o chiude il tavolo."))
    errori, aggiornati, note = [], [], []
    if "nome" in campi:
        nome = _testo(campi["nome"])
        if not nome:
            errori.append(_("Indica il nome del tavolo."))
        elif len(nome) > 200:
            errori.append(_("Il nome del tavolo può avere al massimo 200 caratteri."))
        if nome != tavolo.nome:
            tavolo.nome = nome
            aggiornati.append("nome")
    if "mandato" in campi and _testo(campi["mandato"]) != tavolo.mandato:
        tavolo.mandato = _testo(campi["mandato"])
        aggiornati.append("mandato")
    coordinatore = campi.get("coordinatore")
    if "coordinatore" in campi and (coordinatore is None or not coordinatore.is_active):
        errori.append(_("Indica il coordinatore del tavolo."))
    if errori:
        raise DatiNonValidi(*errori)
    if coordinatore is not None and coordinatore.pk != tavolo.coordinatore_id:
        tavolo.coordinatore = coordinatore
        aggiornati.append("coordinatore")
        note.append(_("Nuovo coordinatore: %(c)s.") % {"c": _nome(coordinatore)})
    if "coordinatore" in campi or "ente_coordinatore" in campi:
        _membro_attiva(tavolo, tavolo.coordinatore, campi.get("ente_coordinatore"), utente)
    if aggiornati:
        tavolo.save(update_fields=aggiornati)
    if "chiuso" in campi and bool(campi["chiuso"]) != (not tavolo.attivo):
        tavolo.chiuso_il = timezone.now() if campi["chiuso"] else None
        tavolo.save(update_fields=["chiuso_il"])
        if campi["chiuso"]:
            _registra(tavolo, A.TAVOLO_CHIUSO, utente)
        else:
            note.append(_("Tavolo riaperto."))
    if aggiornati:
        note.insert(0, _("Campi modificati: %(c)s.") % {"c": ", ".join(aggiornati)})
    if note:
        _registra(tavolo, A.TAVOLO_MODIFICATO, utente, descrizione=" ".join(note))
    return tavolo


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


def _membri_validi(tavolo: Tavolo, membri, referente=None) -> tuple[list[MembroTavolo], list[str]]:
    """Members (and the referente's row) as active members of ``tavolo``, or the errors."""
    membri = list(membri or [])
    attivi = {m.pk: m for m in MembroTavolo.objects.filter(tavolo=tavolo, stato=M.ATTIVO).select_related("utente")}
    errori = [_("%(p)s non è un componente attivo del tavolo.") % {"p": str(m)} for m in membri if m.pk not in attivi]
    scelti = {m.pk: attivi[m.pk] for m in membri if m.pk in attivi}
    if referente is not None:
        riga = next((m for m in attivi.values() if m.utente_id == referente.pk), None)
        if riga is None:
            errori.append(_("Il referente del focus-group deve essere un componente attivo del tavolo."))
        else:
            scelti.setdefault(riga.pk, riga)
    return list(scelti.values()), errori


@transaction.atomic
def focus_group_crea(*, tavolo: Tavolo, nome: str, tema: str, referente, membri: list[MembroTavolo],
                     utente) -> FocusGroup:
    """Coordinator/UdP; members must be active members of the tavolo."""
    tavolo = _tavolo_bloccato(tavolo)
    _coordinatore_o_udp(utente, tavolo, _("Solo il coordinatore o l'Ufficio di Piano costituisce i focus-group."))
    _aperto(tavolo)
    nome = _testo(nome)
    errori = []
    if not nome:
        errori.append(_("Indica il nome del focus-group."))
    elif len(nome) > 200:
        errori.append(_("Il nome del focus-group può avere al massimo 200 caratteri."))
    elif FocusGroup.objects.filter(tavolo=tavolo, nome__iexact=nome).exists():
        errori.append(_("Il tavolo ha già un focus-group «%(n)s».") % {"n": nome})
    scelti, errori_membri = _membri_validi(tavolo, membri, referente)
    errori += errori_membri
    if errori:
        raise DatiNonValidi(*errori)
    focus = FocusGroup.objects.create(tavolo=tavolo, nome=nome, tema=_testo(tema), referente=referente)
    focus.membri.set(scelti)
    _registra(tavolo, A.FOCUS_GROUP, utente,
              descrizione=_("%(n)s: %(k)s componenti.") % {"n": nome, "k": len(scelti)})
    return focus


@transaction.atomic
def focus_group_membri(*, focus_group: FocusGroup, membri: list[MembroTavolo], utente) -> FocusGroup:
    """Coordinator/UdP replace the focus-group's members (active members of the tavolo; the
    referente stays in)."""
    focus = (FocusGroup.objects.select_for_update(of=("self",)).select_related("tavolo", "tavolo__piano")
             .get(pk=focus_group.pk))
    tavolo = focus.tavolo
    _coordinatore_o_udp(utente, tavolo, _("Solo il coordinatore o l'Ufficio di Piano cambia i componenti "
                                          "dei focus-group."))
    _aperto(tavolo)
    scelti, errori = _membri_validi(tavolo, membri, focus.referente)
    if errori:
        raise DatiNonValidi(*errori)
    focus.membri.set(scelti)
    _registra(tavolo, A.FOCUS_GROUP_MEMBRI, utente,
              descrizione=_("%(n)s: %(k)s componenti.") % {"n": focus.nome, "k": len(scelti)})
    return focus


# --- sessions ------------------------------------------------------------------------------


@transaction.atomic
def seduta_crea(*, tavolo: Tavolo, utente, data: datetime.datetime, ordine_del_giorno: str,
                luogo: str = "", collegamento: str = "", durata_minuti: int = 120,
                focus_group: FocusGroup | None = None) -> SedutaTavolo:
    """Coordinator/UdP; numbered per tavolo; place or link required. A date in the past is
    accepted: a meeting already held is recorded afterwards (register, contributions, minutes),
    it just cannot be convened."""
    # The lock on the tavolo serialises numbering: two sessions created at once get 1 and 2.
    tavolo = _tavolo_bloccato(tavolo)
    _coordinatore_o_udp(utente, tavolo, _("Solo il coordinatore o l'Ufficio di Piano prepara le sedute del tavolo."))
    _aperto(tavolo)
    luogo, collegamento, ordine = _testo(luogo), _testo(collegamento), (ordine_del_giorno or "").strip()
    errori = []
    if data is None:
        errori.append(_("Indica data e ora della seduta."))
    elif timezone.is_naive(data):
        data = timezone.make_aware(data)
    if not luogo and not collegamento:
        errori.append(_("Indica il luogo della seduta oppure il collegamento online."))
    if len(luogo) > 255:
        errori.append(_("Il luogo può avere al massimo 255 caratteri."))
    if collegamento:
        try:
            URLValidator(schemes=["http", "https"])(collegamento)
        except ValidationError:
            errori.append(_("Il collegamento online non è un indirizzo web valido (deve iniziare con https://)."))
    if not ordine:
        errori.append(_("Indica l'ordine del giorno, un punto per riga."))
    if not isinstance(durata_minuti, int) or not 1 <= durata_minuti <= 1440:
        errori.append(_("Indica la durata prevista in minuti, tra 1 e 1440."))
    if focus_group is not None and focus_group.tavolo_id != tavolo.pk:
        errori.append(_("Il focus-group indicato non è di questo tavolo."))
    if errori:
        raise DatiNonValidi(*errori)
    numero = (SedutaTavolo.objects.filter(tavolo=tavolo).aggregate(m=Max("numero"))["m"] or 0) + 1
    seduta = SedutaTavolo.objects.create(tavolo=tavolo, focus_group=focus_group, numero=numero, data=data,
                                         durata_minuti=durata_minuti, luogo=luogo, collegamento=collegamento,
                                         ordine_del_giorno=ordine, creata_da=utente)
    _registra(tavolo, A.SEDUTA_CREATA, utente, seduta=seduta, a=seduta.stato, descrizione=str(seduta))
    return seduta


@transaction.atomic
def seduta_convoca(*, seduta: SedutaTavolo, utente, stato_atteso: str | None = None) -> SedutaTavolo:
    """E-mails every active member (of the focus-group, for its sessions) with an .ics via
    Celery (``tavoli.tasks``), after commit. The date must be in the future."""
    seduta = _seduta_bloccata(seduta, stato_atteso)
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano convoca le sedute "
                                                 "del tavolo."))
    _aperto(seduta.tavolo)
    if seduta.data <= timezone.now():
        raise DatiNonValidi(_("La data della seduta è già passata: fissane una nuova."))
    da = _transita(seduta, "convoca", _("Convoca"))
    seduta.convocata_il = timezone.now()
    _salva(seduta, ["stato", "convocata_il"])
    _registra(seduta.tavolo, A.SEDUTA_CONVOCATA, utente, seduta=seduta, da=da, a=seduta.stato,
              descrizione=str(seduta))
    _dopo_il_commit("invia_convocazione_tavolo", seduta.pk)
    return seduta


@transaction.atomic
def seduta_annulla(*, seduta: SedutaTavolo, utente, motivo: str, stato_atteso: str | None = None) -> SedutaTavolo:
    """Coordinator/UdP, with a reason, before the session is held. If it had been convened,
    the members get the cancellation (with an .ics that removes it from their calendars)."""
    seduta = _seduta_bloccata(seduta, stato_atteso)
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano annulla le sedute "
                                                 "del tavolo."))
    motivo = _testo(motivo)
    if not motivo:
        raise DatiNonValidi(_("Indica il motivo dell'annullamento."))
    da = _transita(seduta, "annulla", _("Annulla"))
    seduta.motivo_annullamento = motivo
    _salva(seduta, ["stato", "motivo_annullamento"])
    _registra(seduta.tavolo, A.SEDUTA_ANNULLATA, utente, seduta=seduta, da=da, a=seduta.stato, descrizione=motivo)
    if da == S.CONVOCATA:
        _dopo_il_commit("invia_annullamento_tavolo", seduta.pk)
    return seduta


def _verbale_approvato(seduta: SedutaTavolo) -> bool:
    return VerbaleTavolo.objects.filter(seduta=seduta, stato=V.APPROVATO).exists()


@transaction.atomic
def presenze_registra(*, seduta: SedutaTavolo, utente, membri: list[MembroTavolo],
                      ospiti: list[dict]) -> SedutaTavolo:
    """Coordinator/UdP records who came (members ticked, each for their body; guests as
    {'nominativo', 'ente_nome'}), replacing the previous register, and marks the session as
    held (``svolta``) if it was not. Not before the session's start time."""
    seduta = _seduta_bloccata(seduta)
    tavolo = seduta.tavolo
    _coordinatore_o_udp(utente, tavolo, _("Solo il coordinatore o l'Ufficio di Piano registra le presenze."))
    if seduta.stato == S.ANNULLATA:
        raise TransizioneNonAmmessa(_("La seduta è stata annullata: non ha presenze da registrare."))
    if timezone.now() < seduta.data:
        raise TransizioneNonAmmessa(_("Le presenze si registrano dall'inizio della seduta, fissato per il %(d)s "
                                      "alle %(h)s.") % {"d": timezone.localtime(seduta.data).strftime("%d/%m/%Y"),
                                                        "h": timezone.localtime(seduta.data).strftime("%H:%M")})
    if _verbale_approvato(seduta):
        raise TransizioneNonAmmessa(_("Il verbale della seduta è approvato: il registro delle presenze non si "
                                      "modifica più."))
    righe, errori = [], []
    attivi = {m.pk: m for m in MembroTavolo.objects.filter(tavolo=tavolo, stato=M.ATTIVO).select_related("utente")}
    visti = set()
    for membro in membri or []:
        if membro.pk not in attivi:
            errori.append(_("%(p)s non è un componente attivo del tavolo.") % {"p": str(membro)})
        elif membro.pk not in visti:
            visti.add(membro.pk)
            riga = attivi[membro.pk]
            righe.append(PresenzaTavolo(seduta=seduta, membro=riga, nominativo=_nome(riga.utente)[:200],
                                        ente_id=riga.ente_id))
    for ospite in ospiti or []:
        nominativo = _testo(ospite.get("nominativo"))
        ente_nome = _testo(ospite.get("ente_nome"))
        if not nominativo:
            if ente_nome:
                errori.append(_("Indica nome e cognome della persona ospite per l'ente «%(e)s».") % {"e": ente_nome})
            continue
        if len(nominativo) > 200 or len(ente_nome) > 200:
            errori.append(_("Nome e ente di una persona ospite possono avere al massimo 200 caratteri."))
            continue
        righe.append(PresenzaTavolo(seduta=seduta, nominativo=nominativo, ente_nome=ente_nome))
    if not righe and not errori:
        errori.append(_("Indica almeno una persona presente."))
    if errori:
        raise DatiNonValidi(*errori)
    seduta.presenze.all().delete()
    PresenzaTavolo.objects.bulk_create(righe)
    if seduta.stato != S.SVOLTA:
        da = _transita(seduta, "registra_svolgimento", _("Registra lo svolgimento"))
        _salva(seduta, ["stato"])
        _registra(tavolo, A.SEDUTA_SVOLTA, utente, seduta=seduta, da=da, a=seduta.stato, descrizione=str(seduta))
    _registra(tavolo, A.PRESENZE, utente, seduta=seduta,
              descrizione=_("%(n)s presenti, di cui %(o)s ospiti.")
              % {"n": len(righe), "o": sum(1 for r in righe if r.membro is None)})
    return seduta


# --- contributions -------------------------------------------------------------------------


def _per_contribuire(seduta: SedutaTavolo, utente) -> tuple[SedutaTavolo, MembroTavolo | None, bool]:
    """The locked session, the user's membership and whether they coordinate; refuses who may
    not contribute, sessions not held and frozen sessions."""
    seduta = _seduta_bloccata(seduta)
    coordina = puo_coordinare(utente, seduta.tavolo)
    membro = _partecipa(utente, seduta)
    if not (coordina or membro):
        raise PermessoNegato(_("Registrano contributi il coordinatore, l'Ufficio di Piano e i componenti del "
                               "tavolo (del focus-group, per le sue sedute)."))
    if seduta.stato != S.SVOLTA:
        raise TransizioneNonAmmessa(_("I contributi si registrano nelle sedute che si sono svolte."))
    _non_congelata(seduta)
    return seduta, membro, coordina


def _non_congelata(seduta: SedutaTavolo) -> None:
    if _verbale_approvato(seduta):
        raise TransizioneNonAmmessa(_("Il verbale della seduta è approvato: i contributi della seduta non si "
                                      "modificano più."))


def _ente_proprio(ente, membro: MembroTavolo | None, coordina: bool) -> list[str]:
    if coordina or ente is None or (membro is not None and ente.pk == membro.ente_id):
        return []
    return [_("Un componente registra i contributi a nome del proprio ente.")]


def _comuni_del_piano(piano, comuni) -> list[str]:
    ammessi = set(Comune.objects.filter(ambiti__in=_ambiti(piano), pk__in=[c.pk for c in comuni])
                  .values_list("pk", flat=True))
    return [_("%(c)s non è un Comune degli ambiti del piano.") % {"c": c.denominazione}
            for c in comuni if c.pk not in ammessi]


def _obbligatorio(valori: dict, campo: str, messaggio: str) -> list[str]:
    return [] if valori.get(campo) else [messaggio]


def _valida_bisogno(valori: dict, piano) -> list[str]:
    errori = _obbligatorio(valori, "destinatari", _("Indica i destinatari: il gruppo di persone interessato "
                                                    "dal bisogno."))
    errori += _obbligatorio(valori, "descrizione", _("Descrivi il bisogno."))
    if valori.get("priorita") not in LivelloPriorita.values:
        errori.append(_("Scegli la priorità: alta, media o bassa."))
    valori["comuni"] = [c for c in valori.get("comuni") or () if c is not None]
    return errori + _comuni_del_piano(piano, valori["comuni"])


def _valida_offerta(valori: dict, piano) -> list[str]:
    errori = []
    tipo = valori.get("tipo")
    if tipo is None:
        errori.append(_("Scegli il tipo di unità di offerta dal catalogo."))
    elif not tipo.attivo or tipo.regione_id not in (None, _regione_id(piano)):
        errori.append(_("Il tipo «%(t)s» non è nel catalogo in uso nella regione del piano.") % {"t": tipo.nome})
    errori += _obbligatorio(valori, "denominazione", _("Indica la denominazione dell'unità di offerta."))
    if valori.get("comune") is None:
        errori.append(_("Indica il Comune in cui si trova l'unità di offerta."))
    else:
        errori += _comuni_del_piano(piano, [valori["comune"]])
    if valori.get("gestore") is not None and valori.get("gestore_nome"):
        errori.append(_("Scegli l'ente gestore dall'elenco oppure scrivine il nome, non entrambi."))
    capacita = valori.get("capacita")
    if capacita is not None and (isinstance(capacita, bool) or not isinstance(capacita, int) or capacita < 0):
        errori.append(_("La capacità è un numero intero, zero o più."))
    return errori


def _valida_proposta(valori: dict, piano) -> list[str]:
    errori = _obbligatorio(valori, "titolo", _("Indica il titolo della proposta."))
    errori += _obbligatorio(valori, "descrizione", _("Descrivi la proposta."))
    bisogni = [b for b in valori.get("bisogni") or () if b is not None]
    ammessi = set(Bisogno.objects.filter(pk__in=[b.pk for b in bisogni], seduta__tavolo__piano=piano)
                  .values_list("pk", flat=True))
    errori += [_("Il bisogno «%(b)s» non è stato raccolto nei tavoli di questo piano.") % {"b": str(b)}
               for b in bisogni if b.pk not in ammessi]
    valori["bisogni"] = bisogni
    return errori


# model -> (fields a change may touch, the many-to-many ones among them, the check of its own fields)
CONTRIBUTI = {
    Bisogno: (("area", "ente", "proposto_da", "destinatari", "descrizione", "evidenza", "priorita", "comuni"),
              ("comuni",), _valida_bisogno),
    UnitaOfferta: (("area", "ente", "proposto_da", "tipo", "denominazione", "comune", "capacita", "gestore",
                    "gestore_nome", "indirizzo", "note"), (), _valida_offerta),
    Proposta: (("area", "ente", "proposto_da", "titolo", "descrizione", "bisogni"), ("bisogni",), _valida_proposta),
}


def _valida_contributo(modello, valori: dict, piano) -> None:
    """Trim the texts, then check what every contribution shares (an area in use in the plan's
    region, lengths) and the model's own fields; DatiNonValidi lists every problem."""
    for campo in CONTRIBUTI[modello][0]:
        if isinstance(modello._meta.get_field(campo), (models.CharField, models.TextField)):
            valori[campo] = _testo(valori.get(campo))
    errori = []
    area = valori.get("area")
    if area is None:
        errori.append(_("Scegli l'area di intervento."))
    elif area.regione_id != _regione_id(piano) or not area.attiva:
        errori.append(_("L'area «%(a)s» non è tra quelle in uso nella regione del piano.") % {"a": area})
    for campo, valore in valori.items():
        definizione = modello._meta.get_field(campo)
        limite = getattr(definizione, "max_length", None)
        if isinstance(valore, str) and limite and not definizione.choices and len(valore) > limite:
            errori.append(_("«%(c)s» può avere al massimo %(n)s caratteri.")
                          % {"c": str(definizione.verbose_name).capitalize(), "n": limite})
    errori += CONTRIBUTI[modello][2](valori, piano)
    if errori:
        raise DatiNonValidi(*errori)


def _etichetta(contributo) -> str:
    return _("%(tipo)s «%(testo)s»") % {"tipo": str(contributo._meta.verbose_name).capitalize(),
                                        "testo": str(contributo)[:80]}


def _registra_contributo(modello, *, seduta: SedutaTavolo, utente, valori: dict):
    seduta, membro, coordina = _per_contribuire(seduta, utente)
    if valori.get("area") is None:
        valori["area"] = seduta.tavolo.area
    if valori.get("ente") is None and membro is not None:
        valori["ente"] = membro.ente
    errori = _ente_proprio(valori["ente"], membro, coordina)
    if errori:
        raise DatiNonValidi(*errori)
    _valida_contributo(modello, valori, seduta.tavolo.piano)
    multipli = CONTRIBUTI[modello][1]
    contributo = modello.objects.create(seduta=seduta, registrato_da=utente,
                                        **{k: v for k, v in valori.items() if k not in multipli})
    for campo in multipli:
        getattr(contributo, campo).set(valori[campo])
    _registra(seduta.tavolo, A.CONTRIBUTO, utente, seduta=seduta, descrizione=_etichetta(contributo))
    return contributo


@transaction.atomic
def bisogno_registra(*, seduta: SedutaTavolo, utente, area: AreaIntervento | None = None, destinatari: str,
                     descrizione: str, evidenza: str = "", priorita: str = "media", ente: Ente | None = None,
                     proposto_da: str = "", comuni=()) -> Bisogno:
    """``area`` defaults to the tavolo's; ``ente`` defaults to the member's body."""
    return _registra_contributo(Bisogno, seduta=seduta, utente=utente, valori={
        "area": area, "destinatari": destinatari, "descrizione": descrizione, "evidenza": evidenza,
        "priorita": priorita, "ente": ente, "proposto_da": proposto_da, "comuni": list(comuni or ())})


@transaction.atomic
def offerta_registra(*, seduta: SedutaTavolo, utente, tipo, denominazione: str, comune, capacita: int | None = None,
                     gestore: Ente | None = None, gestore_nome: str = "", indirizzo: str = "", note: str = "",
                     area: AreaIntervento | None = None, ente: Ente | None = None,
                     proposto_da: str = "") -> UnitaOfferta:
    """A service on the ground: its kind from the catalogue in use in the plan's region (the
    national one or the region's own), in a Comune of the plan's ambiti."""
    return _registra_contributo(UnitaOfferta, seduta=seduta, utente=utente, valori={
        "tipo": tipo, "denominazione": denominazione, "comune": comune, "capacita": capacita, "gestore": gestore,
        "gestore_nome": gestore_nome, "indirizzo": indirizzo, "note": note, "area": area, "ente": ente,
        "proposto_da": proposto_da})


@transaction.atomic
def proposta_registra(*, seduta: SedutaTavolo, utente, titolo: str, descrizione: str, bisogni=(),
                      area: AreaIntervento | None = None, ente: Ente | None = None,
                      proposto_da: str = "") -> Proposta:
    """A proposal, linked to needs raised in the tavoli of the same plan."""
    return _registra_contributo(Proposta, seduta=seduta, utente=utente, valori={
        "titolo": titolo, "descrizione": descrizione, "bisogni": list(bisogni or ()), "area": area, "ente": ente,
        "proposto_da": proposto_da})


@transaction.atomic
def contributo_modifica(*, contributo, utente, **campi):
    """The author or the coordinator/UdP, while the session's minutes are not approved."""
    modello = type(contributo)
    if modello not in CONTRIBUTI:
        raise DatiNonValidi(_("Questo oggetto non è un contributo di un tavolo."))
    ammessi, multipli, _controllo = CONTRIBUTI[modello]
    contributo = (modello.objects.select_for_update(of=("self",))
                  .select_related("seduta", "seduta__tavolo", "seduta__tavolo__piano").get(pk=contributo.pk))
    seduta = contributo.seduta
    tavolo = seduta.tavolo
    coordina = puo_coordinare(utente, tavolo)
    if not (coordina or (_attivo(utente) and contributo.registrato_da_id == utente.pk)):
        raise PermessoNegato(_("Modificano un contributo solo chi lo ha registrato, il coordinatore e l'Ufficio "
                               "di Piano."))
    sconosciuti = set(campi) - set(ammessi)
    if sconosciuti:
        raise DatiNonValidi(_("Campi non previsti: %(c)s.") % {"c": ", ".join(sorted(sconosciuti))})
    _non_congelata(seduta)
    if "ente" in campi:
        errori = _ente_proprio(campi["ente"], membro_attivo(utente, tavolo), coordina)
        if errori:
            raise DatiNonValidi(*errori)
    valori = {c: (list(getattr(contributo, c).all()) if c in multipli else getattr(contributo, c)) for c in ammessi}
    valori.update(campi)
    _valida_contributo(modello, valori, tavolo.piano)
    for campo in ammessi:
        if campo not in multipli:
            setattr(contributo, campo, valori[campo])
    contributo.save()
    for campo in multipli:
        getattr(contributo, campo).set(valori[campo])
    _registra(tavolo, A.CONTRIBUTO_MODIFICATO, utente, seduta=seduta,
              descrizione=_("%(c)s: %(campi)s.") % {"c": _etichetta(contributo), "campi": ", ".join(sorted(campi))})
    return contributo


# --- minutes -------------------------------------------------------------------------------


@transaction.atomic
def verbale_garantisci(*, seduta: SedutaTavolo, utente) -> VerbaleTavolo:
    """The session's minutes, created (one entry per agenda item) when first opened by the
    coordinator/UdP; only for held sessions."""
    seduta = _seduta_bloccata(seduta)
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano redige il verbale."))
    esistente = VerbaleTavolo.objects.filter(seduta=seduta).first()
    if esistente is not None:
        return esistente
    if seduta.stato != S.SVOLTA:
        raise TransizioneNonAmmessa(_("Il verbale si redige dopo lo svolgimento della seduta: registra prima le "
                                      "presenze."))
    verbale = VerbaleTavolo.objects.create(seduta=seduta, redatto_da=utente,
                                           discussione=[{"punto": p, "testo": ""} for p in seduta.punti])
    _registra(seduta.tavolo, A.VERBALE_SALVATO, utente, seduta=seduta, a=verbale.stato,
              descrizione=_("Verbale aperto in redazione."))
    return verbale


def _pulisci_discussione(discussione) -> list[dict]:
    formato = _("La discussione non è nel formato atteso: per ogni punto, il punto e il testo.")
    if not isinstance(discussione, list):
        raise DatiNonValidi(formato)
    pulita = []
    for voce in discussione:
        if (not isinstance(voce, dict) or set(voce) - {"punto", "testo"}
                or not all(isinstance(v, str) for v in voce.values())):
            raise DatiNonValidi(formato)
        punto, testo = voce.get("punto", "").strip(), voce.get("testo", "").strip()
        if testo and not punto:
            raise DatiNonValidi(_("Ogni testo della discussione va riferito a un punto dell'ordine del giorno."))
        if punto:
            pulita.append({"punto": punto, "testo": testo})
    return pulita


@transaction.atomic
def verbale_salva(*, verbale: VerbaleTavolo, utente, versione: int, discussione: list[dict], decisioni: str,
                  prossimi_passi: str) -> VerbaleTavolo:
    """Optimistic concurrency: ``versione`` must be the one the editor loaded, otherwise
    StatoCambiato (nothing saved, the user is told someone else saved meanwhile). Not once
    approved."""
    verbale = _verbale_bloccato(verbale)
    seduta = verbale.seduta
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano redige il verbale."))
    if not verbale.modificabile:
        raise TransizioneNonAmmessa(_("Il verbale è approvato: non si modifica più."))
    if versione != verbale.versione:
        raise StatoCambiato(_("Qualcun altro ha salvato il verbale nel frattempo (ora è alla versione %(v)s): "
                              "le tue modifiche non sono state salvate. Ricarica la pagina e riportale sulla "
                              "versione aggiornata.") % {"v": verbale.versione})
    verbale.discussione = _pulisci_discussione(discussione)
    verbale.decisioni = (decisioni or "").strip()
    verbale.prossimi_passi = (prossimi_passi or "").strip()
    verbale.versione += 1
    verbale.save(update_fields=["discussione", "decisioni", "prossimi_passi", "versione", "aggiornato_il"])
    _registra(seduta.tavolo, A.VERBALE_SALVATO, utente, seduta=seduta,
              descrizione=_("Versione %(v)s.") % {"v": verbale.versione})
    return verbale


@transaction.atomic
def verbale_invia(*, verbale: VerbaleTavolo, utente, stato_atteso: str | None = None) -> VerbaleTavolo:
    """Circulate to the members (e-mail via Celery); members may send observations."""
    verbale = _verbale_bloccato(verbale, stato_atteso)
    seduta = verbale.seduta
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano invia il verbale "
                                                 "ai componenti."))
    da = _transita(verbale, "invia", _("Invia ai componenti"))
    verbale.inviato_il = timezone.now()
    _salva(verbale, ["stato", "inviato_il"])
    _registra(seduta.tavolo, A.VERBALE_INVIATO, utente, seduta=seduta, da=da, a=verbale.stato,
              descrizione=_("Versione %(v)s.") % {"v": verbale.versione})
    _dopo_il_commit("invia_verbale_tavolo", verbale.pk)
    return verbale


@transaction.atomic
def verbale_riapri(*, verbale: VerbaleTavolo, utente, stato_atteso: str | None = None) -> VerbaleTavolo:
    """Back from circulation to drafting (the observations received stay with the minutes)."""
    verbale = _verbale_bloccato(verbale, stato_atteso)
    seduta = verbale.seduta
    _coordinatore_o_udp(utente, seduta.tavolo, _("Solo il coordinatore o l'Ufficio di Piano riapre il verbale."))
    da = _transita(verbale, "riapri", _("Riapri per modifiche"))
    _salva(verbale, ["stato"])
    _registra(seduta.tavolo, A.VERBALE_RIAPERTO, utente, seduta=seduta, da=da, a=verbale.stato)
    return verbale


@transaction.atomic
def osservazione_aggiungi(*, verbale: VerbaleTavolo, utente, testo: str) -> OsservazioneVerbale:
    """Active members, while circulated."""
    verbale = _verbale_bloccato(verbale)
    seduta = verbale.seduta
    if membro_attivo(utente, seduta.tavolo) is None:
        raise PermessoNegato(_("Solo i componenti del tavolo inviano osservazioni al verbale."))
    if verbale.stato != V.IN_CIRCOLAZIONE:
        raise TransizioneNonAmmessa(_("Le osservazioni si inviano mentre il verbale è in lettura presso i "
                                      "componenti."))
    testo = _testo(testo)
    if not testo:
        raise DatiNonValidi(_("Scrivi l'osservazione."))
    osservazione = OsservazioneVerbale.objects.create(verbale=verbale, versione=verbale.versione, autore=utente,
                                                      testo=testo)
    _registra(seduta.tavolo, A.OSSERVAZIONE, utente, seduta=seduta, descrizione=testo[:200])
    return osservazione


def _emittente(tavolo: Tavolo, ambito) -> str:
    """Who issues a tavolo's minutes: "Tavolo Anziani – Ambito di Pavia" (the word "Tavolo"
    once, whether or not the tavolo's name, an Italian datum, begins with it)."""
    if tavolo.nome.lower().startswith("tavolo"):
        return _("%(t)s – %(ambito)s") % {"t": tavolo.nome, "ambito": ambito.nome}
    return _("Tavolo «%(t)s» – %(ambito)s") % {"t": tavolo.nome, "ambito": ambito.nome}


@transaction.atomic
def verbale_approva(*, verbale: VerbaleTavolo, utente, modalita: str,
                    seduta_approvazione: SedutaTavolo | None = None,
                    stato_atteso: str | None = None) -> VerbaleTavolo:
    """By the coordinator (modalita='coordinatore'), or at a later held session of the same
    tavolo (modalita='seduta', recorded by coordinator/UdP). Freezes the minutes and the
    session's contributions, and requests the PDF act (kind ``verbale_tavolo``) through the
    ``PIANOZONA_RICHIEDI_ATTO`` setting."""
    verbale = _verbale_bloccato(verbale, stato_atteso)
    seduta = verbale.seduta
    tavolo = seduta.tavolo
    _coordinatore_o_udp(utente, tavolo, _("Solo il coordinatore o l'Ufficio di Piano approva il verbale."))
    if verbale.stato == V.APPROVATO:
        raise StatoCambiato(_("Il verbale è già stato approvato: ricarica la pagina."))
    if modalita not in VerbaleTavolo.Approvazione.values:
        raise DatiNonValidi(_("Indica come è stato approvato il verbale: dal coordinatore o in una seduta "
                              "successiva."))
    approvante = None
    if modalita == VerbaleTavolo.Approvazione.SEDUTA:
        if seduta_approvazione is None:
            raise DatiNonValidi(_("Indica la seduta in cui il verbale è stato approvato."))
        approvante = SedutaTavolo.objects.get(pk=seduta_approvazione.pk)
        if approvante.tavolo_id != tavolo.pk:
            raise DatiNonValidi(_("Il verbale si approva in una seduta dello stesso tavolo."))
        if approvante.data <= seduta.data:
            raise DatiNonValidi(_("La seduta di approvazione deve essere successiva a quella del verbale."))
        if approvante.stato != S.SVOLTA:
            raise DatiNonValidi(_("La seduta di approvazione deve essersi svolta: registra prima le sue presenze."))
    da = _transita(verbale, "approva", _("Approva il verbale"))
    verbale.modalita_approvazione = modalita
    verbale.approvato_in = approvante
    verbale.approvato_da = utente
    verbale.approvato_il = timezone.now()
    piano = tavolo.piano
    ambito = _ambiti(piano)[0]
    verbale.documento = _richiedi_atto(
        tipo="verbale_tavolo", ambito=ambito, piano=piano, utente=utente,
        titolo=_("Verbale della seduta n. %(n)s del %(d)s – %(t)s")
        % {"n": seduta.numero, "d": timezone.localtime(seduta.data).strftime("%d/%m/%Y"), "t": tavolo.nome},
        chiave=f"verbale-tavolo:{seduta.pk}",
        ente=_emittente(tavolo, ambito),
    )
    _salva(verbale, ["stato", "modalita_approvazione", "approvato_in", "approvato_da", "approvato_il", "documento"])
    if approvante is not None:
        descrizione = _("Approvato nella %(s)s.") % {"s": str(approvante).lower()}
    else:
        descrizione = _("Approvato dal coordinatore.") if utente.pk == tavolo.coordinatore_id \
            else _("Approvato dall'Ufficio di Piano.")
    _registra(tavolo, A.VERBALE_APPROVATO, utente, seduta=seduta, da=da, a=verbale.stato, descrizione=descrizione)
    return verbale
