"""Tavoli tematici: who may act on them, the steps their services share, setting them up
(the region's areas, a tavolo, its focus-groups). Beside this module: ``services_membri_tavolo``
(invitations, requests to join, leaving), ``services_sedute_tavolo`` (sessions, convocation
with .ics, attendance register), ``services_contributi`` (needs, offer, proposals) and
``services_verbali`` (the minutes from draft to approved PDF act); the rules below hold
for all of them.

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

from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi, PermessoNegato, StatoCambiato, TransizioneNonAmmessa
from ambiti.models import Ente
from ambiti.ruoli import Permessi

from .catalogo import AREE_PREDEFINITE
from .models import AreaIntervento, EventoTavolo, FocusGroup, MembroTavolo, SedutaTavolo, Tavolo, VerbaleTavolo

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


def _verbale_approvato(seduta: SedutaTavolo) -> bool:
    return VerbaleTavolo.objects.filter(seduta=seduta, stato=V.APPROVATO).exists()


# --- areas and tavoli ------------------------------------------------------------------------


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


# --- focus-groups ----------------------------------------------------------------------------


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
