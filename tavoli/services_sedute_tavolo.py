"""Sessions of a tavolo (or of one of its focus-groups): preparing, convening with an .ics,
cancelling, and the attendance register that marks a session as held. Who may do what is
written once, at the top of ``tavoli.services_tavoli``."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi, TransizioneNonAmmessa

from .models import EventoTavolo, FocusGroup, MembroTavolo, PresenzaTavolo, SedutaTavolo, Tavolo
from .services import _salva, _transita
from .services_tavoli import (
    _aperto,
    _coordinatore_o_udp,
    _dopo_il_commit,
    _nome,
    _registra,
    _seduta_bloccata,
    _tavolo_bloccato,
    _testo,
    _verbale_approvato,
)

A = EventoTavolo.Azione
M = MembroTavolo.Stato
S = SedutaTavolo.Stato


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


# --- attendance ----------------------------------------------------------------------------


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
